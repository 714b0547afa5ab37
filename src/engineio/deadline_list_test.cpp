#include "engineio/deadline_list.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

using namespace switchboard::engineio;
using namespace std::chrono_literals;

namespace {

struct entry : deadline_list::hook {
  explicit entry(int i) : id(i) {}
  int id;
};

struct fixture {
  boost::asio::io_context ctx;
  std::vector<int> fired;
  std::vector<std::chrono::steady_clock::time_point> at;
  std::function<void(entry&)> on_fire;
  deadline_list list{ctx, 20ms, [this](deadline_list::hook& h) {
                       auto& e = static_cast<entry&>(h);
                       fired.push_back(e.id);
                       at.push_back(std::chrono::steady_clock::now());
                       if (on_fire) on_fire(e);
                     }};
};

}  // namespace

TEST(DeadlineList, FiresEachEntryAtItsOwnDeadlineInOrder) {
  fixture f;
  entry a(1), b(2);
  const auto start = std::chrono::steady_clock::now();
  f.list.arm(a);
  std::this_thread::sleep_for(10ms);
  f.list.arm(b);
  f.ctx.run();  // returns once every deadline has fired or gone
  ASSERT_EQ(f.fired, (std::vector<int>{1, 2}));
  EXPECT_GE(f.at[0] - start, 20ms);
  EXPECT_GE(f.at[1] - start, 30ms);
  EXPECT_FALSE(a.linked());
  EXPECT_FALSE(b.linked());
}

TEST(DeadlineList, ReArmingMovesToTheBackAndUnlinkCancels) {
  fixture f;
  entry a(1), b(2), c(3);
  f.list.arm(a);
  f.list.arm(b);
  f.list.arm(c);
  f.list.arm(a);  // now last
  b.unlink();     // cancelled
  f.ctx.run();    // returns once every deadline has fired or gone
  EXPECT_EQ(f.fired, (std::vector<int>{3, 1}));
}

TEST(DeadlineList, AnEntryReArmedWhileFiringWaitsForItsNextDeadline) {
  fixture f;
  entry a(1);
  int rounds = 0;
  f.on_fire = [&](entry& e) {
    if (++rounds < 3) f.list.arm(e);
  };
  const auto start = std::chrono::steady_clock::now();
  f.list.arm(a);
  f.ctx.run();  // returns once every deadline has fired or gone
  ASSERT_EQ(f.fired, (std::vector<int>{1, 1, 1}));
  EXPECT_GE(f.at[2] - start, 60ms);
}

TEST(DeadlineList, AZeroDurationDoesNotSpin) {
  boost::asio::io_context ctx;
  int fired = 0;
  deadline_list* self = nullptr;
  deadline_list list(ctx, 0ms, [&](deadline_list::hook& h) {
    if (++fired < 5) self->arm(h);  // each time for "now" again
  });
  self = &list;
  entry a(1);
  list.arm(a);
  ctx.run();
  EXPECT_EQ(fired, 5);
}

TEST(DeadlineList, FiringMayDestroyOtherEntries) {
  fixture f;
  auto a = std::make_unique<entry>(1);
  auto b = std::make_unique<entry>(2);
  f.list.arm(*a);
  f.list.arm(*b);
  f.on_fire = [&](entry& e) {
    if (e.id == 1) b.reset();  // unlinks itself, even from the batch being fired
  };
  std::this_thread::sleep_for(30ms);  // both expired by the time the timer runs
  f.ctx.run();                        // returns once every deadline has fired or gone
  EXPECT_EQ(f.fired, (std::vector<int>{1}));
}

TEST(DeadlineList, EntriesMayOutliveTheList) {
  entry a(1);
  {
    boost::asio::io_context ctx;
    deadline_list list(ctx, 20ms, [](deadline_list::hook&) {});
    list.arm(a);
    EXPECT_TRUE(a.linked());
  }
  EXPECT_FALSE(a.linked());
}
