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

TEST(PublishRequest, ArraysAndIdempotencyKeys) {
  std::vector<publish_request> batch;
  bool array = false;
  std::string error;
  ASSERT_TRUE(
      read_publish_requests(R"([{"event":"a","idempotency_key":"k1"},{"event":"b","room":"r"}])", batch, array, error))
      << error;
  EXPECT_TRUE(array);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].idempotency_key, "k1");
  EXPECT_FALSE(batch[1].idempotency_key);
  ASSERT_TRUE(read_publish_requests(R"({"event":"a"})", batch, array, error));
  EXPECT_FALSE(array);
  EXPECT_EQ(batch.size(), 1u);
  EXPECT_FALSE(read_publish_requests("[]", batch, array, error));
  EXPECT_FALSE(read_publish_requests(R"([{"event":"a"},{"event":""}])", batch, array, error));
  EXPECT_EQ(error, "request 1: event must be a non-empty string");
  EXPECT_TRUE(batch.empty()) << "nothing of a refused batch is kept";
  EXPECT_FALSE(read_publish_requests(R"({"event":"a","idempotency_key":""})", batch, array, error));
  EXPECT_TRUE(batch.empty()) << "nor of a refused single request";
  std::string many = "[";
  for (size_t i = 0; i <= max_publish_batch; ++i) many += std::string(i ? "," : "") + R"({"event":"e"})";
  EXPECT_FALSE(read_publish_requests(many + "]", batch, array, error));
  EXPECT_NE(error.find("1000"), std::string::npos) << error;
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
