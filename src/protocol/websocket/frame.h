#pragma once
// RFC 6455 §5 frame codec. Parsing reads one frame header from the front of a buffer; encoding
// writes the unmasked server-side header. Payload bytes are never copied here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::protocol::websocket {

enum class opcode : uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

// RFC 6455 §7.4.1 status codes used by the server.
enum close_code : uint16_t {
  close_normal = 1000,
  close_going_away = 1001,
  close_protocol_error = 1002,
  close_unsupported_data = 1003,
  close_no_status = 1005,
  close_invalid_payload = 1007,
  close_policy_violation = 1008,
  close_message_too_big = 1009,
  close_internal_error = 1011,
};

struct frame_header {
  bool fin = false;
  opcode op = opcode::continuation;
  bool masked = false;
  uint8_t mask[4] = {0, 0, 0, 0};
  uint64_t payload_length = 0;
  size_t header_length = 0;  // bytes before the payload
};

enum class parse_status { complete, need_more, error };

struct parse_error {
  uint16_t code = close_protocol_error;
  std::string_view reason;  // static text
};

// Reads the header at the front of `data`. `complete` means the header (not necessarily the
// payload) is there. Enforces: RSV bits clear (no extension is negotiated), known opcodes, masked
// client frames, control frames ≤ 125 bytes and unfragmented, minimal length encoding, and
// `max_payload` (→ 1009).
parse_status parse_frame_header(std::string_view data, uint64_t max_payload, frame_header& out, parse_error& err);

// XORs `data` with `mask`, starting at mask byte `offset % 4`.
void apply_mask(char* data, size_t size, const uint8_t mask[4], size_t offset = 0);

// Server → client header for a single-frame message of `payload_length` bytes (2, 4 or 10 bytes).
std::string encode_frame_header(opcode op, uint64_t payload_length, bool fin = true);
// Header + payload in one buffer.
std::string encode_frame(opcode op, std::string_view payload);
// Payload of a close frame: 2-byte code + reason (truncated to fit 125 bytes).
std::string encode_close_payload(uint16_t code, std::string_view reason);

// Whether a peer may send this close code (RFC 6455 §7.4).
bool is_valid_close_code(uint16_t code);

}  // namespace switchboard::protocol::websocket
