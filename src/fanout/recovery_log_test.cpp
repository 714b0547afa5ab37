#include "fanout/recovery_log.h"

#include <gtest/gtest.h>

namespace switchboard::fanout {
namespace {

using namespace std::chrono_literals;
using clock = recovery_log::clock;

broadcast_options_ptr to(std::vector<std::string> rooms, std::vector<std::string> except = {}) {
  auto o = std::make_shared<broadcast_options>();
  o->rooms = std::move(rooms);
  o->except = std::move(except);
  return o;
}

// Appends one packet at `now`, as the memory adapter does; returns its offset.
std::string add(recovery_log& log, broadcast_options_ptr opts, clock::time_point now) {
  auto p = std::make_shared<broadcast_packet>();
  p->position = log.next();
  const auto offset = recovery_log::offset_of(p->position);
  log.append(std::move(p), std::move(opts), now);
  return offset;
}

recovery_session session(std::string pid, std::vector<std::string> rooms) {
  return {"sid-" + pid, std::move(pid), std::move(rooms), json::object()};
}

std::vector<uint64_t> positions(const missed_packets& m) {
  std::vector<uint64_t> out;
  for (const auto& p : m) out.push_back(p->position.minor);
  return out;
}

TEST(RecoveryLog, GivesWhatTheSessionMissedAfterItsOffsetFilteredByRooms) {
  recovery_log log(60s, 100);
  const auto t = clock::now();
  const auto seen = add(log, to({}), t);  // 1: everyone, before the drop
  log.keep(session("p", {"sid-p", "a"}), t);
  add(log, to({"a"}), t);       // 2
  add(log, to({"b"}), t);       // 3: not its room
  add(log, to({}, {"a"}), t);   // 4: its room excluded
  add(log, to({"sid-p"}), t);   // 5: to the socket itself
  add(log, to({"a", "b"}), t);  // 6
  auto missed = log.take("p", seen, t + 1s);
  ASSERT_TRUE(missed);
  EXPECT_EQ(positions(*missed), (std::vector<uint64_t>{2, 5, 6}));
  EXPECT_FALSE(log.take("p", seen, t + 1s)) << "a session recovers once";
}

TEST(RecoveryLog, FindLeavesTheSessionInPlace) {
  recovery_log log(60s, 100);
  const auto t = clock::now();
  const auto seen = add(log, to({}), t);
  log.keep(session("p", {"a"}), t);
  ASSERT_TRUE(log.find("p", t));
  EXPECT_EQ(log.find("p", t)->rooms, std::vector<std::string>{"a"});
  EXPECT_TRUE(log.take("p", seen, t));
  EXPECT_FALSE(log.find("p", t));
}

TEST(RecoveryLog, SessionsExpireAfterTheWindow) {
  recovery_log log(10s, 100);
  const auto t = clock::now();
  const auto seen = add(log, to({}), t);
  log.keep(session("p", {}), t);
  EXPECT_FALSE(log.find("p", t + 11s));
  EXPECT_FALSE(log.take("p", seen, t + 11s));
  EXPECT_EQ(log.session_count(), 0u);
}

TEST(RecoveryLog, AKeptAgainSessionOutlivesItsFirstExpiry) {
  recovery_log log(10s, 100);
  const auto t = clock::now();
  log.keep(session("p", {}), t);
  log.keep(session("p", {"x"}), t + 8s);
  ASSERT_TRUE(log.find("p", t + 12s));
  EXPECT_EQ(log.find("p", t + 12s)->rooms, std::vector<std::string>{"x"});
}

TEST(RecoveryLog, RefusesWhenPacketsAfterTheOffsetWereDropped) {
  recovery_log log(60s, 3);
  const auto t = clock::now();
  const auto seen = add(log, to({}), t);  // 1
  log.keep(session("p", {}), t);
  add(log, to({}), t);  // 2: dropped by the size bound below
  add(log, to({}), t);
  add(log, to({}), t);
  add(log, to({}), t);
  EXPECT_EQ(log.packet_count(), 3u);
  EXPECT_FALSE(log.take("p", seen, t));
}

TEST(RecoveryLog, AcceptsAnOffsetWhosePacketAloneWasDropped) {
  recovery_log log(60s, 2);
  const auto t = clock::now();
  add(log, to({}), t);
  const auto seen = add(log, to({}), t);  // 2
  log.keep(session("p", {}), t);
  add(log, to({}), t);  // 3: 1 is dropped, 2 stays
  add(log, to({}), t);  // 4: 2 is dropped, but nothing after it
  auto missed = log.take("p", seen, t);
  ASSERT_TRUE(missed);
  EXPECT_EQ(positions(*missed), (std::vector<uint64_t>{3, 4}));
}

TEST(RecoveryLog, PacketsOlderThanTheWindowAreDropped) {
  recovery_log log(10s, 100);
  const auto t = clock::now();
  const auto seen = add(log, to({}), t);
  add(log, to({}), t + 1s);
  log.keep(session("p", {}), t + 5s);
  add(log, to({}), t + 12s);  // drops both earlier packets
  EXPECT_EQ(log.packet_count(), 1u);
  EXPECT_FALSE(log.take("p", seen, t + 12s));
}

TEST(RecoveryLog, RefusesOffsetsItNeverGave) {
  recovery_log log(60s, 100);
  const auto t = clock::now();
  add(log, to({}), t);
  for (const char* bad : {"", "x", "7", "1x", "-1", "99999999999999999999999"}) {
    log.keep(session("p", {}), t);
    EXPECT_FALSE(log.take("p", bad, t)) << bad;
  }
}

TEST(RecoveryLog, ReachesFollowsNodeRules) {
  EXPECT_TRUE(reaches({"a"}, *to({})));
  EXPECT_TRUE(reaches({"a", "b"}, *to({"b"})));
  EXPECT_FALSE(reaches({"a"}, *to({"b"})));
  EXPECT_FALSE(reaches({"a", "b"}, *to({"a"}, {"b"})));
  EXPECT_TRUE(is_recoverable_reason("ping timeout"));
  EXPECT_TRUE(is_recoverable_reason("transport close"));
  EXPECT_FALSE(is_recoverable_reason("client namespace disconnect"));
  EXPECT_FALSE(is_recoverable_reason("parse error"));
}

}  // namespace
}  // namespace switchboard::fanout
