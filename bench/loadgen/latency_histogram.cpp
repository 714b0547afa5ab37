#include "bench/loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace switchboard::bench {

unsigned latency_histogram::index_of(uint64_t us) {
  if (us < linear) return static_cast<unsigned>(us);
  const unsigned exponent = 63u - static_cast<unsigned>(std::countl_zero(us));  // ≥ sub_bits + 1
  const unsigned shift = exponent - sub_bits;
  const auto sub = static_cast<unsigned>((us >> shift) & ((1u << sub_bits) - 1));
  const unsigned index = linear + (exponent - sub_bits - 1) * (1u << sub_bits) + sub;
  return std::min(index, buckets - 1);
}

uint64_t latency_histogram::upper_bound_of(unsigned index) {
  if (index < linear) return index;
  const unsigned group = (index - linear) >> sub_bits;
  const unsigned sub = (index - linear) & ((1u << sub_bits) - 1);
  const unsigned shift = group + 1;
  return ((uint64_t{(1u << sub_bits) + sub + 1}) << shift) - 1;
}

void latency_histogram::record_ns(int64_t ns) {
  const uint64_t us = ns > 0 ? static_cast<uint64_t>(ns) / 1000 : 0;
  ++counts_[index_of(us)];
  ++count_;
  max_us_ = std::max(max_us_, us);
}

void latency_histogram::merge(const latency_histogram& other) {
  for (unsigned i = 0; i < buckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_us_ = std::max(max_us_, other.max_us_);
}

double latency_histogram::percentile_ms(double fraction) const {
  if (count_ == 0) return 0;
  const auto wanted = static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
  uint64_t seen = 0;
  for (unsigned i = 0; i < buckets; ++i) {
    seen += counts_[i];
    if (seen >= std::max<uint64_t>(wanted, 1)) {
      return static_cast<double>(std::min(upper_bound_of(i), max_us_)) / 1000.0;
    }
  }
  return max_ms();
}

}  // namespace switchboard::bench
