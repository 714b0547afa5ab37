#pragma once
// Brackets a measured phase: the servers' CPU time (utime + stime from /proc, summed over
// --server-pid), Redis's apart (--redis-pid), and the generator's own CPU, so every report can show
// that the generator was not the bottleneck.
#include "base/json.h"
#include "bench/loadgen/options.h"

#include <cstdint>
#include <optional>

namespace switchboard::bench {

class cpu_window {
 public:
  explicit cpu_window(const options& o);
  // Ends the window and returns {wall_s, server_cpu_s?, redis_cpu_s?, loadgen_cpu_s, loadgen_cpu_pct,
  // loadgen_max_rss_kib}.
  json finish();
  std::optional<double> server_cpu_s() const { return server_cpu_s_; }

 private:
  const options& options_;
  int64_t start_ns_;
  std::optional<double> server_start_, redis_start_;
  double self_start_;
  std::optional<double> server_cpu_s_;
};

// Sum of the CPU seconds of `pids`; nullopt when the list is empty or one cannot be read.
std::optional<double> total_cpu_seconds(const std::vector<pid_t>& pids);
// Sum of the RSS of `pids` in KiB; nullopt likewise.
std::optional<int64_t> total_rss_kib(const std::vector<pid_t>& pids);

}  // namespace switchboard::bench
