#include "chat/requests.h"

#include <gtest/gtest.h>

namespace switchboard::chat {
namespace {

TEST(ChatRequests, JoinTakesARoomNameOrObject) {
  std::string room;
  EXPECT_FALSE(read_join(json::array({"lobby"}), room));
  EXPECT_EQ(room, "lobby");
  EXPECT_FALSE(read_join(json::array({{{"room", "kitchen"}}}), room));
  EXPECT_EQ(room, "kitchen");
  EXPECT_EQ(read_join(json::array(), room)->code, "bad_request");
  EXPECT_EQ(read_join(json::array({std::string(max_room_bytes + 1, 'r')}), room)->code, "bad_request");
  EXPECT_EQ(read_join(json::object(), room)->code, "bad_request");  // not an argument list
}

TEST(ChatRequests, MessageNeedsRoomAndTextAsStrings) {
  message_request m;
  EXPECT_FALSE(read_message(json::array({{{"room", "lobby"}, {"text", "hi"}}}), m));
  EXPECT_EQ(m.room, "lobby");
  EXPECT_EQ(m.text, "hi");
  EXPECT_TRUE(read_message(json::array({"lobby"}), m));
  EXPECT_TRUE(read_message(json::array({{{"room", "lobby"}, {"text", 5}}}), m));
}

TEST(ChatRequests, MessageTextIsNotEmptyAndWithinTheLimitInCodePoints) {
  EXPECT_EQ(check_message_text("", 4)->code, "bad_request");
  EXPECT_FALSE(check_message_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4));  // four é, eight bytes
  EXPECT_EQ(check_message_text("abcde", 4)->code, "too_long");
}

TEST(ChatRequests, HistoryTakesPositiveIntegers) {
  history_request q;
  EXPECT_FALSE(read_history(json::array({{{"room", "lobby"}, {"before", 10}, {"limit", nullptr}}}), q));
  EXPECT_EQ(q.before, 10u);
  EXPECT_FALSE(q.limit);
  EXPECT_TRUE(read_history(json::array({{{"room", "lobby"}, {"limit", 0}}}), q));
  EXPECT_TRUE(read_history(json::array({{{"room", "lobby"}, {"limit", 1.5}}}), q));
  EXPECT_TRUE(read_history(json::array({{{"room", "lobby"}, {"before", -3}}}), q));
}

TEST(ChatRequests, TypingAndRelayedEventsNeedAnObject) {
  std::string room;
  EXPECT_TRUE(read_typing(json::array({"lobby"}), room));
  EXPECT_FALSE(read_typing(json::array({{{"room", "lobby"}}}), room));
  EXPECT_EQ(read_relayed("summarize", json::array({"lobby"}), room)->message, "summarize needs {room, ...}");
  EXPECT_FALSE(read_relayed("summarize", json::array({{{"room", "lobby"}, {"n", 3}}}), room));
}

}  // namespace
}  // namespace switchboard::chat
