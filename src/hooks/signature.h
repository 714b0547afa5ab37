#pragma once
// How a backend knows a hook or webhook request came from its Switchboard nodes
// (docs/design.md#backend-hooks): `X-Switchboard-Timestamp` is the Unix time in seconds and
// `X-Switchboard-Signature` is `sha256=` and the lower-case hex HMAC-SHA256, keyed with
// --hook-secret, of the timestamp, a dot and the body. The timestamp is signed too, so a captured
// request cannot be replayed later under a fresh one. Pure.
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::hooks {

inline constexpr std::string_view signature_header = "X-Switchboard-Signature";
inline constexpr std::string_view timestamp_header = "X-Switchboard-Timestamp";

std::string signature(std::string_view secret, int64_t unix_seconds, std::string_view body);

}  // namespace switchboard::hooks
