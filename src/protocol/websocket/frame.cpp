#include "protocol/websocket/frame.h"

namespace switchboard::protocol::websocket {
namespace {

bool is_control(opcode op) { return (static_cast<uint8_t>(op) & 0x8) != 0; }

bool is_known(uint8_t op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

}  // namespace

parse_status parse_frame_header(std::string_view data, uint64_t max_payload, frame_header& out, parse_error& err) {
  if (data.size() < 2) return parse_status::need_more;
  const auto b0 = static_cast<uint8_t>(data[0]);
  const auto b1 = static_cast<uint8_t>(data[1]);
  if (b0 & 0x70) {
    err = {close_protocol_error, "reserved bits set without a negotiated extension"};
    return parse_status::error;
  }
  if (!is_known(b0 & 0x0F)) {
    err = {close_protocol_error, "unknown opcode"};
    return parse_status::error;
  }
  out.fin = (b0 & 0x80) != 0;
  out.op = static_cast<opcode>(b0 & 0x0F);
  out.masked = (b1 & 0x80) != 0;
  if (!out.masked) {
    err = {close_protocol_error, "client frames must be masked"};
    return parse_status::error;
  }
  uint64_t len = b1 & 0x7F;
  size_t pos = 2;
  if (len == 126) {
    if (data.size() < 4) return parse_status::need_more;
    len = (uint64_t{static_cast<uint8_t>(data[2])} << 8) | static_cast<uint8_t>(data[3]);
    if (len < 126) {
      err = {close_protocol_error, "non-minimal payload length"};
      return parse_status::error;
    }
    pos = 4;
  } else if (len == 127) {
    if (data.size() < 10) return parse_status::need_more;
    len = 0;
    for (size_t i = 2; i < 10; ++i) len = (len << 8) | static_cast<uint8_t>(data[i]);
    if (len >> 63) {
      err = {close_protocol_error, "payload length has the high bit set"};
      return parse_status::error;
    }
    if (len <= 0xFFFF) {
      err = {close_protocol_error, "non-minimal payload length"};
      return parse_status::error;
    }
    pos = 10;
  }
  if (is_control(out.op)) {
    if (!out.fin) {
      err = {close_protocol_error, "fragmented control frame"};
      return parse_status::error;
    }
    if (len > 125) {
      err = {close_protocol_error, "control frame payload over 125 bytes"};
      return parse_status::error;
    }
  } else if (len > max_payload) {
    err = {close_message_too_big, "message too big"};
    return parse_status::error;
  }
  if (data.size() < pos + 4) return parse_status::need_more;
  for (int i = 0; i < 4; ++i) out.mask[i] = static_cast<uint8_t>(data[pos + static_cast<size_t>(i)]);
  out.payload_length = len;
  out.header_length = pos + 4;
  return parse_status::complete;
}

void apply_mask(char* data, size_t size, const uint8_t mask[4], size_t offset) {
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>(data[i] ^ mask[(i + offset) & 3]);
}

std::string encode_frame_header(opcode op, uint64_t payload_length, bool fin) {
  std::string h;
  h.push_back(static_cast<char>((fin ? 0x80 : 0x00) | static_cast<uint8_t>(op)));
  if (payload_length < 126) {
    h.push_back(static_cast<char>(payload_length));
  } else if (payload_length <= 0xFFFF) {
    h.push_back(static_cast<char>(126));
    h.push_back(static_cast<char>(payload_length >> 8));
    h.push_back(static_cast<char>(payload_length & 0xFF));
  } else {
    h.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) h.push_back(static_cast<char>((payload_length >> shift) & 0xFF));
  }
  return h;
}

std::string encode_frame(opcode op, std::string_view payload) {
  std::string f = encode_frame_header(op, payload.size());
  f.append(payload);
  return f;
}

std::string encode_close_payload(uint16_t code, std::string_view reason) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason.substr(0, 123));
  return p;
}

bool is_valid_close_code(uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  switch (code) {
    case 1000:
    case 1001:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
    case 1011:
      return true;
    default:
      return false;
  }
}

}  // namespace switchboard::protocol::websocket
