#include "base/compact_string.h"

#include <gtest/gtest.h>

namespace switchboard {
namespace {

TEST(CompactString, EmptyByDefault) {
  compact_string s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.view(), "");
}

TEST(CompactString, KeepsAnIdInline) {
  const std::string id = "ZmBvO2v8Yo9yQ7cXAAAB";  // 20 characters, as random_id makes
  compact_string s(id);
  EXPECT_EQ(s.view(), id);
  EXPECT_EQ(s, id);
  EXPECT_EQ(sizeof(compact_string), 24u);
  // Inline: the characters are inside the object.
  EXPECT_GE(s.view().data(), reinterpret_cast<const char*>(&s));
  EXPECT_LT(s.view().data(), reinterpret_cast<const char*>(&s) + sizeof s);
}

TEST(CompactString, KeepsTheLongestInlineAndLongerOnTheHeap) {
  const std::string edge(compact_string::inline_capacity, 'e');
  const std::string longer(compact_string::inline_capacity + 1, 'l');
  compact_string a(edge), b(longer);
  EXPECT_EQ(a.view(), edge);
  EXPECT_EQ(b.view(), longer);
  const std::string huge(1000, 'h');
  compact_string c(huge);
  EXPECT_EQ(c.view(), huge);
}

TEST(CompactString, CopiesAndReassigns) {
  const std::string longer(40, 'x');
  compact_string a(longer);
  compact_string b(a);
  EXPECT_EQ(b.view(), longer);
  EXPECT_NE(b.view().data(), a.view().data());  // its own copy
  b = "short";
  EXPECT_EQ(b.view(), "short");
  EXPECT_EQ(a.view(), longer);
  const compact_string& same = a;
  a = same;
  EXPECT_EQ(a.view(), longer);
  a = a.view().substr(1);  // from a view of itself
  EXPECT_EQ(a.view(), longer.substr(1));
  b = a;
  EXPECT_EQ(b.view(), longer.substr(1));
  b = "";
  EXPECT_TRUE(b.empty());
}

}  // namespace
}  // namespace switchboard
