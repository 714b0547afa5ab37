#pragma once
// An Engine.IO packet encoded once for every transport and shared by all its recipients
// (docs/design.md#performance-model): the complete WebSocket frame, header included, whose payload is the Engine.IO
// packet; long-polling sends the payload part (binary as `b<base64>`).
#include "base/bytes.h"
#include "protocol/engineio/packet.h"

#include <memory>
#include <string>
#include <string_view>

namespace switchboard::engineio {

class outgoing {
 public:
  // A text packet: type digit + data.
  static std::shared_ptr<const outgoing> text(protocol::engineio::packet_type type, std::string_view data = {});
  // A binary message.
  static std::shared_ptr<const outgoing> binary(std::string_view bytes);

  const shared_bytes& frame() const { return frame_; }
  std::string_view packet() const { return std::string_view(*frame_).substr(header_size_); }
  bool is_binary() const { return binary_; }
  // This packet inside a polling payload.
  std::string polling_form() const;

 private:
  outgoing(shared_bytes frame, size_t header_size, bool binary)
      : frame_(std::move(frame)), header_size_(header_size), binary_(binary) {}

  shared_bytes frame_;
  size_t header_size_;
  bool binary_;
};

using outgoing_ptr = std::shared_ptr<const outgoing>;

}  // namespace switchboard::engineio
