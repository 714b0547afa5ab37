#include "base/base64.h"

#include <gtest/gtest.h>

using switchboard::base64_decode;
using switchboard::base64_encode;

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(base64_encode(std::string("\x01\x02\x03\x04", 4)), "AQIDBA==");
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_encode(""), "");
}

TEST(Base64, DecodesRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n < all.size(); n += 17) {
    auto s = all.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
}

TEST(Base64, RejectsMalformed) {
  EXPECT_FALSE(base64_decode("AQI"));        // length not a multiple of 4
  EXPECT_FALSE(base64_decode("AQ=D"));       // padding in the middle
  EXPECT_FALSE(base64_decode(" AQIDBA=="));  // whitespace
  EXPECT_FALSE(base64_decode("AQ!DBA=="));   // outside the alphabet
}

TEST(Base64Url, DecodesTheUrlAlphabetWithoutPadding) {
  EXPECT_EQ(switchboard::base64url_decode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_EQ(switchboard::base64url_decode("YWI"), "ab");
  EXPECT_EQ(switchboard::base64url_decode(""), "");
  EXPECT_FALSE(switchboard::base64url_decode("YWI="));  // padding
  EXPECT_FALSE(switchboard::base64url_decode("+/8"));   // the standard alphabet
  EXPECT_FALSE(switchboard::base64url_decode("Y"));     // no whole byte
  EXPECT_FALSE(switchboard::base64url_decode("Y.I"));
}
