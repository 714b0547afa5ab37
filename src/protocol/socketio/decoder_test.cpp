#include "protocol/socketio/decoder.h"

#include <gtest/gtest.h>

#include <string>

namespace sio = switchboard::protocol::socketio;
using switchboard::json;
using result = sio::decoder::result;

namespace {

std::string bytes_of(const json& v) {
  const auto& b = v.get_binary();
  return std::string(b.begin(), b.end());
}

}  // namespace

TEST(SocketIoDecoder, PlainTextPacketIsImmediate) {
  sio::decoder d{1 << 20};
  ASSERT_EQ(d.add_text(R"(2/chat,7["msg","hi"])"), result::packet);
  const auto p = d.take();
  EXPECT_EQ(p.type, sio::packet_type::event);
  EXPECT_EQ(p.nsp, "/chat");
  EXPECT_EQ(p.id, 7u);
  EXPECT_EQ(*p.data, json::array({"msg", "hi"}));
}

TEST(SocketIoDecoder, AttachmentsMayHoldNoMoreThanTheLimit) {
  sio::decoder d{10};
  ASSERT_EQ(
      d.add_text(
          R"(53-["e",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}])"),
      result::pending);
  ASSERT_EQ(d.add_binary("12345"), result::pending);
  ASSERT_EQ(d.add_binary("12345"), result::pending);  // 10 bytes: at the limit
  EXPECT_EQ(d.add_binary("1"), result::error);
  EXPECT_EQ(d.error().message, "attachments over the payload limit");
  // The next packet starts afresh.
  ASSERT_EQ(d.add_text(R"(51-["e",{"_placeholder":true,"num":0}])"), result::pending);
  EXPECT_EQ(d.add_binary("1234567890"), result::packet);
}

TEST(SocketIoDecoder, TextThenBinariesInOrder) {
  sio::decoder d{1 << 20};
  ASSERT_EQ(d.add_text(R"(52-["baz",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])"),
            result::pending);
  ASSERT_EQ(d.add_binary("first"), result::pending);
  ASSERT_EQ(d.add_binary(std::string("\x00\xff", 2)), result::packet);
  const auto p = d.take();
  EXPECT_EQ(p.type, sio::packet_type::binary_event);
  ASSERT_TRUE(p.data);
  const auto& data = *p.data;
  EXPECT_EQ(data[0], "baz");
  ASSERT_TRUE(data[1].is_binary());
  EXPECT_EQ(bytes_of(data[1]), "first");
  ASSERT_TRUE(data[2]["k"].is_binary());
  EXPECT_EQ(bytes_of(data[2]["k"]), std::string("\x00\xff", 2));
}

TEST(SocketIoDecoder, BinaryAckWithId) {
  sio::decoder d{1 << 20};
  ASSERT_EQ(d.add_text(R"(61-/admin,15["bar",{"_placeholder":true,"num":0}])"), result::pending);
  ASSERT_EQ(d.add_binary("\x01\x02\x03\x04"), result::packet);
  const auto p = d.take();
  EXPECT_EQ(p.type, sio::packet_type::binary_ack);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.id, 15u);
  EXPECT_EQ(bytes_of((*p.data)[1]), "\x01\x02\x03\x04");
}

TEST(SocketIoDecoder, ZeroAttachmentsIsImmediate) {
  sio::decoder d{1 << 20};
  ASSERT_EQ(d.add_text(R"(50-["x"])"), result::packet);
  const auto p = d.take();
  EXPECT_EQ(p.type, sio::packet_type::binary_event);
  EXPECT_EQ(p.attachments, 0u);
  EXPECT_EQ(*p.data, json::array({"x"}));
  // Not waiting for anything: a binary message now is an error.
  EXPECT_EQ(d.add_binary("stray"), result::error);
}

TEST(SocketIoDecoder, BinaryWhenNotReconstructingIsAnError) {
  sio::decoder d{1 << 20};
  EXPECT_EQ(d.add_binary("unexpected"), result::error);
  EXPECT_EQ(d.error().message, "got binary data when not reconstructing a packet");
}

