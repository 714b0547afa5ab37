#include "cluster/classic_wire.h"

namespace switchboard::cluster {

std::string encode_broadcast(const std::string& uid, const std::string& nsp, const json& data,
                             const fanout::broadcast_options& opts) {
  json flags = json::object();
  if (opts.is_volatile) flags["volatile"] = true;
  const json message = json::array({uid, json{{"type", 2}, {"data", data}, {"nsp", nsp}},
                                    json{{"rooms", opts.rooms}, {"except", opts.except}, {"flags", flags}}});
  const auto bytes = json::to_msgpack(message);
  return std::string(bytes.begin(), bytes.end());
}

std::string broadcast_channel(const std::string& base_channel, const fanout::broadcast_options& opts) {
  return opts.rooms.size() == 1 ? base_channel + opts.rooms.front() + "#" : base_channel;
}

}  // namespace switchboard::cluster
