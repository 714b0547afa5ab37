#pragma once
// Reassembles Socket.IO packets from Engine.IO messages: a text message, then for binary packets
// exactly `attachments` binary messages. One decoder per Engine.IO session.
// State: the binary packet waiting for attachments, if any, and the bytes they hold so far, which
// may not pass `max_attachment_bytes` (each message is within the payload limit, but a packet
// announcing many attachments could otherwise hold many such messages).
#include "protocol/socketio/packet.h"

namespace switchboard::protocol::socketio {

class decoder {
 public:
  enum class result { packet, pending, error };

  explicit decoder(size_t max_attachment_bytes) : max_attachment_bytes_(max_attachment_bytes) {}

  // A text Engine.IO message. `packet` → `take()` it; `pending` → binary messages must follow.
  result add_text(std::string_view text);
  result add_binary(std::string&& bytes);

  packet take() { return std::move(packet_); }
  const decode_error& error() const { return error_; }

 private:
  result fail(std::string_view message);

  packet packet_;
  std::vector<std::string> buffers_;
  size_t max_attachment_bytes_;
  size_t attachment_bytes_ = 0;
  bool reconstructing_ = false;
  decode_error error_;
};

}  // namespace switchboard::protocol::socketio