TEST(SocketIoDecoder, TextWhileReconstructingIsAnError) {
  sio::decoder d{1 << 20};
  ASSERT_EQ(d.add_text(R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"), result::pending);
  ASSERT_EQ(d.add_binary("one"), result::pending);
  EXPECT_EQ(d.add_text(R"(2["b"])"), result::error);
  EXPECT_EQ(d.error().message, "got plaintext data when reconstructing a packet");
}

TEST(SocketIoDecoder, RecoversAfterAnError) {
  sio::decoder d{1 << 20};
  ASSERT_EQ(d.add_text(R"(51-["a",{"_placeholder":true,"num":0}])"), result::pending);
  ASSERT_EQ(d.add_text(R"(2["b"])"), result::error);
  // The failed packet is dropped; the next one decodes on its own.
  ASSERT_EQ(d.add_text(R"(2["c"])"), result::packet);
  EXPECT_EQ(*d.take().data, json::array({"c"}));
  EXPECT_EQ(d.add_binary("late"), result::error);
}

TEST(SocketIoDecoder, PlaceholderNumOutOfRangeIsAnError) {
  sio::decoder d{1 << 20};
  ASSERT_EQ(d.add_text(R"(51-["a",{"_placeholder":true,"num":1}])"), result::pending);
  EXPECT_EQ(d.add_binary("only one"), result::error);
  EXPECT_FALSE(d.error().message.empty());
  // Not reconstructing any more.
  EXPECT_EQ(d.add_binary("more"), result::error);
}

TEST(SocketIoDecoder, RepeatedPlaceholderNumIsAnError) {
  sio::decoder d{1 << 20};
  std::string text = R"(51-["a")";
  for (int i = 0; i < 1000; ++i) text += R"(,{"_placeholder":true,"num":0})";
  text += "]";
  ASSERT_EQ(d.add_text(text), result::pending);
  EXPECT_EQ(d.add_binary(std::string(100000, 'x')), result::error);
}

TEST(SocketIoDecoder, NegativePlaceholderNumIsAnError) {
  sio::decoder d{1 << 20};
  ASSERT_EQ(d.add_text(R"(51-["a",{"_placeholder":true,"num":-1}])"), result::pending);
  EXPECT_EQ(d.add_binary("x"), result::error);
}

TEST(SocketIoDecoder, InvalidTextIsAnError) {
  sio::decoder d{1 << 20};
  for (const char* s :
       {"", "4abc", "2{}", R"(2abc["a"])", "2[]", R"(2["connect"])", "1{}", "5-[]", "5x-[]", R"(511-["a","b"])"}) {
    EXPECT_EQ(d.add_text(s), result::error) << s;
    EXPECT_FALSE(d.error().message.empty()) << s;
  }
}

TEST(SocketIoDecoder, DeeplyNestedBinaryPacketIsRejectedNotCrashing) {
  // About 1 MB of nesting: without the depth limit reconstruct() would overflow the stack.
  std::string text = R"(51-["deep",)";
  text.append(500000, '[');
  text += R"({"_placeholder":true,"num":0})";
  text.append(500000, ']');
  text += "]";
  sio::decoder d{1 << 20};
  EXPECT_EQ(d.add_text(text), result::error);
  EXPECT_EQ(d.add_binary("x"), result::error);
}

TEST(SocketIoDecoder, ConsecutivePacketsAreIndependent) {
  sio::decoder d{1 << 20};
  ASSERT_EQ(d.add_text(R"(51-["bin",{"_placeholder":true,"num":0}])"), result::pending);
  ASSERT_EQ(d.add_binary("B"), result::packet);
  const auto first = d.take();
  ASSERT_EQ(d.add_text("0/admin,"), result::packet);
  const auto second = d.take();
  EXPECT_EQ(first.nsp, "/");
  EXPECT_TRUE((*first.data)[1].is_binary());
  EXPECT_EQ(second.type, sio::packet_type::connect);
  EXPECT_EQ(second.nsp, "/admin");
  EXPECT_FALSE(second.data);
}

TEST(SocketIoDecoder, DecodedBinaryReencodesToTheSameWire) {
  sio::decoder d{1 << 20};
  const std::string text = R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
  ASSERT_EQ(d.add_text(text), result::pending);
  ASSERT_EQ(d.add_binary("a"), result::pending);
  ASSERT_EQ(d.add_binary("bb"), result::packet);
  const auto e = sio::encode(d.take());
  EXPECT_EQ(e.text, text);
  ASSERT_EQ(e.attachments.size(), 2u);
  EXPECT_EQ(e.attachments[0], "a");
  EXPECT_EQ(e.attachments[1], "bb");
}
