#pragma once
// Identity from an HS256 JSON Web Token (`--jwt-secret`): the signature, the algorithm and `exp`
// are checked; the user is the `sub` claim, else `name`. Signature checking is libjwt's.
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::chat {

enum class token_status { ok, invalid, expired };

struct token_identity {
  token_status status = token_status::invalid;
  std::string user;    // when ok
  std::string reason;  // when not ok, for the client
};

// `now` is seconds since the Unix epoch.
token_identity verify_hs256(std::string_view token, std::string_view secret, int64_t now);

}  // namespace switchboard::chat
