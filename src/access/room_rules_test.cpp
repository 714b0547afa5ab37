#include "access/room_rules.h"

#include <gtest/gtest.h>

namespace switchboard::access {
namespace {

TEST(RoomRules, FirstMatchWinsAndTheDefaultsCoverTheRest) {
  room_rule team{"team-*", join_rule::token};
  room_rule lobby{"lobby", join_rule::anyone, history_rule::anyone};
  room_rule all{"*", join_rule::nobody};
  const room_rules rules({team, lobby, all});
  EXPECT_EQ(rules.for_room("team-red").join, join_rule::token);
  EXPECT_EQ(rules.for_room("team-").join, join_rule::token);
  EXPECT_EQ(rules.for_room("lobby").history, history_rule::anyone);
  EXPECT_EQ(rules.for_room("lobby2").join, join_rule::nobody);
  const room_rules none;
  const auto& d = none.for_room("x");
  EXPECT_EQ(d.join, join_rule::anyone);
  EXPECT_EQ(d.history, history_rule::members);
  EXPECT_EQ(d.send, send_rule::members);
  EXPECT_TRUE(d.presence);
  EXPECT_EQ(d.max_members, 0u);
}

TEST(RoomRules, PatternsAreExactOrAPrefixWithAFinalStar) {
  EXPECT_TRUE(room_matches("a", "a"));
  EXPECT_FALSE(room_matches("a", "ab"));
  EXPECT_TRUE(room_matches("a*", "ab"));
  EXPECT_TRUE(room_matches("*", "anything"));
  EXPECT_FALSE(room_matches("b*", "ab"));
  EXPECT_TRUE(valid_room_pattern("team-*"));
  EXPECT_FALSE(valid_room_pattern("te*am"));
  EXPECT_FALSE(valid_room_pattern(""));
  EXPECT_FALSE(valid_room_pattern(std::string(65, 'r')));
}

TEST(RoomRules, ATokenGrantsTheRoomsItsPatternsMatch) {
  EXPECT_TRUE(room_rules::granted({"team-red", "ops-*"}, "ops-1"));
  EXPECT_TRUE(room_rules::granted({"team-red"}, "team-red"));
  EXPECT_FALSE(room_rules::granted({"team-red"}, "team-blue"));
  EXPECT_FALSE(room_rules::granted({"te*m"}, "team"));  // not a pattern
  EXPECT_FALSE(room_rules::granted({}, "team-red"));
}

TEST(RoomRules, ValuesParse) {
  EXPECT_EQ(parse_join_rule("token"), join_rule::token);
  EXPECT_EQ(parse_join_rule("nobody"), join_rule::nobody);
  EXPECT_FALSE(parse_join_rule("everyone"));
  EXPECT_EQ(parse_history_rule("anyone"), history_rule::anyone);
  EXPECT_FALSE(parse_history_rule("all"));
  EXPECT_EQ(parse_send_rule("nobody"), send_rule::nobody);
  EXPECT_FALSE(parse_send_rule("anyone"));
}

}  // namespace
}  // namespace switchboard::access
