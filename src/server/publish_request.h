#pragma once
// The body of `POST /api/publish` (docs/design.md#http-api), pure: `{room?, event, data?,
// idempotency_key?}` as JSON, or an array of up to 1,000 of them. Read whole, every entry
// checked, before anything is emitted; fuzzed.
#include "base/json.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::server {

struct publish_request {
  std::string event;
  std::optional<std::string> room;  // absent or null: every client of the namespace
  json args = json::array();        // [data], or [] without data
  std::optional<std::string> idempotency_key;
};

inline constexpr size_t max_publish_batch = 1000;
inline constexpr size_t max_idempotency_key_bytes = 256;

// One request; false with `error` the message of the 400 answer.
bool read_publish_request(std::string_view body, publish_request& out, std::string& error);
// One request or an array of them (`array` says which the body was); an error in an entry names
// its index.
bool read_publish_requests(std::string_view body, std::vector<publish_request>& out, bool& array, std::string& error);

}  // namespace switchboard::server
