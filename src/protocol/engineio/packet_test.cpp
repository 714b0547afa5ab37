#include "protocol/engineio/packet.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace eio = switchboard::protocol::engineio;
using eio::packet;
using eio::packet_type;

namespace {

packet text(packet_type t, std::string data = {}) { return packet{t, false, std::move(data)}; }
packet binary(std::string data) { return packet{packet_type::message, true, std::move(data)}; }

const std::vector<std::pair<char, packet_type>> kTypes = {
    {'0', packet_type::open},    {'1', packet_type::close},   {'2', packet_type::ping}, {'3', packet_type::pong},
    {'4', packet_type::message}, {'5', packet_type::upgrade}, {'6', packet_type::noop},
};

}  // namespace

TEST(EngineIoPacket, DecodesEveryType) {
  for (const auto& [digit, type] : kTypes) {
    packet p;
    p.binary = true;  // must be reset
    ASSERT_TRUE(eio::decode_text_packet(std::string(1, digit) + "data", p)) << digit;
    EXPECT_EQ(p.type, type) << digit;
    EXPECT_FALSE(p.binary);
    EXPECT_EQ(p.data, "data");

    packet bare;
    ASSERT_TRUE(eio::decode_text_packet(std::string(1, digit), bare)) << digit;
    EXPECT_EQ(bare.type, type);
    EXPECT_EQ(bare.data, "");
  }
}

TEST(EngineIoPacket, EncodesEveryType) {
  for (const auto& [digit, type] : kTypes) {
    EXPECT_EQ(eio::encode_text_packet(text(type, "xyz")), std::string(1, digit) + "xyz");
    EXPECT_EQ(eio::encode_text_packet(text(type)), std::string(1, digit));
  }
}

TEST(EngineIoPacket, WireExamples) {
  packet p;
  ASSERT_TRUE(eio::decode_text_packet("4hello", p));
  EXPECT_EQ(p, text(packet_type::message, "hello"));
  ASSERT_TRUE(eio::decode_text_packet("2probe", p));
  EXPECT_EQ(p, text(packet_type::ping, "probe"));
  ASSERT_TRUE(eio::decode_text_packet("3probe", p));
  EXPECT_EQ(p, text(packet_type::pong, "probe"));
  EXPECT_EQ(eio::encode_text_packet(text(packet_type::open, R"({"sid":"abc","upgrades":[]})")),
            R"(0{"sid":"abc","upgrades":[]})");
  // A text message whose data starts with 'b' is still text.
  ASSERT_TRUE(eio::decode_text_packet("4bAQIDBA==", p));
  EXPECT_EQ(p, text(packet_type::message, "bAQIDBA=="));
}

TEST(EngineIoPacket, KeepsArbitraryBytesInTextData) {
  packet p;
  const std::string data("\x00\x1e\xff\xe2\x82\xac", 6);
  ASSERT_TRUE(eio::decode_text_packet("4" + data, p));
  EXPECT_EQ(p.data, data);
  EXPECT_EQ(eio::encode_text_packet(p), "4" + data);
}

TEST(EngineIoPacket, RejectsEmptyAndUnknownTypes) {
  packet p;
  EXPECT_FALSE(eio::decode_text_packet("", p));
  for (const char* bad : {"7", "9hello", "abc", "/", "b", "bAQIDBA==", " 4", "\x1e"}) {
    EXPECT_FALSE(eio::decode_text_packet(bad, p)) << bad;
  }
}

TEST(EngineIoPacket, PollingFormOfBinaryIsBase64) {
  EXPECT_EQ(eio::encode_polling_packet(binary(std::string("\x01\x02\x03\x04", 4))), "bAQIDBA==");
  EXPECT_EQ(eio::encode_polling_packet(binary("")), "b");
  EXPECT_EQ(eio::encode_polling_packet(text(packet_type::message, "hello")), "4hello");
  EXPECT_EQ(eio::encode_polling_packet(text(packet_type::ping)), "2");
}

