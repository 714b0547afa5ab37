#pragma once
// The classic @socket.io/redis-adapter messages (docs/wire-format.md#classic-adapter), pure: broadcasts
// are MessagePack `[uid, {type: 2, data, nsp}, {rooms, except, flags}]`, keys in Node's order;
// requests and responses are JSON objects, or MessagePack for a BROADCAST with acknowledgements
// and its answers. The decoders are what redis_adapter runs on every message it hears.
#include "base/json.h"
#include "fanout/adapter.h"

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::cluster {

std::string encode_broadcast(const std::string& uid, const std::string& nsp, const json& data,
                             const fanout::broadcast_options& opts);

// A broadcast heard on `<prefix>#<nsp>#…`.
struct classic_broadcast {
  std::string uid;  // the sender; empty when it is not a string
  json packet;      // {type, data, nsp}, as local_node::deliver takes it
  json opts;        // {rooms, except, flags}; an empty object when absent
};
// MessagePack `[uid, packet, opts?]` with an object packet; nullopt otherwise.
std::optional<classic_broadcast> decode_classic_broadcast(std::string_view payload);
// A request on `<prefix>-request#<nsp>#`: an object with an integer `type`; a discarded value
// otherwise. JSON when the first byte is `{`, else MessagePack.
json decode_classic_request(std::string_view payload);
// A response on `<prefix>-response#<nsp>#[<uid>#]`: an object with a string `requestId`; a
// discarded value otherwise. Encoded as requests are.
json decode_classic_response(std::string_view payload);

// An answer to a request, as JSON. Strings from MessagePack requests (a requestId, a room joined
// through REMOTE_JOIN) may hold invalid UTF-8, which becomes U+FFFD instead of throwing.
std::string encode_classic_response(const json& response);

// notepack.io's extensions, as Node's own clients would see them after JSON.stringify: a Date (the
// MessagePack timestamp extension, type -1) becomes its ISO-8601 string, `undefined` (fixext 1,
// type 0) becomes null. In place, at any depth; real binary is untouched.
void normalize_notepack(json& value);

// `<prefix>#<nsp>#` for several rooms or everyone, `<prefix>#<nsp>#<room>#` for exactly one room.
std::string broadcast_channel(const std::string& base_channel, const fanout::broadcast_options& opts);

}  // namespace switchboard::cluster
