#include "base/token_bucket.h"

#include <gtest/gtest.h>

namespace switchboard {
namespace {

using namespace std::chrono_literals;

TEST(rate_limit, parses_rate_and_burst) {
  rate_limit r;
  ASSERT_TRUE(parse_rate_limit("20:40", r));
  EXPECT_EQ(r.per_second, 20);
  EXPECT_EQ(r.burst, 40);
  ASSERT_TRUE(parse_rate_limit("5", r));
  EXPECT_EQ(r.burst, 5);
  ASSERT_TRUE(parse_rate_limit("0.5:2", r));
  EXPECT_EQ(r.per_second, 0.5);
  ASSERT_TRUE(parse_rate_limit("0", r));
  EXPECT_FALSE(r.enabled());
}

TEST(rate_limit, refuses_malformed_values) {
  rate_limit r;
  for (const char* bad : {"", ":", "abc", "-1", "5:", "5:0", "5:x", "1:2:3", "nan", "inf"})
    EXPECT_FALSE(parse_rate_limit(bad, r)) << bad;
}

TEST(token_bucket, allows_the_burst_then_refills_at_the_rate) {
  const auto t0 = token_bucket::clock::time_point{};
  token_bucket b({2, 3}, t0);
  EXPECT_TRUE(b.take(t0));
  EXPECT_TRUE(b.take(t0));
  EXPECT_TRUE(b.take(t0));
  EXPECT_FALSE(b.take(t0));
  EXPECT_DOUBLE_EQ(b.wait_seconds(t0), 0.5);
  EXPECT_TRUE(b.take(t0 + 500ms));  // one token after 1/rate seconds
  EXPECT_FALSE(b.take(t0 + 500ms));
  EXPECT_TRUE(b.take(t0 + 10s));  // never more than the burst
  EXPECT_TRUE(b.take(t0 + 10s));
  EXPECT_TRUE(b.take(t0 + 10s));
  EXPECT_FALSE(b.take(t0 + 10s));
}

TEST(token_bucket, unlimited_when_disabled) {
  token_bucket b({0, 0});
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(b.take());
}

}  // namespace
}  // namespace switchboard
