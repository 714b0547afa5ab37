#pragma once
// The wall clock as the wire carries it: Unix seconds (token times, signature timestamps) and
// milliseconds (message `ts`, event `time_ms`).
#include <chrono>
#include <cstdint>

namespace switchboard {

inline int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace switchboard
