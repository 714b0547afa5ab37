#include "bench/loadgen/measure.h"

#include "bench/loadgen/clock.h"
#include "bench/loadgen/proc_stats.h"

namespace switchboard::bench {

std::optional<double> total_cpu_seconds(const std::vector<pid_t>& pids) {
  if (pids.empty()) return std::nullopt;
  double total = 0;
  for (const auto pid : pids) {
    const auto s = process_cpu_seconds(pid);
    if (!s) return std::nullopt;
    total += *s;
  }
  return total;
}

std::optional<int64_t> total_rss_kib(const std::vector<pid_t>& pids) {
  if (pids.empty()) return std::nullopt;
  int64_t total = 0;
  for (const auto pid : pids) {
    const auto k = process_rss_kib(pid);
    if (!k) return std::nullopt;
    total += *k;
  }
  return total;
}

cpu_window::cpu_window(const options& o)
    : options_(o),
      start_ns_(now_ns()),
      server_start_(total_cpu_seconds(o.server_pids)),
      redis_start_(total_cpu_seconds(o.redis_pids)),
      self_start_(self_cpu_seconds()) {}

json cpu_window::finish() {
  const double wall = static_cast<double>(now_ns() - start_ns_) / 1e9;
  const double self = self_cpu_seconds() - self_start_;
  json j;
  j["wall_s"] = wall;
  if (const auto s = total_cpu_seconds(options_.server_pids); s && server_start_) {
    server_cpu_s_ = *s - *server_start_;
    j["server_cpu_s"] = *server_cpu_s_;
  }
  if (const auto r = total_cpu_seconds(options_.redis_pids); r && redis_start_) j["redis_cpu_s"] = *r - *redis_start_;
  j["loadgen_cpu_s"] = self;
  j["loadgen_cpu_pct"] = wall > 0 ? 100.0 * self / wall : 0.0;
  j["loadgen_max_rss_kib"] = self_max_rss_kib();
  return j;
}

}  // namespace switchboard::bench
