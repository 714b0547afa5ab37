#include "fanout/member_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

namespace switchboard::fanout {
namespace {

std::vector<member*> members_of(const member_set& s) {
  std::vector<member*> out;
  s.for_each([&](member* m) { out.push_back(m); });
  std::sort(out.begin(), out.end());
  return out;
}

// Members are only compared by address here: fake ones will do.
member* fake(size_t i) { return reinterpret_cast<member*>(0x1000 + 16 * i); }

TEST(member_set, one_then_a_few_then_many_and_back) {
  member_set s;
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.insert(fake(0)));
  EXPECT_FALSE(s.insert(fake(0)));
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(members_of(s), std::vector<member*>{fake(0)});
  EXPECT_TRUE(s.insert(fake(1)));
  EXPECT_FALSE(s.insert(fake(0))) << "the inline member moved to the vector, still in";
  EXPECT_EQ(s.size(), 2u);
  for (size_t i = 2; i < member_set::inline_limit + 5; ++i) EXPECT_TRUE(s.insert(fake(i)));
  EXPECT_EQ(s.size(), member_set::inline_limit + 5);
  for (size_t i = 0; i < member_set::inline_limit + 5; ++i) EXPECT_TRUE(s.erase(fake(i)));
  EXPECT_TRUE(s.empty());
  EXPECT_FALSE(s.erase(fake(0)));
}

TEST(member_set, erasing_the_inline_member_leaves_it_empty_and_reusable) {
  member_set s;
  ASSERT_TRUE(s.insert(fake(7)));
  EXPECT_FALSE(s.erase(fake(8)));
  EXPECT_TRUE(s.erase(fake(7)));
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(members_of(s).empty());
  EXPECT_TRUE(s.insert(fake(8)));
  EXPECT_EQ(members_of(s), std::vector<member*>{fake(8)});
}

}  // namespace
}  // namespace switchboard::fanout
