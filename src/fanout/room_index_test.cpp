#include "fanout/room_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

using namespace switchboard::fanout;

namespace {

struct fake_member final : member {
  explicit fake_member(std::string n, bool with_own_room = false) : name(std::move(n)), own(with_own_room) {}
  std::string_view own_room() const override { return own ? std::string_view(name) : std::string_view(); }
  void deliver(const broadcast_packet&, bool) override { ++delivered; }
  void deliver_with_ack(const broadcast_packet&, uint64_t, std::function<void(switchboard::json)>) override {
    ++delivered;
  }
  std::string name;
  bool own;
  int delivered = 0;
};

std::vector<std::string> selected(const room_index& idx, const broadcast_options& opts) {
  std::vector<std::string> out;
  idx.for_each(opts, [&](member& m) { out.push_back(static_cast<fake_member&>(m).name); });
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(RoomIndex, IndexesBothWays) {
  room_index idx;
  fake_member a("a"), b("b");
  idx.add_member(a);
  idx.add_member(b);
  idx.join(a, "r1");
  idx.join(a, "r2");
  idx.join(a, "r2");  // twice is once
  idx.join(b, "r2");
  EXPECT_EQ(a.joined_rooms(), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(idx.room_count(), 2u);
  idx.leave(a, "r1");
  EXPECT_EQ(idx.room_count(), 1u);  // empty rooms disappear
  EXPECT_EQ(a.joined_rooms(), (std::vector<std::string>{"r2"}));
  idx.remove_member(b);
  EXPECT_EQ(idx.member_count(), 1u);
  EXPECT_EQ(idx.room_size("r2"), 1u);
}

TEST(RoomIndex, SelectsByRoomsAndExcept) {
  room_index idx;
  fake_member a("a"), b("b"), c("c");
  for (auto* m : {&a, &b, &c}) {
    idx.add_member(*m);
    idx.join(*m, m->name);  // each in its own room, as sockets are
  }
  idx.join(a, "chat");
  idx.join(b, "chat");
  idx.join(b, "news");
  idx.join(c, "news");
  EXPECT_EQ(selected(idx, {}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(selected(idx, {{"chat"}, {}, false, false}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(selected(idx, {{"chat", "news"}, {}, false, false}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(selected(idx, {{"chat"}, {"a"}, false, false}), (std::vector<std::string>{"b"}));
  EXPECT_EQ(selected(idx, {{}, {"news"}, false, false}), (std::vector<std::string>{"a"}));
  EXPECT_EQ(selected(idx, {{"nobody"}, {}, false, false}), std::vector<std::string>{});
}

TEST(RoomIndex, DeliversOncePerMember) {
  room_index idx;
  fake_member a("a");
  idx.add_member(a);
  idx.join(a, "x");
  idx.join(a, "y");
  idx.deliver(broadcast_packet{}, {{"x", "y"}, {}, false, false});
  EXPECT_EQ(a.delivered, 1);
}

TEST(RoomIndex, BigRoomsOutgrowTheInlineSetAndShrinkAgain) {
  room_index idx;
  std::vector<std::unique_ptr<fake_member>> ms;
  const size_t n = member_set::inline_limit * 3;
  for (size_t i = 0; i < n; ++i) {
    ms.push_back(std::make_unique<fake_member>("m" + std::to_string(i)));
    idx.add_member(*ms.back());
    idx.join(*ms.back(), "big");
    idx.join(*ms.back(), "big");  // twice is once, in the inline set and in the hash set
  }
  EXPECT_EQ(idx.room_size("big"), n);
  idx.deliver(broadcast_packet{}, {{"big"}, {}, false, false});
  for (const auto& m : ms) EXPECT_EQ(m->delivered, 1) << m->name;
  // Members leave from the middle: each is gone once, the others stay reachable.
  for (size_t i = 0; i < n; i += 2) idx.remove_member(*ms[i]);
  EXPECT_EQ(idx.member_count(), n / 2);
  EXPECT_EQ(idx.room_size("big"), n / 2);
  EXPECT_EQ(selected(idx, {}).size(), n / 2);
  idx.deliver(broadcast_packet{}, {{}, {}, false, false});
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(ms[i]->delivered, i % 2 ? 2 : 1) << ms[i]->name;
  for (size_t i = 1; i < n; i += 2) idx.remove_member(*ms[i]);
  EXPECT_FALSE(idx.has_room("big"));  // empty rooms disappear
  EXPECT_EQ(idx.member_count(), 0u);
}

TEST(RoomIndex, RemovingTwiceOrAddingTwiceIsHarmless) {
  room_index idx;
  fake_member a("a"), b("b");
  idx.add_member(a);
  idx.add_member(a);
  idx.add_member(b);
  EXPECT_EQ(idx.member_count(), 2u);
  idx.remove_member(a);
  idx.remove_member(a);
  EXPECT_EQ(idx.member_count(), 1u);
  EXPECT_EQ(selected(idx, {}), std::vector<std::string>{"b"});
}

TEST(MemberSet, InsertEraseAcrossTheInlineLimit) {
  member_set s;
  std::vector<fake_member> ms;
  ms.reserve(40);
  for (int i = 0; i < 40; ++i) ms.emplace_back("m" + std::to_string(i));
  for (auto& m : ms) EXPECT_TRUE(s.insert(&m));
  for (auto& m : ms) EXPECT_FALSE(s.insert(&m));
  EXPECT_EQ(s.size(), 40u);
  EXPECT_FALSE(s.erase(nullptr));
  for (auto& m : ms) EXPECT_TRUE(s.erase(&m));
  EXPECT_TRUE(s.empty());
  member_set few;
  EXPECT_TRUE(few.insert(&ms[0]));
  EXPECT_TRUE(few.insert(&ms[1]));
  EXPECT_FALSE(few.erase(&ms[2]));
  EXPECT_TRUE(few.erase(&ms[0]));
  size_t seen = 0;
  few.for_each([&](member* m) {
    EXPECT_EQ(m, &ms[1]);
    ++seen;
  });
  EXPECT_EQ(seen, 1u);
}

TEST(RoomIndex, OwnRoomsLiveApartAndMixWithJoinedOnes) {
  room_index idx;
  fake_member a("a", true), b("b", true);
  idx.add_member(a);
  idx.add_member(b);
  idx.join(a, "a");
  idx.join(b, "b");
  idx.join(a, "a");  // twice is once
  EXPECT_TRUE(a.in_own_room());
  EXPECT_TRUE(a.joined_rooms().empty());
  EXPECT_EQ(idx.room_size("a"), 1u);
  EXPECT_EQ(selected(idx, broadcast_options{{"a"}, {}}), (std::vector<std::string>{"a"}));
  EXPECT_EQ(selected(idx, broadcast_options{{}, {"a"}}), (std::vector<std::string>{"b"}));
  EXPECT_EQ(selected(idx, broadcast_options{{"a", "b"}, {}}), (std::vector<std::string>{"a", "b"}));

  idx.join(b, "a");  // another socket's id joined as a room: both members, each once
  EXPECT_EQ(b.joined_rooms(), (std::vector<std::string>{"a"}));
  EXPECT_EQ(idx.room_size("a"), 2u);
  EXPECT_EQ(selected(idx, broadcast_options{{"a"}, {}}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(selected(idx, broadcast_options{{"a", "b"}, {}}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(selected(idx, broadcast_options{{}, {"a"}}), (std::vector<std::string>{}));
  std::vector<std::string> rooms;
  idx.for_each_room([&](const std::string& r) { rooms.push_back(r); });
  std::sort(rooms.begin(), rooms.end());
  EXPECT_EQ(rooms, (std::vector<std::string>{"a", "b"}));  // "a" once
  EXPECT_EQ(idx.room_count(), 3u);                         // the joined "a", and the own "a" and "b"

  idx.leave(a, "a");  // a socket may leave its own room
  EXPECT_FALSE(a.in_own_room());
  EXPECT_EQ(selected(idx, broadcast_options{{"a"}, {}}), (std::vector<std::string>{"b"}));
  idx.remove_member(b);
  EXPECT_FALSE(b.in_own_room());
  EXPECT_FALSE(idx.has_room("a"));
  EXPECT_FALSE(idx.has_room("b"));
  EXPECT_EQ(idx.room_count(), 0u);
}
