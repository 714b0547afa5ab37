#pragma once
// The classic @socket.io/redis-adapter broadcast message (research/socketio-wire.md §5.1), pure:
// MessagePack `[uid, {type: 2, data, nsp}, {rooms, except, flags}]`, keys in Node's order.
#include "base/json.h"
#include "fanout/adapter.h"

#include <string>

namespace switchboard::cluster {

std::string encode_broadcast(const std::string& uid, const std::string& nsp, const json& data,
                             const fanout::broadcast_options& opts);

// notepack.io's extensions, as Node's own clients would see them after JSON.stringify: a Date (the
// MessagePack timestamp extension, type -1) becomes its ISO-8601 string, `undefined` (fixext 1,
// type 0) becomes null. In place, at any depth; real binary is untouched.
void normalize_notepack(json& value);

// `<prefix>#<nsp>#` for several rooms or everyone, `<prefix>#<nsp>#<room>#` for exactly one room.
std::string broadcast_channel(const std::string& base_channel, const fanout::broadcast_options& opts);

}  // namespace switchboard::cluster
