#pragma once
// Turns a Socket.IO packet into the shared Engine.IO messages every recipient's queue references.
#include "fanout/adapter.h"
#include "protocol/socketio/packet.h"

namespace switchboard::socketio {

fanout::broadcast_packet encode_packet(const protocol::socketio::packet& p);

// `[event, args...]` as the data of an EVENT.
json event_data(std::string_view event, json args);

// An EVENT of namespace `nsp` without acknowledgement, encoded; `data` kept for cluster adapters.
fanout::broadcast_packet encode_event(const std::string& nsp, json data);

}  // namespace switchboard::socketio
