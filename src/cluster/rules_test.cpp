#include "cluster/bridge.h"
#include "cluster/relay.h"
#include "protocol/socketio/packet.h"

#include <gtest/gtest.h>

namespace switchboard::cluster {
namespace {

TEST(BridgeRule, ParsesChannelAndEvent) {
  bridge_rule r;
  std::string error;
  ASSERT_TRUE(parse_bridge_rule("chat_messages=message", r, error));
  EXPECT_EQ(r.channel, "chat_messages");
  EXPECT_EQ(r.event, "message");
}

TEST(BridgeRule, RefusesMissingPartsAndReservedEvents) {
  bridge_rule r;
  std::string error;
  EXPECT_FALSE(parse_bridge_rule("chat_messages", r, error));
  EXPECT_NE(error.find("CHANNEL=EVENT"), std::string::npos);
  EXPECT_FALSE(parse_bridge_rule("=message", r, error));
  EXPECT_FALSE(parse_bridge_rule("chat=", r, error));
  EXPECT_FALSE(parse_bridge_rule("chat=disconnect", r, error));
  EXPECT_NE(error.find("reserved"), std::string::npos);
}

TEST(BridgeArgument, JsonOrPlainText) {
  EXPECT_EQ(bridge_argument(R"({"text":"hi"})"), json({{"text", "hi"}}));
  EXPECT_EQ(bridge_argument("42"), json(42));
  EXPECT_EQ(bridge_argument("hello there"), json("hello there"));
  EXPECT_EQ(bridge_argument(""), json(""));
  // Invalid UTF-8 becomes U+FFFD, so the packet can always be encoded.
  const json bad =
      bridge_argument(std::string("a\xff"
                                  "b"));
  ASSERT_TRUE(bad.is_string());
  EXPECT_EQ(bad.get<std::string>(),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_NO_THROW((void)bad.dump());
}

TEST(BridgeArgument, TooDeepJsonIsText) {
  // Parsed, a megabyte of `[[[…` overflowed the stack when the emit copied and encoded it.
  const std::string deep = std::string(500'000, '[') + std::string(500'000, ']');
  EXPECT_TRUE(bridge_argument(deep).is_string());
  const std::string ok = std::string(protocol::socketio::max_nesting_depth - 1, '[') +
                         std::string(protocol::socketio::max_nesting_depth - 1, ']');
  EXPECT_TRUE(bridge_argument(ok).is_array());
}

TEST(RelayRule, ChannelAndStreamForms) {
  relay_rule r;
  std::string error;
  ASSERT_TRUE(parse_relay_rule("summarize=jobs", r, error));
  EXPECT_EQ(r.event, "summarize");
  EXPECT_EQ(r.target, "jobs");
  EXPECT_FALSE(r.stream);
  ASSERT_TRUE(parse_relay_rule("summarize=stream:jobs", r, error));
  EXPECT_EQ(r.target, "jobs");
  EXPECT_TRUE(r.stream);
}

TEST(RelayRule, RefusesBadForms) {
  relay_rule r;
  std::string error;
  EXPECT_FALSE(parse_relay_rule("summarize", r, error));
  EXPECT_FALSE(parse_relay_rule("summarize=", r, error));
  EXPECT_FALSE(parse_relay_rule("=jobs", r, error));
  EXPECT_FALSE(parse_relay_rule("summarize=stream:", r, error));
  EXPECT_NE(error.find("stream name"), std::string::npos);
  EXPECT_FALSE(parse_relay_rule("connect=jobs", r, error));
}

}  // namespace
}  // namespace switchboard::cluster
