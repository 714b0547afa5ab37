#include "bench/loadgen/ws_frames.h"

#include <gtest/gtest.h>

namespace switchboard::bench {
namespace {

namespace ws = protocol::websocket;

// What the client masks, the server's own codec must read back.
std::string server_reads(const std::string& frame, ws::frame_header& h) {
  ws::parse_error err;
  EXPECT_EQ(ws::parse_frame_header(frame, 1 << 20, h, err), ws::parse_status::complete);
  std::string payload = frame.substr(h.header_length);
  ws::apply_mask(payload.data(), payload.size(), h.mask);
  return payload;
}

TEST(ws_frames, masked_frames_round_trip_through_the_server_codec) {
  for (const size_t size : {0u, 1u, 7u, 8u, 9u, 125u, 126u, 1000u, 65535u, 65536u, 70000u}) {
    std::string payload(size, 'a');
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string out = "prefix";
    append_masked_frame(out, opcode::text, payload, 0xA1B2C3D4u);
    ws::frame_header h;
    EXPECT_EQ(server_reads(out.substr(6), h), payload) << size;
    EXPECT_TRUE(h.fin);
    EXPECT_EQ(h.op, opcode::text);
    EXPECT_EQ(h.payload_length, size);
  }
}

TEST(ws_frames, head_and_body_make_one_payload) {
  std::string out;
  append_masked_frame(out, opcode::text, "42", "[\"join\",\"bench\"]", 0x01020304u);
  ws::frame_header h;
  EXPECT_EQ(server_reads(out, h), "42[\"join\",\"bench\"]");
}

TEST(ws_frames, reads_what_the_server_writes) {
  for (const size_t size : {0u, 125u, 126u, 65535u, 65536u}) {
    const std::string frame = ws::encode_frame(opcode::text, std::string(size, 'x'));
    server_frame f;
    ASSERT_EQ(parse_server_frame(frame, f), frame_status::complete);
    EXPECT_TRUE(f.fin);
    EXPECT_EQ(f.op, opcode::text);
    EXPECT_EQ(f.payload_length, size);
    EXPECT_EQ(f.header_length + size, frame.size());
    EXPECT_EQ(parse_server_frame(std::string_view(frame).substr(0, f.header_length - 1), f), frame_status::need_more);
  }
}

TEST(ws_frames, refuses_masked_or_extended_server_frames) {
  server_frame f;
  EXPECT_EQ(parse_server_frame(std::string("\x81\x81\0\0\0\0x", 7), f), frame_status::error);
  EXPECT_EQ(parse_server_frame(std::string("\xC1\x01x", 3), f), frame_status::error);
}

}  // namespace
}  // namespace switchboard::bench
