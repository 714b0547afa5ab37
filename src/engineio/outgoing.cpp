#include "engineio/outgoing.h"

#include "base/base64.h"
#include "protocol/websocket/frame.h"

namespace switchboard::engineio {

namespace ws = protocol::websocket;

std::shared_ptr<const outgoing> outgoing::text(protocol::engineio::packet_type type, std::string_view data) {
  std::string frame = ws::encode_frame_header(ws::opcode::text, data.size() + 1);
  const size_t header = frame.size();
  frame.reserve(header + data.size() + 1);
  frame.push_back(static_cast<char>(type));
  frame.append(data);
  return std::shared_ptr<const outgoing>(new outgoing(make_shared_bytes(std::move(frame)), header, false));
}

std::shared_ptr<const outgoing> outgoing::binary(std::string_view bytes) {
  std::string frame = ws::encode_frame_header(ws::opcode::binary, bytes.size());
  const size_t header = frame.size();
  frame.append(bytes);
  return std::shared_ptr<const outgoing>(new outgoing(make_shared_bytes(std::move(frame)), header, true));
}

std::string outgoing::polling_form() const {
  if (binary_) return "b" + base64_encode(packet());
  return std::string(packet());
}

}  // namespace switchboard::engineio
