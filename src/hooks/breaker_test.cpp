#include "hooks/breaker.h"

#include <gtest/gtest.h>

namespace switchboard::hooks {
namespace {

using namespace std::chrono_literals;
using clock = breaker::clock;

TEST(breaker, opens_after_failures_in_a_row_and_not_before) {
  breaker b(3, 1000ms);
  const auto t = clock::now();
  EXPECT_FALSE(b.failed(t));
  EXPECT_FALSE(b.failed(t));
  EXPECT_FALSE(b.succeeded());  // a success in between starts the count again
  EXPECT_FALSE(b.failed(t));
  EXPECT_FALSE(b.failed(t));
  EXPECT_TRUE(b.allow(t));
  EXPECT_TRUE(b.failed(t));
  EXPECT_EQ(b.current(), breaker::state::open);
  EXPECT_FALSE(b.allow(t + 999ms));
}

TEST(breaker, lets_one_request_through_after_the_pause_and_its_outcome_decides) {
  breaker b(1, 1000ms);
  const auto t = clock::now();
  ASSERT_TRUE(b.failed(t));
  EXPECT_TRUE(b.allow(t + 1000ms));
  EXPECT_FALSE(b.allow(t + 1001ms)) << "only one trial while half open";
  EXPECT_TRUE(b.failed(t + 1002ms)) << "the trial failed: open again";
  EXPECT_FALSE(b.allow(t + 1500ms));
  EXPECT_TRUE(b.allow(t + 2002ms));
  EXPECT_TRUE(b.succeeded());
  EXPECT_EQ(b.current(), breaker::state::closed);
  EXPECT_TRUE(b.allow(t + 2003ms));
  EXPECT_TRUE(b.allow(t + 2003ms));
}

TEST(breaker, late_failures_of_requests_sent_before_it_opened_do_not_extend_the_pause) {
  breaker b(1, 1000ms);
  const auto t = clock::now();
  ASSERT_TRUE(b.failed(t));
  EXPECT_FALSE(b.failed(t + 900ms));
  EXPECT_TRUE(b.allow(t + 1000ms));
}

}  // namespace
}  // namespace switchboard::hooks
