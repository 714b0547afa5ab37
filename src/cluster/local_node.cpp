#include "cluster/local_node.h"

#include "socketio/broadcast.h"
#include "socketio/describe.h"
#include "socketio/encode.h"

#include <mutex>
#include <set>

namespace switchboard::cluster {

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
  auto p = remote_event(packet, nsp_);
  if (!p) return nullptr;
  auto encoded = socketio::encode_packet(*p);
  encoded.data = std::move(*p->data);
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
  auto p = remote_event(packet, nsp_);
  if (!p) return;
  p->id = socketio::next_broadcast_ack_id();
  auto encoded = socketio::encode_packet(*p);
  encoded.data = std::move(*p->data);
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
                              std::make_shared<const fanout::broadcast_options>(options_of(opts)), *p->id, handlers,
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
