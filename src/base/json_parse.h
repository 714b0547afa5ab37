#pragma once
// JSON text and MessagePack from outside (Redis, HTTP bodies), parsed with a bound on array and
// object nesting. Copying, dumping and has_binary() recurse once per level, and so does
// nlohmann's MessagePack decoder, so one ~1 MB message of `[[[[…` would overflow the stack;
// nlohmann's parse has no such limit of its own.
#include "base/json.h"

#include <cstddef>
#include <string_view>

namespace switchboard {

// The value, or a discarded value when the input is invalid or nested deeper than `max_depth`.
json parse_json_within(std::string_view text, size_t max_depth);
json parse_msgpack_within(std::string_view bytes, size_t max_depth);

}  // namespace switchboard
