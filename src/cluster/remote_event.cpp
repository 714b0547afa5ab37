#include "cluster/remote_event.h"

#include "cluster/classic_wire.h"

namespace switchboard::cluster {

std::vector<std::string> room_list(const json& v) {
  std::vector<std::string> out;
  if (!v.is_array()) return out;
  for (const auto& r : v) {
    if (r.is_string()) {
      out.push_back(r.get<std::string>());
    } else if (r.is_number()) {
      out.push_back(r.dump());
    }
  }
  return out;
}

fanout::broadcast_options options_of(const json& opts) {
  fanout::broadcast_options o;
  o.local = true;  // arrived from the cluster: never published again, whatever `opts` holds
  if (!opts.is_object()) return o;
  if (auto it = opts.find("rooms"); it != opts.end()) o.rooms = room_list(*it);
  if (auto it = opts.find("except"); it != opts.end()) o.except = room_list(*it);
  if (auto f = opts.find("flags"); f != opts.end() && f->is_object()) {
    if (auto v = f->find("volatile"); v != f->end() && v->is_boolean()) o.is_volatile = v->get<bool>();
  }
  return o;
}

json selection(const fanout::broadcast_options& opts) { return json{{"rooms", opts.rooms}, {"except", opts.except}}; }

std::optional<protocol::socketio::packet> remote_event(const json& packet, const std::string& nsp) {
  if (!packet.is_object()) return std::nullopt;
  const auto n = packet.find("nsp");
  if (n != packet.end() && n->is_string() && n->get_ref<const std::string&>() != nsp) return std::nullopt;
  const auto data = packet.find("data");
  if (data == packet.end() || !data->is_array() || data->empty()) return std::nullopt;
  protocol::socketio::packet p;
  p.type = protocol::socketio::packet_type::event;
  p.nsp = nsp;
  p.data = *data;
  normalize_notepack(*p.data);
  return p;
}

}  // namespace switchboard::cluster
