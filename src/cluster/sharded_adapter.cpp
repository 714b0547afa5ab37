#include "cluster/sharded_adapter.h"

#include "socketio/socket.h"

#include <boost/asio/post.hpp>

#include <atomic>
#include <random>

namespace switchboard::cluster {
namespace {

// socket.io-adapter `MessageType` (cluster-adapter.ts).
namespace message {
enum : int {
  broadcast = 3,
  sockets_join = 4,
  sockets_leave = 5,
  disconnect_sockets = 6,
  fetch_sockets = 7,
  fetch_sockets_response = 8,
  server_side_emit = 9,
  server_side_emit_response = 10,
  broadcast_client_count = 11,
  broadcast_ack = 12,
};
}  // namespace message

// 8 random bytes as hex, as the Node adapter's uid.
std::string random_hex_uid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t v = rng();
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (size_t i = 0; i < 16; ++i) out[i] = digits[(v >> (60 - 4 * i)) & 0xf];
  return out;
}

json broadcast_opts(const fanout::broadcast_options& opts, std::optional<std::chrono::milliseconds> timeout = {}) {
  json flags = json::object();
  if (opts.is_volatile) flags["volatile"] = true;
  if (timeout) flags["timeout"] = timeout->count();
  return json{{"rooms", opts.rooms}, {"except", opts.except}, {"flags", std::move(flags)}};
}

std::string string_field(const json& o, const char* key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

sharded_adapter::sharded_adapter(loop_group& loops, redis_link& link, std::string nsp, std::string prefix,
                                 fanout::recovery_settings recovery)
    : loops_(loops),
      link_(link),
      nsp_(std::move(nsp)),
      uid_(random_hex_uid()),
      channel_(prefix + "#" + nsp_ + "#"),
      response_channel_(channel_ + uid_ + "#"),
      node_(loops, nsp_),
      pending_(loops.context(0)),
      pending_acks_(loops.context(0)) {
  link_.ssubscribe(channel_, [this](const std::string&, const std::string& payload) { on_message(payload); });
  link_.ssubscribe(response_channel_, [this](const std::string&, const std::string& payload) { on_response(payload); });
  if (recovery.window.count() > 0) {
    start_recovery(std::make_unique<stream_recovery>(
        loops_, link_, node_, nsp_, prefix, uid_, recovery, recovery_stream::pubsub::sharded,
        [this](const std::string& uid, const json& data, const fanout::broadcast_options& opts) {
          return broadcast_message(uid, data, opts);
        }));
  }
}

void sharded_adapter::join(fanout::member& m, const std::string& room) {
  auto& slice = node_.members().slice(loop_group::current());
  const bool added = !slice.has_room(room);
  node_.members().join(m, room);
  // A socket's own room is private: other servers reach it through the main channel.
  if (added && room != static_cast<socketio::socket&>(m).id()) room_added(room);
}

void sharded_adapter::leave(fanout::member& m, const std::string& room) {
  auto& slice = node_.members().slice(loop_group::current());
  const bool had = slice.has_room(room);
  node_.members().leave(m, room);
  if (had && !slice.has_room(room) && room != static_cast<socketio::socket&>(m).id()) room_removed(room);
}

void sharded_adapter::remove_member(fanout::member& m) {
  const auto rooms = m.joined_rooms();  // a copy: removal empties it; the own room is not in it
  node_.members().remove_member(m);
  const auto& slice = node_.members().slice(loop_group::current());
  for (const auto& room : rooms) {
    if (!slice.has_room(room)) room_removed(room);
  }
}

void sharded_adapter::room_added(const std::string& room) {
  std::lock_guard lock(rooms_mutex_);
  if (++room_workers_[room] != 1) return;
  // Posted under the lock, so worker 0 sees subscribe and unsubscribe in the order decided here.
  loops_.post(0, [this, channel = channel_ + room + "#"] {
    link_.ssubscribe(channel, [this](const std::string&, const std::string& payload) { on_message(payload); });
  });
}

void sharded_adapter::room_removed(const std::string& room) {
  std::lock_guard lock(rooms_mutex_);
  const auto it = room_workers_.find(room);
  if (it == room_workers_.end() || --it->second != 0) return;
  room_workers_.erase(it);
  loops_.post(0, [this, channel = channel_ + room + "#"] { link_.sunsubscribe(channel); });
}

void sharded_adapter::publish(int type, json data, const std::string& channel) {
  link_.spublish(channel, encode_cluster_message(uid_, nsp_, type, std::move(data)));
}

void sharded_adapter::respond(const std::string& requester, int type, json data) {
  publish(type, std::move(data), channel_ + requester + "#");
}

stream_recovery::plain_copy sharded_adapter::broadcast_message(const std::string& uid, const json& data,
                                                               const fanout::broadcast_options& opts) const {
  // As the Node adapter: one public room → that room's channel; anything else → the main one.
  const bool room_channel = opts.rooms.size() == 1 && !looks_like_socket_id(opts.rooms.front());
  return {room_channel ? channel_ + opts.rooms.front() + "#" : channel_,
          encode_cluster_message(
              uid, nsp_, message::broadcast,
              json{{"packet", json{{"type", 2}, {"data", data}, {"nsp", nsp_}}}, {"opts", broadcast_opts(opts)}})};
}

void sharded_adapter::broadcast(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts) {
  node_.members().broadcast(packet, opts);
  if (opts->local) return;
  auto m = broadcast_message(uid_, packet->data, *opts);
  link_.spublish(std::move(m.channel), std::move(m.payload));
}

void sharded_adapter::broadcast_with_ack(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts,
                                         uint64_t ack_id, fanout::ack_handlers_ptr handlers,
                                         std::chrono::milliseconds timeout) {
  if (opts->local) return node_.members().broadcast_with_ack(packet, opts, ack_id, handlers, timeout);
  const size_t local_reporters = node_.broadcast_with_ack(packet, opts, ack_id, handlers, timeout);

  const std::string request_id = random_hex_uid();
  json data{{"packet", json{{"type", 2}, {"data", packet->data}, {"nsp", nsp_}}},
            {"requestId", request_id},
            {"opts", broadcast_opts(*opts, timeout)}};
  loops_.post(0, [this, request_id, handlers, timeout, data = std::move(data)]() mutable {
    pending_acks_.keep(request_id, handlers, timeout);
    publish(message::broadcast, std::move(data), channel_);
  });
  server_count([handlers, local_reporters](size_t servers) { handlers->expect(local_reporters + servers - 1); });
}

void sharded_adapter::remote_join(const fanout::broadcast_options& opts, const std::vector<std::string>& rooms) {
  publish(message::sockets_join, json{{"opts", selection(opts)}, {"rooms", rooms}}, channel_);
}

void sharded_adapter::remote_leave(const fanout::broadcast_options& opts, const std::vector<std::string>& rooms) {
  publish(message::sockets_leave, json{{"opts", selection(opts)}, {"rooms", rooms}}, channel_);
}

void sharded_adapter::remote_disconnect(const fanout::broadcast_options& opts, bool close) {
  publish(message::disconnect_sockets, json{{"opts", selection(opts)}, {"close", close}}, channel_);
}

void sharded_adapter::remote_fetch(const fanout::broadcast_options& opts, std::chrono::milliseconds timeout,
                                   results_fn done) {
  ask(message::fetch_sockets, json{{"opts", selection(opts)}}, timeout, std::move(done));
}

void sharded_adapter::remote_server_side_emit(const json& data, std::chrono::milliseconds timeout, results_fn done) {
  if (!done) return publish(message::server_side_emit, json{{"packet", data}}, channel_);
  ask(message::server_side_emit, json{{"packet", data}}, timeout, std::move(done));
}

void sharded_adapter::server_count(std::function<void(size_t)> done) {
  link_.command({"PUBSUB", "SHARDNUMSUB", channel_}, [done = std::move(done)](const redis_value& v) {
    // Redis away: this server is the only one it can count.
    int64_t servers = 1;
    if (v.type == redis_value::kind::array && v.elements.size() == 2)
      servers = std::max<int64_t>(1, v.elements[1].integer);
    done(static_cast<size_t>(servers));
  });
}

void sharded_adapter::ask(int type, json data, std::chrono::milliseconds timeout, results_fn done) {
  link_.command({"PUBSUB", "SHARDNUMSUB", channel_},
                [this, type, data = std::move(data), timeout, done = std::move(done)](const redis_value& v) mutable {
                  if (v.type != redis_value::kind::array || v.elements.size() != 2)
                    return done(json::array(), false);               // Redis away
                  const int64_t others = v.elements[1].integer - 1;  // we are one of the subscribers
                  if (others <= 0) return done(json::array(), true);
                  const std::string request_id = random_hex_uid();
                  pending_.add(request_id, static_cast<size_t>(others), timeout, std::move(done));
                  data["requestId"] = request_id;
                  publish(type, std::move(data), channel_);
                });
}

void sharded_adapter::on_message(const std::string& payload) {
  const json m = decode_cluster_message(payload);
  if (m.is_discarded()) return drop_bad_message(channel_, payload.size(), "not a message {uid, nsp, type, data}");
  const std::string sender = string_field(m, "uid");
  if (sender == uid_ || string_field(m, "nsp") != nsp_) return;  // our own, or another namespace
  if (heard_on_recovery_channel(sender)) return;                 // heard on the recovery channel
  const json& data = m["data"];
  const json opts = data.value("opts", json::object());
  const json request_id = data.value("requestId", json());
  switch (m["type"].get<int>()) {
    case message::broadcast:
      if (request_id.is_null()) return node_.deliver(data.value("packet", json()), opts);
      return node_.deliver_with_ack(
          data.value("packet", json()), opts,
          [this, sender, request_id](size_t clients) {
            respond(sender, message::broadcast_client_count, json{{"requestId", request_id}, {"clientCount", clients}});
          },
          [this, sender, request_id](json arg) {
            respond(sender, message::broadcast_ack, json{{"requestId", request_id}, {"packet", std::move(arg)}});
          });
    case message::sockets_join:
    case message::sockets_leave: {
      const bool join = m["type"].get<int>() == message::sockets_join;
      const auto rooms = room_list(data.value("rooms", json::array()));
      return node_.for_each_socket(opts, [join, rooms](socketio::socket& s) {
        for (const auto& r : rooms) join ? s.join(r) : s.leave(r);
      });
    }
    case message::disconnect_sockets: {
      const auto close = data.find("close");
      const bool c = close != data.end() && close->is_boolean() && close->get<bool>();
      return node_.for_each_socket(opts, [c](socketio::socket& s) { s.disconnect(c); });
    }
    case message::fetch_sockets:
      if (request_id.is_null()) return;
      return node_.fetch(opts, [this, sender, request_id](json sockets) {
        respond(sender, message::fetch_sockets_response,
                json{{"requestId", request_id}, {"sockets", std::move(sockets)}});
      });
    case message::server_side_emit: {
      auto packet = data.value("packet", json::array());
      if (!packet.is_array() || packet.empty() || !on_server_side_) return;
      std::function<void(json)> reply;
      if (!request_id.is_null()) {
        // One answer per request, as Node's callback: later calls are ignored.
        reply = [this, sender, request_id, called = std::make_shared<std::atomic<bool>>(false)](json arg) {
          if (called->exchange(true)) return;
          respond(sender, message::server_side_emit_response,
                  json{{"requestId", request_id}, {"packet", std::move(arg)}});
        };
      }
      return on_server_side_(std::move(packet), std::move(reply));
    }
    default:
      return;  // heartbeats, ADAPTER_CLOSE: nothing to do for this adapter
  }
}

void sharded_adapter::on_response(const std::string& payload) {
  const json m = decode_cluster_message(payload);
  if (m.is_discarded())
    return drop_bad_message(response_channel_, payload.size(), "not a message {uid, nsp, type, data}");
  const json& data = m["data"];
  const std::string request_id = string_field(data, "requestId");
  if (request_id.empty()) return;
  switch (m["type"].get<int>()) {
    case message::fetch_sockets_response:
      pending_.answer_items(request_id, data.value("sockets", json::array()));
      return;
    case message::server_side_emit_response:
      pending_.answer_item(request_id, data.value("packet", json()));
      return;
    case message::broadcast_client_count:
    case message::broadcast_ack: {
      const auto* acks = pending_acks_.find(request_id);
      if (acks == nullptr) return;  // too late
      if (m["type"].get<int>() == message::broadcast_ack) return acks->response(data.value("packet", json()));
      const auto n = data.find("clientCount");
      acks->count(n != data.end() && n->is_number_unsigned() ? n->get<size_t>() : 0);
      return;
    }
    default:
      return;
  }
}

}  // namespace switchboard::cluster
