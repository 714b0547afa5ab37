#include "cluster/classic_wire.h"

#include "cluster/sharded_wire.h"
#include "protocol/socketio/packet.h"

#include <gtest/gtest.h>

namespace switchboard::cluster {
namespace {

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string mp_str(const std::string& s) {  // fixstr
  return std::string(1, static_cast<char>(0xa0 | s.size())) + s;
}

TEST(classic_wire, encodes_io_emit_as_the_node_adapter_does) {
  // io.emit("hello", "world") from uid abc123, byte for byte as notepack.io writes it.
  const std::string expected = std::string("\x93") + mp_str("abc123") + "\x83" + mp_str("type") + "\x02" +
                               mp_str("data") + "\x92" + mp_str("hello") + mp_str("world") + mp_str("nsp") +
                               mp_str("/") + "\x83" + mp_str("rooms") + "\x90" + mp_str("except") + "\x90" +
                               mp_str("flags") + "\x80";
  EXPECT_EQ(hex(encode_broadcast("abc123", "/", json::array({"hello", "world"}), {})), hex(expected));
}

TEST(classic_wire, carries_rooms_except_volatile_and_binary) {
  fanout::broadcast_options opts;
  opts.rooms = {"r1", "r2"};
  opts.except = {"x"};
  opts.is_volatile = true;
  json data = json::array({"bin", json::binary({1, 2, 3})});
  const auto bytes = encode_broadcast("u", "/chat", data, opts);
  const json back = json::from_msgpack(bytes);
  EXPECT_EQ(back[0], "u");
  EXPECT_EQ(back[1]["nsp"], "/chat");
  EXPECT_TRUE(back[1]["data"][1].is_binary());  // bin, never text or base64
  EXPECT_EQ(back[2]["rooms"], json::array({"r1", "r2"}));
  EXPECT_EQ(back[2]["except"], json::array({"x"}));
  EXPECT_EQ(back[2]["flags"]["volatile"], true);
}

TEST(classic_wire, one_room_has_its_own_channel) {
  fanout::broadcast_options opts;
  EXPECT_EQ(broadcast_channel("socket.io#/#", opts), "socket.io#/#");
  opts.rooms = {"lobby"};
  EXPECT_EQ(broadcast_channel("socket.io#/#", opts), "socket.io#/#lobby#");
  opts.rooms = {"a", "b"};
  EXPECT_EQ(broadcast_channel("socket.io#/#", opts), "socket.io#/#");
}

TEST(NotepackExtensions, DatesBecomeIsoStringsAndUndefinedNull) {
  // As notepack.io 3 encodes them: new Date(0) (timestamp 32), 2026-11-30T10:00:00.042Z (timestamp
  // 64, as the Node peer sends it), 1969-12-31T23:59:59.999Z (timestamp 96), undefined, a Buffer.
  const std::vector<uint8_t> bytes = {0x95,                                                        // array of 5
                                      0xd6, 0xff, 0,    0,    0,    0,                             // Date(0)
                                      0xd7, 0xff, 0x0a, 0x03, 0x7a, 0x00, 0x6b, 0x0d, 0x49, 0x20,  // timestamp 64
                                      0xc7, 0x0c, 0xff, 0x3b, 0x8b, 0x87, 0xc0, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0xff,  // -1 s + .999
                                      0xd4, 0x00, 0x00,              // undefined
                                      0xc4, 0x02, 0x01, 0x02};       // Buffer
  json v = json::from_msgpack(bytes);
  normalize_notepack(v);
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(v[1], "2026-11-30T10:00:00.042Z");
  EXPECT_EQ(v[2], "1969-12-31T23:59:59.999Z");
  EXPECT_TRUE(v[3].is_null());
  EXPECT_TRUE(v[4].is_binary());
}

// A MessagePack timestamp 96 (ext -1, 12 bytes) of whole seconds, as notepack.io encodes a Date.
json timestamp_96(int64_t secs) {
  std::vector<uint8_t> bytes = {0xc7, 0x0c, 0xff, 0, 0, 0, 0};
  for (int shift = 56; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<uint8_t>(static_cast<uint64_t>(secs) >> shift));
  json v = json::from_msgpack(bytes);
  normalize_notepack(v);
  return v;
}

TEST(NotepackExtensions, DatesAtAndBeyondJavaScriptsRangeAsJsonStringifyWritesThem) {
  EXPECT_EQ(timestamp_96(8'640'000'000'000), "+275760-09-13T00:00:00.000Z");
  EXPECT_EQ(timestamp_96(253'402'300'800), "+010000-01-01T00:00:00.000Z");
  EXPECT_EQ(timestamp_96(-62'198'755'200), "-000001-01-01T00:00:00.000Z");
  EXPECT_EQ(timestamp_96(-8'640'000'000'000), "-271821-04-20T00:00:00.000Z");
  // An invalid Date: JSON.stringify writes null. The seconds here once overflowed a multiplication.
  EXPECT_TRUE(timestamp_96(8'640'000'000'001).is_null());
  EXPECT_TRUE(timestamp_96(8'115'820'780'056'477'550).is_null());
  EXPECT_TRUE(timestamp_96(INT64_MIN).is_null());
}

TEST(ClassicDecode, BroadcastRequestAndResponse) {
  const auto b = decode_classic_broadcast(encode_broadcast("n1", "/", json::array({"ev", 1}), {}));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->uid, "n1");
  EXPECT_EQ(b->packet["data"], json::array({"ev", 1}));
  EXPECT_FALSE(decode_classic_broadcast("\x91\xa1x"));  // [uid] without a packet
  EXPECT_EQ(decode_classic_request(R"({"type":0,"requestId":"r"})")["requestId"], "r");
  EXPECT_TRUE(decode_classic_request(R"({"type":"0"})").is_discarded());
  EXPECT_EQ(decode_classic_response(R"({"requestId":"r","sockets":[]})")["requestId"], "r");
  EXPECT_TRUE(decode_classic_response(R"({"requestId":1})").is_discarded());
}

TEST(ClassicResponse, InvalidUtf8FromAMessagePackRequestIsReplacedNotThrown) {
  // A MessagePack ALL_ROOMS request with requestId "\xff": dumping the answer threw in a handler
  // posted to worker 0, and nothing there catches, so the node terminated.
  const json req = decode_classic_request(std::string("\x82\xa4type\x01\xa9requestId\xa1\xff", 19));
  ASSERT_FALSE(req.is_discarded());
  const json answer{{"requestId", req["requestId"]}, {"rooms", json::array({"a"})}};
  EXPECT_THROW((void)answer.dump(), json::type_error);
  EXPECT_EQ(encode_classic_response(answer), "{\"requestId\":\"\xEF\xBF\xBD\",\"rooms\":[\"a\"]}");
}

TEST(ClassicDecode, DeepNestingIsDroppedNotAStackOverflow) {
  // A megabyte of MessagePack fixarray headers: json::from_msgpack recursed once per level and
  // overflowed the stack of the Redis thread.
  EXPECT_FALSE(decode_classic_broadcast(std::string(1'000'000, '\x91')));
  EXPECT_TRUE(decode_classic_request(std::string(1'000'000, '\x91')).is_discarded());
  // JSON parses without recursion, but copying and encoding the packet recurse per level.
  const std::string deep = std::string(500'000, '[') + std::string(500'000, ']');
  EXPECT_TRUE(decode_classic_request(R"({"type":6,"data":)" + deep + "}").is_discarded());
  // What a client may send still passes, inside the adapter's envelope.
  const std::string ok = std::string(protocol::socketio::max_nesting_depth - 1, '[') +
                         std::string(protocol::socketio::max_nesting_depth - 1, ']');
  EXPECT_FALSE(decode_classic_request(R"({"type":7,"packet":{"data":["ev",)" + ok + "]}}").is_discarded());
}

TEST(ShardedDecode, EnvelopeAndDepth) {
  const auto m = decode_cluster_message(encode_cluster_message("u", "/", 3, json{{"requestId", "r"}}));
  EXPECT_EQ(m["data"]["requestId"], "r");
  EXPECT_TRUE(decode_cluster_message(R"({"type":3,"data":[]})").is_discarded());
  const std::string deep = std::string(500'000, '[') + std::string(500'000, ']');
  EXPECT_TRUE(decode_cluster_message(R"({"type":3,"data":{"packet":)" + deep + "}}").is_discarded());
  EXPECT_TRUE(decode_cluster_message(std::string(1'000'000, '\x91')).is_discarded());
}

}  // namespace
}  // namespace switchboard::cluster
