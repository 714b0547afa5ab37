#include "http/url.h"

#include <gtest/gtest.h>

using namespace switchboard::http;

TEST(Url, SplitsPathAndQuery) {
  target t;
  ASSERT_TRUE(parse_target("/socket.io/?EIO=4&transport=polling&t=N8hyd6w", t));
  EXPECT_EQ(t.path, "/socket.io/");
  ASSERT_NE(t.param("EIO"), nullptr);
  EXPECT_EQ(*t.param("EIO"), "4");
  EXPECT_EQ(*t.param("transport"), "polling");
  EXPECT_EQ(t.param("sid"), nullptr);
}

TEST(Url, DecodesEscapes) {
  target t;
  ASSERT_TRUE(parse_target("/a%20b?name=J%C3%BCrgen+X&empty=&flag", t));
  EXPECT_EQ(t.path, "/a b");
  EXPECT_EQ(*t.param("name"), "J\xC3\xBCrgen X");
  EXPECT_EQ(*t.param("empty"), "");
  EXPECT_EQ(*t.param("flag"), "");
}

TEST(Url, RejectsBadEscapes) {
  target t;
  EXPECT_FALSE(parse_target("/a%2", t));
  EXPECT_FALSE(parse_target("/a?x=%zz", t));
  EXPECT_FALSE(parse_target("/a?x=%", t));
}

TEST(Url, FirstParameterWins) {
  target t;
  ASSERT_TRUE(parse_target("/?sid=a&sid=b", t));
  EXPECT_EQ(*t.param("sid"), "a");
}
