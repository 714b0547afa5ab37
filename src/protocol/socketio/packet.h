#pragma once
// Socket.IO v5 packets (docs/socket.io-protocol/v5-current.md), encoded as socket.io-parser 4.2
// does: `<type>[<attachments>-][<nsp>,][<ack id>][<JSON>]`, binary values replaced depth-first by
// `{"_placeholder":true,"num":N}` and sent as separate binary Engine.IO messages.
#include "base/json.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::protocol::socketio {

enum class packet_type : uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

// As socket.io-parser's default `maxAttachments`.
inline constexpr size_t max_attachments = 10;
// Deepest array/object nesting a decoded payload may have. reconstruct(), has_binary() and JSON
// dumping recurse once per level, so an unbounded depth lets one ~1 MB message overflow the stack.
inline constexpr size_t max_nesting_depth = 1000;

struct packet {
  packet_type type = packet_type::event;
  std::string nsp = "/";
  std::optional<uint64_t> id;
  std::optional<json> data;  // absent: no payload section on the wire
  size_t attachments = 0;    // binary messages that follow (decoding only)
};

struct encoded_packet {
  std::string text;                      // the Engine.IO message payload (without the leading `4`)
  std::vector<std::string> attachments;  // binary Engine.IO messages, in placeholder order
};

// Encodes; an EVENT/ACK whose data holds binary becomes BINARY_EVENT/BINARY_ACK with attachments.
encoded_packet encode(const packet& p);

bool has_binary(const json& value);

struct decode_error {
  std::string_view message;  // static text, as socket.io-parser's errors
};

// Decodes one text message. On success `out.attachments` says how many binary messages complete it
// (their placeholders are still in `out.data`). Validates the payload shape per packet type.
bool decode_text(std::string_view text, packet& out, decode_error& err);

// Replaces placeholders in `data` with the attachments; false on an invalid placeholder or one
// whose attachment was already used.
bool reconstruct(json& data, std::vector<std::string>& attachments);

// Whether an event name is reserved (cannot be emitted by a client).
bool is_reserved_event(std::string_view name);

}  // namespace switchboard::protocol::socketio
