#include "protocol/websocket/reader.h"

#include "protocol/websocket/utf8.h"

namespace switchboard::protocol::websocket {

bool reader::fail(uint16_t code, std::string_view reason) {
  failed_ = true;
  error_ = {code, reason};
  fragments_.reset();
  return false;
}

size_t reader::consume(char* data, size_t size, handler& h) {
  size_t used = 0;
  while (!failed_ && !closed_) {
    frame_header fh;
    parse_error err;
    // A continuation may only add what is left of the message budget.
    const uint64_t budget = fragments_ ? max_message_ - fragments_->size() : max_message_;
    const auto st = parse_frame_header(std::string_view(data + used, size - used), budget, fh, err);
    if (st == parse_status::need_more) break;
    if (st == parse_status::error) {
      fail(err.code, err.reason);
      break;
    }
    if (size - used < fh.header_length + fh.payload_length) break;
    char* payload = data + used + fh.header_length;
    const auto len = static_cast<size_t>(fh.payload_length);
    apply_mask(payload, len, fh.mask);
    used += fh.header_length + len;
    const std::string_view body(payload, len);

    switch (fh.op) {
      case opcode::ping:
        h.on_ping(body);
        break;
      case opcode::pong:
        h.on_pong(body);
        break;
      case opcode::close: {
        if (len == 1) {
          fail(close_protocol_error, "close frame with a 1-byte payload");
          break;
        }
        uint16_t code = close_no_status;
        std::string_view reason;
        if (len >= 2) {
          code = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) | static_cast<uint8_t>(payload[1]));
          reason = body.substr(2);
          if (!is_valid_close_code(code)) {
            fail(close_protocol_error, "invalid close code");
            break;
          }
          if (!is_valid_utf8(reason)) {
            fail(close_invalid_payload, "close reason is not UTF-8");
            break;
          }
        }
        closed_ = true;
        h.on_close(code, reason);
        break;
      }
      case opcode::text:
      case opcode::binary: {
        if (fragments_) {
          fail(close_protocol_error, "new message before the previous one finished");
          break;
        }
        const bool binary = fh.op == opcode::binary;
        if (fh.fin) {
          if (!binary && !is_valid_utf8(body)) {
            fail(close_invalid_payload, "text message is not valid UTF-8");
            break;
          }
          h.on_message(binary, std::string(body));
        } else {
          fragments_binary_ = binary;
          fragments_ = std::make_unique<std::string>(body);
        }
        break;
      }
      case opcode::continuation: {
        if (!fragments_) {
          fail(close_protocol_error, "continuation frame without a message");
          break;
        }
        fragments_->append(body);
        if (fh.fin) {
          if (!fragments_binary_ && !is_valid_utf8(*fragments_)) {
            fail(close_invalid_payload, "text message is not valid UTF-8");
            break;
          }
          std::string message = std::move(*fragments_);
          fragments_.reset();
          h.on_message(fragments_binary_, std::move(message));
        }
        break;
      }
    }
  }
  return used;
}

}  // namespace switchboard::protocol::websocket
