#include "protocol/websocket/frame.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ws = switchboard::protocol::websocket;

namespace {

constexpr uint64_t kNoLimit = uint64_t{1} << 62;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

struct parsed {
  ws::parse_status status;
  ws::frame_header header;
  ws::parse_error error;
};

parsed parse(std::string_view data, uint64_t max_payload = kNoLimit) {
  parsed p{};
  p.status = ws::parse_frame_header(data, max_payload, p.header, p.error);
  return p;
}

const std::string kMask = bytes({0x37, 0xfa, 0x21, 0x3d});

}  // namespace

TEST(FrameHeader, ParsesSevenBitLength) {
  // RFC 6455 §5.7: a single-frame masked text message "Hello".
  const auto frame = bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  const auto p = parse(frame);
  ASSERT_EQ(p.status, ws::parse_status::complete);
  EXPECT_TRUE(p.header.fin);
  EXPECT_EQ(p.header.op, ws::opcode::text);
  EXPECT_TRUE(p.header.masked);
  EXPECT_EQ(p.header.payload_length, 5u);
  EXPECT_EQ(p.header.header_length, 6u);
  EXPECT_EQ(p.header.mask[0], 0x37);
  EXPECT_EQ(p.header.mask[1], 0xfa);
  EXPECT_EQ(p.header.mask[2], 0x21);
  EXPECT_EQ(p.header.mask[3], 0x3d);
}

TEST(FrameHeader, ParsesLargestSevenBitLength) {
  const auto p = parse(bytes({0x82, 0x80 | 125}) + kMask);
  ASSERT_EQ(p.status, ws::parse_status::complete);
  EXPECT_EQ(p.header.op, ws::opcode::binary);
  EXPECT_EQ(p.header.payload_length, 125u);
  EXPECT_EQ(p.header.header_length, 6u);
}

TEST(FrameHeader, ParsesSixteenBitLength) {
  const auto p = parse(bytes({0x82, 0xFE, 0x01, 0x00}) + kMask);
  ASSERT_EQ(p.status, ws::parse_status::complete);
  EXPECT_EQ(p.header.payload_length, 256u);
  EXPECT_EQ(p.header.header_length, 8u);
  EXPECT_EQ(p.header.mask[3], 0x3d);

  const auto smallest = parse(bytes({0x82, 0xFE, 0x00, 0x7E}) + kMask);
  ASSERT_EQ(smallest.status, ws::parse_status::complete);
  EXPECT_EQ(smallest.header.payload_length, 126u);

  const auto largest = parse(bytes({0x82, 0xFE, 0xFF, 0xFF}) + kMask);
  ASSERT_EQ(largest.status, ws::parse_status::complete);
  EXPECT_EQ(largest.header.payload_length, 65535u);
}

TEST(FrameHeader, ParsesSixtyFourBitLength) {
  const auto p = parse(bytes({0x02, 0xFF, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}) + kMask);
  ASSERT_EQ(p.status, ws::parse_status::complete);
  EXPECT_FALSE(p.header.fin);
  EXPECT_EQ(p.header.payload_length, 65536u);
  EXPECT_EQ(p.header.header_length, 14u);
  EXPECT_EQ(p.header.mask[0], 0x37);

  const auto big = parse(bytes({0x82, 0xFF, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}) + kMask);
  ASSERT_EQ(big.status, ws::parse_status::complete);
  EXPECT_EQ(big.header.payload_length, 0x0102030405060708u);
}

TEST(FrameHeader, NeedsMoreAtEveryTruncationPoint) {
  const std::vector<std::string> frames = {
      bytes({0x81, 0x85}) + kMask,
      bytes({0x82, 0xFE, 0x01, 0x00}) + kMask,
      bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}) + kMask,
      bytes({0x89, 0x80}) + kMask,
  };
  for (const auto& frame : frames) {
    for (size_t n = 0; n < frame.size(); ++n) {
      const auto p = parse(std::string_view(frame).substr(0, n));
      EXPECT_EQ(p.status, ws::parse_status::need_more) << "frame of " << frame.size() << " bytes cut at " << n;
    }
    EXPECT_EQ(parse(frame).status, ws::parse_status::complete);
  }
}

TEST(FrameHeader, CompleteWithoutPayload) {
  // Only the header is needed; the payload bytes may still be on the way.
  const auto p = parse(bytes({0x81, 0x85}) + kMask);
  ASSERT_EQ(p.status, ws::parse_status::complete);
  EXPECT_EQ(p.header.payload_length, 5u);
}

