#pragma once
// Identity from a JSON Web Token (RFC 7519) in the JWS compact form: the signature under one of
// the configured keys (jwt_key.h: only its own algorithm family), then the claims — `exp` and
// `nbf` with a leeway, `iss` and `aud` when the policy names them — and the identity they carry:
// `sub` (the user, required), `name` (display, default `sub`), `rooms` (room patterns). Pure: the
// caller passes the time.
#include "access/jwt_key.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::access {

struct jwt_policy {
  std::vector<jwt_key> keys;
  std::string issuer;    // when set, `iss` must equal it
  std::string audience;  // when set, `aud` (a string or a list) must contain it
  int64_t leeway_seconds = 30;
};

// unknown_key: signed with a `kid` none of the keys has (a key set fetched from a URL may be
// out of date: worth fetching again).
enum class token_status { ok, invalid, expired, unknown_key };

struct token_identity {
  token_status status = token_status::invalid;
  std::string user;                   // `sub`
  std::string name;                   // `name`, else `sub`
  std::vector<std::string> rooms;     // the `rooms` claim
  std::optional<int64_t> expires_at;  // `exp` in whole seconds, rounded down
  std::string reason;                 // when not ok: for the client
};

// Longest token accepted: far above what identity providers issue, and a bound on the work one
// token costs.
inline constexpr size_t max_token_bytes = 16 * 1024;

// `now` is seconds since the Unix epoch.
token_identity verify_jwt(std::string_view token, const jwt_policy& policy, int64_t now);

}  // namespace switchboard::access
