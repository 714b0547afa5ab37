#include "base/metrics.h"

#include "base/loop_group.h"

#include <algorithm>

namespace switchboard::metrics {
namespace {
std::array<slot, max_slots> slots;
std::array<std::atomic<int64_t>, max_slots> lags{};
std::atomic<int> redis_state{-1};
std::atomic<int64_t> redis_publish_latency{0};
}  // namespace

slot& this_slot() {
  const size_t worker = loop_group::current();
  return slots[std::min(worker, max_slots - 1)];
}

int64_t total(counter c) {
  int64_t sum = 0;
  for (const auto& s : slots) sum += s.values[static_cast<size_t>(c)].load(std::memory_order_relaxed);
  return sum;
}

void record_loop_lag(size_t worker, int64_t micros) {
  lags[std::min(worker, max_slots - 1)].store(micros, std::memory_order_relaxed);
}

void set_redis_connected(int state) { redis_state.store(state, std::memory_order_relaxed); }
int redis_connected() { return redis_state.load(std::memory_order_relaxed); }
void record_redis_publish_latency(int64_t micros) { redis_publish_latency.store(micros, std::memory_order_relaxed); }
int64_t redis_publish_latency_micros() { return redis_publish_latency.load(std::memory_order_relaxed); }

int64_t loop_lag_micros() {
  int64_t m = 0;
  for (const auto& l : lags) m = std::max(m, l.load(std::memory_order_relaxed));
  return m;
}

}  // namespace switchboard::metrics