TEST(FrameHeader, RejectsUnmaskedFrame) {
  const auto p = parse(bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}));
  ASSERT_EQ(p.status, ws::parse_status::error);
  EXPECT_EQ(p.error.code, ws::close_protocol_error);
  // Detected from the first two bytes alone.
  EXPECT_EQ(parse(bytes({0x81, 0x05})).status, ws::parse_status::error);
}

TEST(FrameHeader, RejectsReservedBits) {
  for (int rsv : {0x40, 0x20, 0x10, 0x70}) {
    const auto p = parse(bytes({0x80 | rsv | 0x1, 0x80}) + kMask);
    ASSERT_EQ(p.status, ws::parse_status::error) << "rsv " << rsv;
    EXPECT_EQ(p.error.code, ws::close_protocol_error);
    EXPECT_FALSE(p.error.reason.empty());
  }
}

TEST(FrameHeader, RejectsUnknownOpcodes) {
  for (int op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    const auto p = parse(bytes({0x80 | op, 0x80}) + kMask);
    ASSERT_EQ(p.status, ws::parse_status::error) << "opcode " << op;
    EXPECT_EQ(p.error.code, ws::close_protocol_error);
  }
  for (int op : {0x0, 0x1, 0x2, 0x8, 0x9, 0xA}) {
    EXPECT_EQ(parse(bytes({0x80 | op, 0x80}) + kMask).status, ws::parse_status::complete) << "opcode " << op;
  }
}

TEST(FrameHeader, RejectsFragmentedControlFrames) {
  for (int op : {0x8, 0x9, 0xA}) {
    const auto p = parse(bytes({op, 0x80}) + kMask);  // FIN clear
    ASSERT_EQ(p.status, ws::parse_status::error) << "opcode " << op;
    EXPECT_EQ(p.error.code, ws::close_protocol_error);
  }
}

TEST(FrameHeader, RejectsControlFramesOver125Bytes) {
  const auto ok = parse(bytes({0x89, 0x80 | 125}) + kMask);
  EXPECT_EQ(ok.status, ws::parse_status::complete);
  for (int op : {0x88, 0x89, 0x8A}) {
    const auto p = parse(bytes({op, 0xFE, 0x00, 126}) + kMask);
    ASSERT_EQ(p.status, ws::parse_status::error) << "opcode " << op;
    EXPECT_EQ(p.error.code, ws::close_protocol_error);
  }
  const auto p64 = parse(bytes({0x89, 0xFF, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}) + kMask);
  ASSERT_EQ(p64.status, ws::parse_status::error);
  EXPECT_EQ(p64.error.code, ws::close_protocol_error);
}

TEST(FrameHeader, ControlFramesIgnoreMaxPayload) {
  // Control frames are capped at 125 by the protocol, not by the message limit.
  const auto p = parse(bytes({0x89, 0x80 | 100}) + kMask, 10);
  ASSERT_EQ(p.status, ws::parse_status::complete);
  EXPECT_EQ(p.header.payload_length, 100u);
}

TEST(FrameHeader, RejectsNonMinimalLengths) {
  const auto p16 = parse(bytes({0x82, 0xFE, 0x00, 125}) + kMask);
  ASSERT_EQ(p16.status, ws::parse_status::error);
  EXPECT_EQ(p16.error.code, ws::close_protocol_error);

  const auto p16zero = parse(bytes({0x82, 0xFE, 0x00, 0x00}) + kMask);
  EXPECT_EQ(p16zero.status, ws::parse_status::error);

  const auto p64 = parse(bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}) + kMask);
  ASSERT_EQ(p64.status, ws::parse_status::error);
  EXPECT_EQ(p64.error.code, ws::close_protocol_error);

  const auto p64small = parse(bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0, 5}) + kMask);
  EXPECT_EQ(p64small.status, ws::parse_status::error);
}

TEST(FrameHeader, RejectsSixtyFourBitLengthWithHighBit) {
  const auto p = parse(bytes({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0}) + kMask);
  ASSERT_EQ(p.status, ws::parse_status::error);
  EXPECT_EQ(p.error.code, ws::close_protocol_error);
}

TEST(FrameHeader, RejectsPayloadOverMaxWith1009) {
  const auto at = parse(bytes({0x82, 0x80 | 100}) + kMask, 100);
  EXPECT_EQ(at.status, ws::parse_status::complete);

  const auto over = parse(bytes({0x82, 0x80 | 101}) + kMask, 100);
  ASSERT_EQ(over.status, ws::parse_status::error);
  EXPECT_EQ(over.error.code, ws::close_message_too_big);

  // Known too big as soon as the length is there, before the mask arrives.
  const auto early = parse(bytes({0x81, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 0}), 65536);
  ASSERT_EQ(early.status, ws::parse_status::error);
  EXPECT_EQ(early.error.code, ws::close_message_too_big);

  const auto cont = parse(bytes({0x00, 0xFE, 0x01, 0x00}) + kMask, 255);
  ASSERT_EQ(cont.status, ws::parse_status::error);
  EXPECT_EQ(cont.error.code, ws::close_message_too_big);
}

