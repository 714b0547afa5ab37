#include "fanout/room_index.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace switchboard::fanout;

namespace {

struct fake_member final : member {
  explicit fake_member(std::string n) : name(std::move(n)) {}
  void deliver(const broadcast_packet&, bool) override { ++delivered; }
  void deliver_with_ack(const broadcast_packet&, uint64_t, std::function<void(switchboard::json)>) override {
    ++delivered;
  }
  std::string name;
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
  EXPECT_EQ(a.rooms(), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(idx.room_count(), 2u);
  idx.leave(a, "r1");
  EXPECT_EQ(idx.room_count(), 1u);  // empty rooms disappear
  EXPECT_EQ(a.rooms(), (std::vector<std::string>{"r2"}));
  idx.remove_member(b);
  EXPECT_EQ(idx.member_count(), 1u);
  EXPECT_EQ(idx.room_members("r2")->size(), 1u);
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
