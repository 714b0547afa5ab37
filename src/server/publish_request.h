#pragma once
// The body of `POST /api/publish` (docs/design.md#http-api), pure: `{room?, event, data?}` as JSON. Read on
// every publish before anything is emitted, and fuzzed.
#include "base/json.h"

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::server {

struct publish_request {
  std::string event;
  std::optional<std::string> room;  // absent or null: every client of the namespace
  json args = json::array();        // [data], or [] without data
};

// False with `error` the message of the 400 answer.
bool read_publish_request(std::string_view body, publish_request& out, std::string& error);

}  // namespace switchboard::server
