#include "cluster/local_node.h"

#include "cluster/classic_wire.h"
#include "socketio/broadcast.h"
#include "socketio/describe.h"
#include "socketio/encode.h"

#include <mutex>
#include <set>

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
  if (!opts.is_object()) return o;
  if (auto it = opts.find("rooms"); it != opts.end()) o.rooms = room_list(*it);
  if (auto it = opts.find("except"); it != opts.end()) o.except = room_list(*it);
  if (auto f = opts.find("flags"); f != opts.end() && f->is_object()) {
    if (auto v = f->find("volatile"); v != f->end() && v->is_boolean()) o.is_volatile = v->get<bool>();
  }
  o.local = true;  // arrived from the cluster: never published again
  return o;
}

json selection(const fanout::broadcast_options& opts) { return json{{"rooms", opts.rooms}, {"except", opts.except}}; }

namespace {

// The packet's [event, ...args] when it is an event for namespace `nsp`; null otherwise.
const json* event_data_of(const json& packet, const std::string& nsp) {
  if (!packet.is_object()) return nullptr;
  const auto n = packet.find("nsp");
  if (n != packet.end() && n->is_string() && n->get_ref<const std::string&>() != nsp) return nullptr;
  const auto data = packet.find("data");
  if (data == packet.end() || !data->is_array() || data->empty()) return nullptr;
  return &*data;
}

}  // namespace

size_t local_node::broadcast_with_ack(const fanout::broadcast_packet_ptr& packet,
                                      const fanout::broadcast_options_ptr& opts, uint64_t ack_id,
                                      const fanout::ack_handlers_ptr& handlers, std::chrono::milliseconds timeout) {
  // The memory adapter tells its reporter count at once (synchronously).
  size_t reporters = 0;
  auto local = std::make_shared<fanout::ack_handlers>(*handlers);
  local->expect = [&reporters](size_t n) { reporters = n; };
  members_.broadcast_with_ack(packet, opts, ack_id, local, timeout);
  return reporters;
}

fanout::broadcast_packet_ptr local_node::encode(const json& packet, fanout::log_position position) const {
  const json* data = event_data_of(packet, nsp_);
  if (data == nullptr) return nullptr;
  json copy = *data;
  normalize_notepack(copy);
  auto encoded = socketio::encode_event(nsp_, std::move(copy));
  encoded.position = position;
  return std::make_shared<const fanout::broadcast_packet>(std::move(encoded));
}

void local_node::deliver(const json& packet, const json& opts, fanout::log_position position) {
  if (auto encoded = encode(packet, position)) {
    members_.broadcast(std::move(encoded), std::make_shared<const fanout::broadcast_options>(options_of(opts)));
  }
}

void local_node::deliver_with_ack(const json& packet, const json& opts, std::function<void(size_t)> counted,
                                  std::function<void(json)> acked) {
  const json* data = event_data_of(packet, nsp_);
  if (data == nullptr) return;
  protocol::socketio::packet p;
  p.type = protocol::socketio::packet_type::event;
  p.nsp = nsp_;
  p.id = socketio::next_broadcast_ack_id();
  p.data = *data;
  normalize_notepack(*p.data);
  auto encoded = socketio::encode_packet(p);
  encoded.data = *p.data;
  // Every worker reports its count once; the total goes out when all did.
  struct tally {
    std::mutex mutex;
    int64_t reporters = -1;
    int64_t reported = 0;
    size_t clients = 0;
  };
  auto t = std::make_shared<tally>();
  const auto report_if_done = [t, counted] {
    if (t->reporters < 0 || t->reported < t->reporters) return;
    counted(t->clients);
  };
  auto handlers = std::make_shared<fanout::ack_handlers>();
  handlers->expect = [t, report_if_done](size_t n) {
    std::lock_guard lock(t->mutex);
    t->reporters = static_cast<int64_t>(n);
    report_if_done();
  };
  handlers->count = [t, report_if_done](size_t n) {
    std::lock_guard lock(t->mutex);
    ++t->reported;
    t->clients += n;
    report_if_done();
  };
  handlers->response = std::move(acked);
  members_.broadcast_with_ack(std::make_shared<const fanout::broadcast_packet>(std::move(encoded)),
                              std::make_shared<const fanout::broadcast_options>(options_of(opts)), *p.id, handlers,
                              std::chrono::milliseconds(0));
}

void local_node::gather(std::function<json(fanout::room_index&)> fn, std::function<void(std::vector<json>)> done) {
  struct state {
    std::mutex mutex;
    std::vector<json> results;
    size_t left;
  };
  auto st = std::make_shared<state>();
  st->left = loops_.size();
  for (size_t w = 0; w < loops_.size(); ++w) {
    loops_.post(w, [this, w, st, fn, done] {
      json r = fn(members_.slice(w));
      std::lock_guard lock(st->mutex);
      st->results.push_back(std::move(r));
      if (--st->left == 0) loops_.post(0, [st, done] { done(std::move(st->results)); });
    });
  }
}

void local_node::for_each_socket(const json& opts, std::function<void(socketio::socket&)> fn) {
  const auto o = options_of(opts);
  for (size_t w = 0; w < loops_.size(); ++w) {
    loops_.post(w, [this, w, o, fn] {
      // Collected first: joining, leaving or disconnecting changes the index being walked.
      std::vector<std::shared_ptr<socketio::socket>> selected;
      members_.slice(w).for_each(
          o, [&](fanout::member& m) { selected.push_back(static_cast<socketio::socket&>(m).shared_from_this()); });
      for (auto& s : selected) fn(*s);
    });
  }
}

void local_node::fetch(const json& opts, std::function<void(json)> done) {
  gather(
      [opts](fanout::room_index& slice) {
        json list = json::array();
        slice.for_each(options_of(opts), [&](fanout::member& m) {
          list.push_back(socketio::describe(static_cast<socketio::socket&>(m)));
        });
        return list;
      },
      [done](std::vector<json> parts) {
        json all = json::array();
        for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
        done(std::move(all));
      });
}

void local_node::all_rooms(std::function<void(std::vector<std::string>)> done) {
  gather(
      [](fanout::room_index& slice) {
        json rooms = json::array();
        slice.for_each_room([&](const std::string& r) { rooms.push_back(r); });
        return rooms;
      },
      [done](std::vector<json> parts) {
        std::set<std::string> rooms;
        for (auto& p : parts) {
          for (auto& r : p) rooms.insert(r.get<std::string>());
        }
        done(std::vector<std::string>(rooms.begin(), rooms.end()));
      });
}

}  // namespace switchboard::cluster
