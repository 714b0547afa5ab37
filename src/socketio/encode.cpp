#include "socketio/encode.h"

namespace switchboard::socketio {

using protocol::engineio::packet_type;

fanout::broadcast_packet encode_packet(const protocol::socketio::packet& p) {
  auto encoded = protocol::socketio::encode(p);
  fanout::broadcast_packet out;
  out.messages.reserve(1 + encoded.attachments.size());
  out.messages.push_back(engineio::outgoing::text(packet_type::message, encoded.text));
  for (const auto& a : encoded.attachments) out.messages.push_back(engineio::outgoing::binary(a));
  return out;
}

fanout::broadcast_packet encode_event(const std::string& nsp, json data) {
  protocol::socketio::packet p;
  p.type = protocol::socketio::packet_type::event;
  p.nsp = nsp;
  p.data = std::move(data);
  auto encoded = encode_packet(p);
  encoded.data = std::move(*p.data);
  return encoded;
}

json event_data(std::string_view event, json args) {
  json data = json::array();
  data.push_back(std::string(event));
  if (args.is_array()) {
    for (auto& a : args) data.push_back(std::move(a));
  } else if (!args.is_null()) {
    data.push_back(std::move(args));
  }
  return data;
}

}  // namespace switchboard::socketio
