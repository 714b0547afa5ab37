#include "cluster/classic_wire.h"

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

}  // namespace
}  // namespace switchboard::cluster
