#include "access/names.h"

#include <gtest/gtest.h>

namespace switchboard::access {
namespace {

TEST(Names, ADisplayNameIsTrimmedAndBounded) {
  EXPECT_EQ(display_name("  ada \t"), "ada");
  EXPECT_EQ(display_name(std::string(32, 'x')), std::string(32, 'x'));
  EXPECT_EQ(display_name("😀😀😀"), "😀😀😀");  // code points, not bytes
  EXPECT_EQ(display_name("José Ñandú 李"), "José Ñandú 李");
  EXPECT_FALSE(display_name(std::string(33, 'x')));
  EXPECT_FALSE(display_name("   "));
  EXPECT_FALSE(display_name(""));
}

TEST(Names, ControlAndFormatCharactersAreRefused) {
  for (const std::string& bad : {
           std::string("a\0b", 3),                    // NUL (Cc)
           std::string("a\x1b[31mb"),                 // an escape sequence (Cc)
           std::string("a\tb"),                       // a tab inside (Cc)
           std::string("a\xc2\x85") + "b",            // NEL (Cc, C1)
           std::string("admin\xe2\x80\xae") + "txt",  // RIGHT-TO-LEFT OVERRIDE (Cf)
           std::string("a\xe2\x80\x8b") + "b",        // ZERO WIDTH SPACE (Cf)
           std::string("a\xe2\x80\x8d") + "b",        // ZERO WIDTH JOINER (Cf)
           std::string("\xef\xbb\xbf") + "ada",       // BOM (Cf)
           std::string("a\xe2\x80\xa8") + "b",        // LINE SEPARATOR (Zl)
           std::string("a\xe2\x80\xa9") + "b",        // PARAGRAPH SEPARATOR (Zp)
           std::string("a\xc2\xad") + "b",            // SOFT HYPHEN (Cf)
           std::string("a\xf3\xa0\x80\x81") + "b",    // LANGUAGE TAG (Cf, plane 14)
           std::string("a\xff") + "b",                // not UTF-8
           std::string("\xc0\x80"),                   // overlong NUL
       }) {
    EXPECT_FALSE(display_name(bad)) << bad;
    EXPECT_FALSE(valid_user_id(bad)) << bad;
  }
}

TEST(Names, UserIdsMayBeLongerThanNames) {
  EXPECT_TRUE(valid_user_id(std::string(128, 'u')));
  EXPECT_FALSE(valid_user_id(std::string(129, 'u')));
  EXPECT_TRUE(valid_user_id("auth0|5f7c8ec7c33c6c004bbafe82"));
  EXPECT_FALSE(valid_user_id(""));
}

TEST(Names, UserRoomsAndSocketIdsAreReserved) {
  EXPECT_TRUE(reserved_room("user:ada"));
  EXPECT_TRUE(reserved_room("user:"));
  EXPECT_TRUE(reserved_room("AbCdEfGhIjKlMnOp-_09"));  // a socket id's shape
  EXPECT_FALSE(reserved_room("AbCdEfGhIjKlMnOp-_0"));  // 19
  EXPECT_FALSE(reserved_room("AbCdEfGhIjKlMnOp-_0.9"));
  EXPECT_FALSE(reserved_room("lobby"));
  EXPECT_FALSE(reserved_room("users"));
  EXPECT_FALSE(reserved_room("team: user:x"));
}

TEST(Names, CountsCodePoints) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("é😀"), 2u);
}

}  // namespace
}  // namespace switchboard::access
