#include "storage/presence.h"

#include <gtest/gtest.h>

namespace switchboard::storage {
namespace {

TEST(presence, a_user_counts_once_however_many_sockets) {
  presence p;
  EXPECT_TRUE(p.add("lobby", "ada"));
  EXPECT_FALSE(p.add("lobby", "ada"));  // second socket of the same user
  EXPECT_TRUE(p.add("lobby", "bob"));
  EXPECT_EQ(p.members("lobby"), (std::vector<std::string>{"ada", "bob"}));
  ASSERT_EQ(p.rooms().size(), 1u);
  EXPECT_EQ(p.rooms()[0].members, 2u);
}

TEST(presence, leave_is_reported_only_for_the_last_socket) {
  presence p;
  p.add("lobby", "ada");
  p.add("lobby", "ada");
  EXPECT_FALSE(p.remove("lobby", "ada"));
  EXPECT_EQ(p.members("lobby"), (std::vector<std::string>{"ada"}));
  EXPECT_TRUE(p.remove("lobby", "ada"));
  EXPECT_TRUE(p.members("lobby").empty());
  EXPECT_TRUE(p.rooms().empty());  // empty rooms are forgotten
}

TEST(presence, removing_what_is_not_there_changes_nothing) {
  presence p;
  EXPECT_FALSE(p.remove("nowhere", "ada"));
  p.add("a", "ada");
  EXPECT_FALSE(p.remove("a", "bob"));
  EXPECT_EQ(p.members("a").size(), 1u);
}

TEST(presence, rooms_are_sorted_by_name) {
  presence p;
  p.add("zeta", "u");
  p.add("alpha", "u");
  p.add("mid", "u");
  const auto r = p.rooms();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].room, "alpha");
  EXPECT_EQ(r[2].room, "zeta");
}

}  // namespace
}  // namespace switchboard::storage
