#include "protocol/engineio/packet.h"

#include "base/base64.h"

namespace switchboard::protocol::engineio {

bool decode_text_packet(std::string_view text, packet& out) {
  if (text.empty() || text[0] < '0' || text[0] > '6') return false;
  out.type = static_cast<packet_type>(text[0]);
  out.binary = false;
  out.data.assign(text.substr(1));
  return true;
}

std::string encode_text_packet(const packet& p) {
  std::string s;
  s.reserve(p.data.size() + 1);
  s.push_back(static_cast<char>(p.type));
  s.append(p.data);
  return s;
}

std::string encode_polling_packet(const packet& p) {
  if (p.type == packet_type::message && p.binary) return "b" + base64_encode(p.data);
  return encode_text_packet(p);
}

bool decode_payload(std::string_view body, std::vector<packet>& out) {
  out.clear();
  if (body.empty()) return false;
  size_t start = 0;
  while (start <= body.size()) {
    const size_t end = std::min(body.find(record_separator, start), body.size());
    const auto segment = body.substr(start, end - start);
    packet p;
    if (!segment.empty() && segment[0] == 'b') {
      auto bytes = base64_decode(segment.substr(1));
      if (!bytes) return false;
      p.type = packet_type::message;
      p.binary = true;
      p.data = std::move(*bytes);
    } else if (!decode_text_packet(segment, p)) {
      return false;
    }
    out.push_back(std::move(p));
    start = end + 1;
  }
  return true;
}

std::string encode_payload(const std::vector<packet>& packets) {
  std::string body;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i) body.push_back(record_separator);
    body.append(encode_polling_packet(packets[i]));
  }
  return body;
}

}  // namespace switchboard::protocol::engineio
