#include "bench/loadgen/latency_histogram.h"

#include <gtest/gtest.h>

namespace switchboard::bench {
namespace {

TEST(latency_histogram, percentiles_within_two_percent) {
  latency_histogram h;
  for (int64_t ms = 1; ms <= 1000; ++ms) h.record_ns(ms * 1'000'000);  // 1 … 1000 ms, once each
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_NEAR(h.percentile_ms(0.50), 500, 500 * 0.02);
  EXPECT_NEAR(h.percentile_ms(0.99), 990, 990 * 0.02);
  EXPECT_DOUBLE_EQ(h.max_ms(), 1000);
  EXPECT_GE(h.percentile_ms(0.50), 500);  // an upper bound, never an underestimate
}

TEST(latency_histogram, small_values_are_exact_and_merge_adds) {
  latency_histogram a, b;
  a.record_ns(5'000);
  b.record_ns(100'000);
  b.record_ns(-1);  // clock oddities count as zero
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_DOUBLE_EQ(a.percentile_ms(0.34), 0.005);
  EXPECT_DOUBLE_EQ(a.max_ms(), 0.1);
}

}  // namespace
}  // namespace switchboard::bench
