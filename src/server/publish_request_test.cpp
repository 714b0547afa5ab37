#include "server/publish_request.h"

#include "protocol/socketio/packet.h"

#include <gtest/gtest.h>

namespace switchboard::server {
namespace {

TEST(PublishRequest, RoomEventAndData) {
  publish_request r;
  std::string error;
  ASSERT_TRUE(read_publish_request(R"({"room":"lobby","event":"news","data":{"a":1}})", r, error));
  EXPECT_EQ(r.room, "lobby");
  EXPECT_EQ(r.event, "news");
  EXPECT_EQ(r.args, json::array({{{"a", 1}}}));
  ASSERT_TRUE(read_publish_request(R"({"room":null,"event":"news"})", r, error));
  EXPECT_FALSE(r.room);
  EXPECT_EQ(r.args, json::array());
}

TEST(PublishRequest, Refusals) {
  publish_request r;
  std::string error;
  EXPECT_FALSE(read_publish_request("[]", r, error));
  EXPECT_FALSE(read_publish_request(R"({"event":""})", r, error));
  EXPECT_EQ(error, "event must be a non-empty string");
  EXPECT_FALSE(read_publish_request(R"({"event":"connect"})", r, error));
  EXPECT_EQ(error, "event is a reserved Socket.IO event name");
  EXPECT_FALSE(read_publish_request(R"({"event":"e","room":""})", r, error));
  EXPECT_EQ(error, "room must be a non-empty string");
}

TEST(PublishRequest, DataNestedDeeperThanAClientMaySendIsRefused) {
  // A megabyte body of `[[[…` parsed fine, then overflowed the stack when the emit copied it.
  publish_request r;
  std::string error;
  const auto nested = [](size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_FALSE(read_publish_request(R"({"event":"e","data":)" + nested(500'000) + "}", r, error));
  EXPECT_NE(error.find("nested"), std::string::npos);
  // As deep as a client's argument may be: [event, data] within the Socket.IO limit.
  ASSERT_TRUE(read_publish_request(R"({"event":"e","data":)" + nested(protocol::socketio::max_nesting_depth - 1) + "}",
                                   r, error));
}

}  // namespace
}  // namespace switchboard::server
