#pragma once
// A log-linear histogram of latencies in microseconds (64 sub-buckets per power of two, so any
// percentile is within ~1.6 %), fixed size, no allocation per sample. One per worker thread;
// merged by the main thread after the run.
#include <array>
#include <cstdint>

namespace switchboard::bench {

class latency_histogram {
 public:
  void record_ns(int64_t ns);
  void merge(const latency_histogram& other);
  void clear() { *this = latency_histogram{}; }

  uint64_t count() const { return count_; }
  // Upper bound in milliseconds below which `fraction` (0..1) of the samples lie.
  double percentile_ms(double fraction) const;
  double max_ms() const { return static_cast<double>(max_us_) / 1000.0; }

 private:
  static constexpr unsigned sub_bits = 6;
  static constexpr unsigned linear = 1u << (sub_bits + 1);  // values below are exact
  static constexpr unsigned buckets = linear + (40 - sub_bits) * (1u << sub_bits);

  static unsigned index_of(uint64_t us);
  static uint64_t upper_bound_of(unsigned index);

  std::array<uint64_t, buckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_us_ = 0;
};

}  // namespace switchboard::bench
