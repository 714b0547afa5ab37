#pragma once
// What a node reads out of another server's request, pure (no sockets, no threads): the selection
// `{rooms, except, flags}` and the EVENT packet of a remote broadcast. Shared by both Redis
// adapters, and fuzzed with their message decoders.
#include "base/json.h"
#include "fanout/adapter.h"
#include "protocol/socketio/packet.h"

#include <optional>
#include <string>
#include <vector>

namespace switchboard::cluster {

// Deepest nesting of a message from Redis: a client's payload (protocol::socketio's limit) inside
// the adapters' envelopes (`{data: {packet: {data: [...]}}}`), with room to spare.
inline constexpr size_t max_message_depth = protocol::socketio::max_nesting_depth + 8;

// Rooms as strings; rooms may arrive as numbers (the Node adapters tolerate them).
std::vector<std::string> room_list(const json& v);
// `{rooms, except, flags: {volatile}}` of a remote request; always `local` (never re-published).
fanout::broadcast_options options_of(const json& opts);
// `{rooms, except}` of our own requests.
json selection(const fanout::broadcast_options& opts);

// The EVENT for namespace `nsp` that a remote broadcast's `packet` {type, data: [event, ...args],
// nsp} delivers here, notepack's extension values normalized (classic_wire.h); nullopt for a
// packet of another namespace or without data.
std::optional<protocol::socketio::packet> remote_event(const json& packet, const std::string& nsp);

}  // namespace switchboard::cluster
