#pragma once
// Who a connecting client is (DESIGN.md §4): `auth.name` (trimmed, 1–32 code points), or with a
// JWT secret the user named by `auth.token`. A refusal carries the code and message the client's
// `connect_error` shows in `err.data`.
#include "base/json.h"

#include <optional>
#include <string>

namespace switchboard::chat {

struct identity_refusal {
  std::string error;  // unauthorized, invalid_token, token_expired
  std::string message;
};

struct identity_result {
  std::string user;
  std::optional<identity_refusal> refusal;
};

// `now` is seconds since the Unix epoch.
identity_result identify(const json& auth, const std::string& jwt_secret, int64_t now);

// Unicode code points of valid UTF-8 text.
size_t code_points(std::string_view utf8);

}  // namespace switchboard::chat
