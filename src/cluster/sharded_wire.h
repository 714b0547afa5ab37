#pragma once
// The sharded adapter's messages (docs/wire-format.md#sharded-adapter), pure: the ClusterAdapter
// envelope `{uid, nsp, type, data}` as JSON, or as MessagePack when `data` holds binary (which
// JSON cannot carry). The decoder is what sharded_adapter runs on every message it hears.
#include "base/json.h"

#include <string>
#include <string_view>

namespace switchboard::cluster {

std::string encode_cluster_message(const std::string& uid, const std::string& nsp, int type, json data);
// Either encoding (a JSON text starts with `{`): an object with an integer `type` and an object
// `data`; a discarded value otherwise.
json decode_cluster_message(std::string_view payload);
// Whether the Node adapter would take `room` for a socket id (20 characters) and so publish a
// broadcast to it on the main channel, not the room's.
bool looks_like_socket_id(const std::string& room);

}  // namespace switchboard::cluster
