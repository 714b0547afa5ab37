#include "cluster/sharded_wire.h"

#include "base/json_parse.h"
#include "cluster/remote_event.h"
#include "protocol/socketio/packet.h"

namespace switchboard::cluster {

std::string encode_cluster_message(const std::string& uid, const std::string& nsp, int type, json data) {
  const bool binary = protocol::socketio::has_binary(data);
  json m{{"uid", uid}, {"nsp", nsp}, {"type", type}, {"data", std::move(data)}};
  if (!binary) return m.dump(-1, ' ', false, json::error_handler_t::replace);
  const auto bytes = json::to_msgpack(m);
  return std::string(bytes.begin(), bytes.end());
}

json decode_cluster_message(std::string_view payload) {
  json m = !payload.empty() && payload[0] == '{' ? parse_json_within(payload, max_message_depth)
                                                 : parse_msgpack_within(payload, max_message_depth);
  if (!m.is_object()) return json(json::value_t::discarded);
  const auto type = m.find("type");
  const auto data = m.find("data");
  if (type == m.end() || !type->is_number_integer() || data == m.end() || !data->is_object())
    return json(json::value_t::discarded);
  return m;
}

bool looks_like_socket_id(const std::string& room) { return room.size() == 20; }

}  // namespace switchboard::cluster