TEST(EngineIoPayload, DecodesTextAndBinary) {
  std::vector<packet> out;
  ASSERT_TRUE(
      eio::decode_payload("4hello\x1e"
                          "bAQIDBA==",
                          out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], text(packet_type::message, "hello"));
  EXPECT_EQ(out[1], binary(std::string("\x01\x02\x03\x04", 4)));
}

TEST(EngineIoPayload, EncodesTextAndBinaryExactly) {
  EXPECT_EQ(eio::encode_payload({text(packet_type::message, "hello"), binary(std::string("\x01\x02\x03\x04", 4))}),
            "4hello\x1e"
            "bAQIDBA==");
  EXPECT_EQ(eio::encode_payload(
                {text(packet_type::message, "hello"), text(packet_type::ping), text(packet_type::message, "world")}),
            "4hello\x1e"
            "2\x1e"
            "4world");
  EXPECT_EQ(eio::encode_payload({text(packet_type::noop)}), "6");
  EXPECT_EQ(eio::encode_payload({}), "");
}

TEST(EngineIoPayload, DecodesSeveralTextPackets) {
  std::vector<packet> out;
  ASSERT_TRUE(
      eio::decode_payload("4hello\x1e"
                          "2\x1e"
                          "4world",
                          out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], text(packet_type::message, "hello"));
  EXPECT_EQ(out[1], text(packet_type::ping));
  EXPECT_EQ(out[2], text(packet_type::message, "world"));
}

TEST(EngineIoPayload, SinglePacketWithoutSeparator) {
  std::vector<packet> out;
  ASSERT_TRUE(eio::decode_payload("40", out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], text(packet_type::message, "0"));
}

TEST(EngineIoPayload, RoundTrips) {
  const std::vector<packet> packets = {
      text(packet_type::message, R"(2["message",1,"2",{"3":[true]}])"),
      binary(std::string("\x00\xff\x1e", 3)),
      text(packet_type::pong),
      text(packet_type::close),
  };
  std::vector<packet> out;
  ASSERT_TRUE(eio::decode_payload(eio::encode_payload(packets), out));
  EXPECT_EQ(out, packets);
}

TEST(EngineIoPayload, EmptyBodyIsFalse) {
  std::vector<packet> out{text(packet_type::ping)};
  EXPECT_FALSE(eio::decode_payload("", out));
  EXPECT_TRUE(out.empty());
}

TEST(EngineIoPayload, BadBase64IsFalse) {
  std::vector<packet> out;
  EXPECT_FALSE(eio::decode_payload("bAQIDB", out));     // not a multiple of 4
  EXPECT_FALSE(eio::decode_payload("bAQ!DBA==", out));  // outside the alphabet
  EXPECT_FALSE(
      eio::decode_payload("4ok\x1e"
                          "bAQ=DBA==",
                          out));                         // padding in the middle
  EXPECT_FALSE(eio::decode_payload("b AQIDBA==", out));  // whitespace
}

TEST(EngineIoPayload, UnknownTypeIsFalse) {
  std::vector<packet> out;
  EXPECT_FALSE(eio::decode_payload("abc", out));
  EXPECT_FALSE(
      eio::decode_payload("4hello\x1e"
                          "9",
                          out));
  EXPECT_FALSE(
      eio::decode_payload("4hello\x1e"
                          "\x1e"
                          "4world",
                          out));                         // empty segment
  EXPECT_FALSE(eio::decode_payload("4hello\x1e", out));  // trailing separator
  EXPECT_FALSE(
      eio::decode_payload("\x1e"
                          "4hello",
                          out));  // leading separator
}

TEST(EngineIoPayload, ClearsOutputBeforeDecoding) {
  std::vector<packet> out{text(packet_type::noop), text(packet_type::noop)};
  ASSERT_TRUE(eio::decode_payload("3", out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], text(packet_type::pong));
}