TEST(EncodeFrameHeader, UsesSmallestLengthForm) {
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, 0), bytes({0x81, 0x00}));
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, 125), bytes({0x81, 125}));
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::binary, 126), bytes({0x82, 126, 0x00, 126}));
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::binary, 65535), bytes({0x82, 126, 0xFF, 0xFF}));
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::binary, 65536), bytes({0x82, 127, 0, 0, 0, 0, 0, 0x01, 0, 0}));
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, 0x0102030405060708u), bytes({0x81, 127, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(EncodeFrameHeader, SizesAre2Or4Or10Bytes) {
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, 1).size(), 2u);
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, 125).size(), 2u);
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, 126).size(), 4u);
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, 65535).size(), 4u);
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, 65536).size(), 10u);
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, uint64_t{1} << 40).size(), 10u);
}

TEST(EncodeFrameHeader, FinAndOpcode) {
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::text, 3, false)[0], '\x01');
  EXPECT_EQ(ws::encode_frame_header(ws::opcode::continuation, 3, true)[0], '\x80');
  EXPECT_EQ(static_cast<uint8_t>(ws::encode_frame_header(ws::opcode::close, 2)[0]), 0x88);
  EXPECT_EQ(static_cast<uint8_t>(ws::encode_frame_header(ws::opcode::ping, 0)[0]), 0x89);
  EXPECT_EQ(static_cast<uint8_t>(ws::encode_frame_header(ws::opcode::pong, 0)[0]), 0x8A);
}

TEST(EncodeFrame, HeaderThenPayload) {
  EXPECT_EQ(ws::encode_frame(ws::opcode::text, "Hello"), bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}));
  const std::string big(300, 'x');
  const auto f = ws::encode_frame(ws::opcode::binary, big);
  ASSERT_EQ(f.size(), 304u);
  EXPECT_EQ(f.substr(0, 4), bytes({0x82, 126, 0x01, 0x2C}));
  EXPECT_EQ(f.substr(4), big);
}

TEST(EncodeClosePayload, CodeThenReasonTruncated) {
  EXPECT_EQ(ws::encode_close_payload(1000, "bye"), bytes({0x03, 0xE8, 'b', 'y', 'e'}));
  EXPECT_EQ(ws::encode_close_payload(1009, ""), bytes({0x03, 0xF1}));
  const auto p = ws::encode_close_payload(4000, std::string(300, 'r'));
  EXPECT_EQ(p.size(), 125u);
  EXPECT_EQ(p.substr(0, 2), bytes({0x0F, 0xA0}));
}

TEST(ApplyMask, XorsWithMaskAndIsAnInvolution) {
  const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  std::string data = bytes({0x7f, 0x9f, 0x4d, 0x51, 0x58});
  ws::apply_mask(data.data(), data.size(), mask);
  EXPECT_EQ(data, "Hello");
  ws::apply_mask(data.data(), data.size(), mask);
  EXPECT_EQ(data, bytes({0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

TEST(ApplyMask, OffsetContinuesTheMaskCycle) {
  const uint8_t mask[4] = {0x01, 0x02, 0x04, 0x08};
  const std::string plain = "The quick brown fox";
  std::string whole = plain;
  ws::apply_mask(whole.data(), whole.size(), mask);
  ASSERT_NE(whole, plain);
  for (size_t split = 0; split <= plain.size(); ++split) {
    std::string pieces = plain;
    ws::apply_mask(pieces.data(), split, mask, 0);
    ws::apply_mask(pieces.data() + split, pieces.size() - split, mask, split);
    EXPECT_EQ(pieces, whole) << "split at " << split;
  }
  std::string one = "A";
  ws::apply_mask(one.data(), 1, mask, 2);
  EXPECT_EQ(one[0], static_cast<char>('A' ^ 0x04));
  one = "A";
  ws::apply_mask(one.data(), 1, mask, 7);  // offset taken modulo 4
  EXPECT_EQ(one[0], static_cast<char>('A' ^ 0x08));
}

TEST(CloseCode, ValidCodes) {
  for (uint16_t c : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
    EXPECT_TRUE(ws::is_valid_close_code(c)) << c;
  }
  for (uint16_t c : {0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    EXPECT_FALSE(ws::is_valid_close_code(c)) << c;
  }
}
