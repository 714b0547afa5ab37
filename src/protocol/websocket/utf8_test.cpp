#include "protocol/websocket/utf8.h"

#include <gtest/gtest.h>

#include <string>

using switchboard::protocol::websocket::is_valid_utf8;

namespace {

// UTF-8 bytes of a code point (no validity checks: used to build overlong-free test input).
std::string utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

}  // namespace

TEST(Utf8, AcceptsAsciiAndEmpty) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("hello"));
  EXPECT_TRUE(is_valid_utf8(std::string_view("\0\x7f", 2)));
  EXPECT_TRUE(is_valid_utf8(std::string(1000, 'a')));
}

TEST(Utf8, AcceptsMultiByteSequences) {
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9"));                   // é
  EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac"));                  // €
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));              // 😀
  EXPECT_TRUE(is_valid_utf8("\xce\xba\xe1\xbd\xb9\xcf\x83"));  // κόσ
  EXPECT_TRUE(
      is_valid_utf8("a\xc3\xa9"
                    "b\xe2\x82\xac"
                    "c\xf0\x9f\x98\x80"
                    "d"));
}

TEST(Utf8, AcceptsBoundaryCodePoints) {
  for (char32_t cp : {0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF}) {
    EXPECT_TRUE(is_valid_utf8(utf8(cp))) << std::hex << static_cast<uint32_t>(cp);
    EXPECT_TRUE(is_valid_utf8("12345678" + utf8(cp) + "12345678")) << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(Utf8, RejectsOverlongEncodings) {
  EXPECT_FALSE(is_valid_utf8("\xc0\x80"));                  // U+0000 in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                  // '/' in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xc1\xbf"));                  // U+007F in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\x80"));              // U+0000 in 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xe0\x9f\xbf"));              // U+07FF in 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xf0\x80\x80\x80"));          // U+0000 in 4 bytes
  EXPECT_FALSE(is_valid_utf8("\xf0\x8f\xbf\xbf"));          // U+FFFF in 4 bytes
  EXPECT_FALSE(is_valid_utf8("\xf8\x88\x80\x80\x80"));      // 5-byte form
  EXPECT_FALSE(is_valid_utf8("\xfc\x84\x80\x80\x80\x80"));  // 6-byte form
}

TEST(Utf8, RejectsSurrogates) {
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));              // U+D800
  EXPECT_FALSE(is_valid_utf8("\xed\xad\xbf"));              // U+DB7F
  EXPECT_FALSE(is_valid_utf8("\xed\xb0\x80"));              // U+DC00
  EXPECT_FALSE(is_valid_utf8("\xed\xbf\xbf"));              // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\xbd\xed\xb8\x80"));  // CESU-8 pair for U+1F600
  EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));               // U+D7FF, just below
}

TEST(Utf8, RejectsAboveU10FFFF) {
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xf4\xbf\xbf\xbf"));
  EXPECT_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xf7\xbf\xbf\xbf"));
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(Utf8, RejectsBytesThatNeverAppear) {
  for (int b : {0xC0, 0xC1, 0xF5, 0xF6, 0xF7, 0xF8, 0xFB, 0xFC, 0xFE, 0xFF}) {
    EXPECT_FALSE(is_valid_utf8(std::string(1, static_cast<char>(b)) + "\x80\x80\x80")) << b;
  }
}

TEST(Utf8, RejectsStrayContinuationBytes) {
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("a\xbf"));
  EXPECT_FALSE(is_valid_utf8("\xc3\xa9\xa9"));  // one continuation too many
  EXPECT_FALSE(is_valid_utf8("\xe2\x82\xac\x80"));
}

TEST(Utf8, RejectsTruncatedSequences) {
  for (const std::string& full : {utf8(0xE9), utf8(0x20AC), utf8(0x1F600), utf8(0x10FFFF)}) {
    for (size_t n = 1; n < full.size(); ++n) {
      const auto cut = full.substr(0, n);
      EXPECT_FALSE(is_valid_utf8(cut)) << "prefix " << n << " of " << full.size();
      EXPECT_FALSE(is_valid_utf8("abc" + cut)) << "prefix " << n << " at the end";
      EXPECT_FALSE(is_valid_utf8(cut + "abcdefghij")) << "prefix " << n << " before ASCII";
      EXPECT_FALSE(is_valid_utf8(cut + utf8(0x20AC))) << "prefix " << n << " before a lead byte";
    }
  }
}

TEST(Utf8, InvalidByteFoundAtEveryPositionPastTheAsciiFastPath) {
  for (size_t len = 1; len <= 40; ++len) {
    for (size_t pos = 0; pos < len; ++pos) {
      std::string s(len, 'x');
      s[pos] = '\xff';
      EXPECT_FALSE(is_valid_utf8(s)) << "len " << len << " pos " << pos;
      s[pos] = 'y';
      EXPECT_TRUE(is_valid_utf8(s));
    }
  }
}

TEST(Utf8, FourThousandEmoji) {
  std::string s;
  for (int i = 0; i < 4000; ++i) s += "\xf0\x9f\x98\x80";
  ASSERT_EQ(s.size(), 16000u);
  EXPECT_TRUE(is_valid_utf8(s));

  auto truncated = s.substr(0, s.size() - 1);
  EXPECT_FALSE(is_valid_utf8(truncated));

  auto corrupted = s;
  corrupted[8001] = 'A';  // second byte of the 2001st emoji
  EXPECT_FALSE(is_valid_utf8(corrupted));

  auto mixed = s;
  mixed.insert(8000, "plain ascii text");
  EXPECT_TRUE(is_valid_utf8(mixed));
}
