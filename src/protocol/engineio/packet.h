#pragma once
// Engine.IO v4 packets (docs/engine.io-protocol/v4-current.md §"Packet encoding").
// Text packet: type digit + data. Binary message: raw bytes on WebSocket, `b` + base64 on polling.
// Polling payload: packets joined by the record separator 0x1e.
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::protocol::engineio {

enum class packet_type : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6',
};

struct packet {
  packet_type type = packet_type::message;
  bool binary = false;  // only for `message`
  std::string data;

  friend bool operator==(const packet&, const packet&) = default;
};

inline constexpr char record_separator = '\x1e';

// A text WebSocket frame or one polling segment without the `b` form. false on an unknown type.
bool decode_text_packet(std::string_view text, packet& out);
// Type digit + data; binary messages are not valid here (use encode_polling_packet).
std::string encode_text_packet(const packet& p);
// The form a packet takes inside a polling payload (`b<base64>` for binary).
std::string encode_polling_packet(const packet& p);

// Splits a polling body. false on an empty body, an unknown type or bad base64 (Node answers
// such a POST with 400 and closes the session).
bool decode_payload(std::string_view body, std::vector<packet>& out);
std::string encode_payload(const std::vector<packet>& packets);

}  // namespace switchboard::protocol::engineio
