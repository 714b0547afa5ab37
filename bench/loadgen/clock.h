#pragma once
// One monotonic clock for the whole generator: send stamps and receive times come from the same
// process, so latency is a plain difference with no clock sync.
#include <cstdint>
#include <ctime>

namespace switchboard::bench {

inline int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace switchboard::bench
