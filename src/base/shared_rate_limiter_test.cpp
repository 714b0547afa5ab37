#include "base/shared_rate_limiter.h"

#include <gtest/gtest.h>

namespace switchboard {
namespace {

TEST(SharedRateLimiter, OffTakesEverything) {
  shared_rate_limiter off({0, 0});
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(off.take("a"), 0);
  EXPECT_EQ(off.take(), 0);
}

TEST(SharedRateLimiter, EachKeyHasItsOwnBurst) {
  shared_rate_limiter limiter({0.001, 2});  // one token per 1000 s: no refill during the test
  EXPECT_EQ(limiter.take("a"), 0);
  EXPECT_EQ(limiter.take("a"), 0);
  EXPECT_GT(limiter.take("a"), 900);
  EXPECT_EQ(limiter.take("b"), 0);
  EXPECT_EQ(limiter.take(), 0);  // the process-wide bucket is separate
  EXPECT_EQ(limiter.take(), 0);
  EXPECT_GT(limiter.take(), 0);
}

TEST(SharedRateLimiter, WaitTellsWithoutTaking) {
  shared_rate_limiter limiter({0.001, 2});
  EXPECT_EQ(limiter.wait("a"), 0);  // never taken
  EXPECT_EQ(limiter.take("a"), 0);
  EXPECT_EQ(limiter.wait("a"), 0);  // one left
  EXPECT_EQ(limiter.wait("a"), 0);
  EXPECT_EQ(limiter.take("a"), 0);
  EXPECT_GT(limiter.wait("a"), 900);
  EXPECT_EQ(limiter.wait("b"), 0);
}

TEST(SharedRateLimiter, KeysAreBoundedAndStartAfresh) {
  shared_rate_limiter limiter({0.001, 1}, 3);
  EXPECT_EQ(limiter.take("a"), 0);
  EXPECT_GT(limiter.take("a"), 0);
  EXPECT_EQ(limiter.take("b"), 0);
  EXPECT_EQ(limiter.take("c"), 0);
  EXPECT_EQ(limiter.take("d"), 0);  // the map was full: forgotten, "a" gets a fresh burst
  EXPECT_EQ(limiter.take("a"), 0);
}

TEST(SharedRateLimiter, RetryAfterIsWholeSecondsAtLeastOne) {
  EXPECT_EQ(retry_after_seconds(0.001), 1);
  EXPECT_EQ(retry_after_seconds(1.0), 1);
  EXPECT_EQ(retry_after_seconds(1.2), 2);
}

}  // namespace
}  // namespace switchboard
