#pragma once
// Who a connecting client is: in open mode the name it claims (`auth.name`, which must pass the
// display-name rules of names.h), with a JWT policy the user its token (`auth.token`) names. A
// refusal carries the code and message the client's `connect_error` shows in `err.data`.
#include "access/jwt.h"
#include "base/json.h"

#include <optional>
#include <string>
#include <vector>

namespace switchboard::access {

struct identity {
  std::string user;                   // the stable id: the open-mode name, or `sub`
  std::string name;                   // for display
  std::vector<std::string> rooms;     // room patterns the user may join where a rule says "token"
  std::optional<int64_t> expires_at;  // the token's `exp` (seconds since the epoch)
};

struct identity_refusal {
  std::string error;  // unauthorized, invalid_token, token_expired
  std::string message;
};

struct identity_result {
  identity who;
  std::optional<identity_refusal> refusal;
  bool unknown_key = false;  // refused for a `kid` the keys lack: the key set may be stale
};

// `jwt`: null in open mode. `now` is seconds since the Unix epoch.
identity_result identify(const json& auth, const jwt_policy* jwt, int64_t now);

}  // namespace switchboard::access
