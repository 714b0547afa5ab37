#pragma once
// Reassembles Socket.IO packets from Engine.IO messages: a text message, then for binary packets
// exactly `attachments` binary messages. One decoder per Engine.IO session.
// State: the binary packet waiting for attachments, if any.
#include "protocol/socketio/packet.h"

namespace switchboard::protocol::socketio {

class decoder {
 public:
  enum class result { packet, pending, error };

  // A text Engine.IO message. `packet` → `take()` it; `pending` → binary messages must follow.
  result add_text(std::string_view text);
  result add_binary(std::string&& bytes);

  packet take() { return std::move(packet_); }
  const decode_error& error() const { return error_; }

 private:
  result fail(std::string_view message);

  packet packet_;
  std::vector<std::string> buffers_;
  bool reconstructing_ = false;
  decode_error error_;
};

}  // namespace switchboard::protocol::socketio
