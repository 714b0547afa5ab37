#include "cluster/redis_adapter.h"

#include "base/log.h"
#include "base/random_id.h"
#include "cluster/classic_wire.h"
#include "socketio/broadcast.h"
#include "socketio/encode.h"

#include <boost/asio/steady_timer.hpp>

#include <ctime>
#include <mutex>
#include <set>

namespace switchboard::cluster {
namespace {

// Request types of @socket.io/redis-adapter 8.x (lib/index.ts `RequestType`).
namespace request {
enum : int {
  sockets = 0,
  all_rooms = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit = 6,
  broadcast = 7,  // with acknowledgements
  broadcast_client_count = 8,
  broadcast_ack = 9,
};
}  // namespace request

// Rooms may arrive as numbers (the Node adapter tolerates them); we name rooms by strings.
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

// Node's `new Date().toString()`, as socket.handshake.time.
std::string date_string(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &tm);
  return buf;
}

// A socket as Node's fetchSockets() describes it: {id, handshake, rooms, data}.
json describe(socketio::socket& s) {
  const auto& hs = s.handshake_data();
  json headers = json::object(), query = json::object();
  std::string url, address;
  int64_t issued = 0;
  bool secure = false, xdomain = false;
  if (hs.info) {
    for (const auto& [name, value] : hs.info->headers) {
      headers[name] = value;
      xdomain = xdomain || name == "origin";
    }
    for (const auto& [key, value] : hs.info->query) query[key] = value;
    url = hs.info->url;
    address = hs.info->address;
    issued = hs.info->issued_ms;
    secure = hs.info->secure;
  }
  json rooms = json::array();
  for (const auto& r : s.rooms()) rooms.push_back(r);
  return json{{"id", s.id()},
              {"handshake",
               {{"headers", std::move(headers)},
                {"time", date_string(issued)},
                {"address", address},
                {"xdomain", xdomain},
                {"secure", secure},
                {"issued", issued},
                {"url", url},
                {"query", std::move(query)},
                {"auth", hs.auth}}},
              {"rooms", std::move(rooms)},
              {"data", s.data()}};
}

}  // namespace

redis_adapter::redis_adapter(loop_group& loops, redis_link& link, std::string nsp, cluster_identity id)
    : loops_(loops),
      link_(link),
      nsp_(std::move(nsp)),
      id_(std::move(id)),
      uid_(random_id().substr(0, 6)),  // uid2(6), as the Node adapter
      channel_(id_.prefix + "#" + nsp_ + "#"),
      request_channel_(id_.prefix + "-request#" + nsp_ + "#"),
      response_channel_(id_.prefix + "-response#" + nsp_ + "#"),
      local_(loops) {
  link_.psubscribe(channel_ + "*", [this](const std::string&, const std::string& payload) { on_broadcast(payload); });
  link_.subscribe(request_channel_, [this](const std::string&, const std::string& payload) { on_request(payload); });
  const auto on_response_fn = [this](const std::string&, const std::string& payload) { on_response(payload); };
  link_.subscribe(response_channel_, on_response_fn);
  link_.subscribe(response_channel_ + uid_ + "#", on_response_fn);
}

void redis_adapter::broadcast(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts) {
  local_.broadcast(packet, opts);
  if (opts->local) return;
  link_.publish(broadcast_channel(channel_, *opts), encode_broadcast(uid_, nsp_, packet->data, *opts));
}

void redis_adapter::on_broadcast(const std::string& payload) {
  const json message = json::from_msgpack(payload, true, false);
  if (!message.is_array() || message.size() < 2 || !message[1].is_object()) {
    SB_LOG(warn, "event=redis_bad_message channel=" << channel_ << " bytes=" << payload.size());
    return;
  }
  if (message[0].is_string() && message[0].get_ref<const std::string&>() == uid_) return;  // our own
  deliver_remote(message[1], message.size() > 2 ? message[2] : json::object());
}

void redis_adapter::deliver_remote(const json& packet, const json& opts) {
  const auto nsp = packet.find("nsp");
  if (nsp != packet.end() && nsp->is_string() && nsp->get_ref<const std::string&>() != nsp_) return;
  const auto data = packet.find("data");
  if (data == packet.end() || !data->is_array() || data->empty()) return;
  protocol::socketio::packet p;
  p.type = protocol::socketio::packet_type::event;
  p.nsp = nsp_;
  p.data = *data;
  auto encoded = socketio::encode_packet(p);
  encoded.data = *data;
  local_.broadcast(std::make_shared<const fanout::broadcast_packet>(std::move(encoded)),
                   std::make_shared<const fanout::broadcast_options>(options_of(opts)));
}

void redis_adapter::respond(const json& response) { link_.publish(response_channel_, response.dump()); }

void redis_adapter::gather(std::function<json(fanout::room_index&)> fn, std::function<void(std::vector<json>)> done) {
  struct state {
    std::mutex mutex;
    std::vector<json> results;
    size_t left;
  };
  auto st = std::make_shared<state>();
  st->left = loops_.size();
  for (size_t w = 0; w < loops_.size(); ++w) {
    loops_.post(w, [this, w, st, fn, done] {
      json r = fn(local_.slice(w));
      std::lock_guard lock(st->mutex);
      st->results.push_back(std::move(r));
      if (--st->left == 0) loops_.post(0, [st, done] { done(std::move(st->results)); });
    });
  }
}

void redis_adapter::for_each_socket(const json& opts, std::function<void(socketio::socket&)> fn) {
  const auto o = options_of(opts);
  for (size_t w = 0; w < loops_.size(); ++w) {
    loops_.post(w, [this, w, o, fn] {
      // Collected first: joining, leaving or disconnecting changes the index being walked.
      std::vector<std::shared_ptr<socketio::socket>> selected;
      local_.slice(w).for_each(
          o, [&](fanout::member& m) { selected.push_back(static_cast<socketio::socket&>(m).shared_from_this()); });
      for (auto& s : selected) fn(*s);
    });
  }
}

void redis_adapter::on_request(const std::string& payload) {
  // JSON, except BROADCAST with ack, which is MessagePack (the first byte tells).
  const json req = !payload.empty() && payload[0] == '{' ? json::parse(payload, nullptr, false)
                                                         : json::from_msgpack(payload, true, false);
  if (!req.is_object() || !req.contains("type") || !req["type"].is_number_integer()) return;
  if (auto uid = req.find("uid"); uid != req.end() && uid->is_string() && uid->get_ref<const std::string&>() == uid_)
    return;  // our own request
  const json request_id = req.value("requestId", json());
  const json opts = req.value("opts", json::object());
  switch (req["type"].get<int>()) {
    case request::sockets: {
      json o = json{{"rooms", req.value("rooms", json::array())}, {"except", json::array()}};
      gather(
          [o](fanout::room_index& slice) {
            json ids = json::array();
            slice.for_each(options_of(o),
                           [&](fanout::member& m) { ids.push_back(static_cast<socketio::socket&>(m).id()); });
            return ids;
          },
          [this, request_id](std::vector<json> parts) {
            json all = json::array();
            for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
            respond(json{{"requestId", request_id}, {"sockets", std::move(all)}});
          });
      break;
    }
    case request::all_rooms:
      gather(
          [](fanout::room_index& slice) {
            json rooms = json::array();
            slice.for_each_room([&](const std::string& r) { rooms.push_back(r); });
            return rooms;
          },
          [this, request_id](std::vector<json> parts) {
            std::set<std::string> rooms;
            for (auto& p : parts) {
              for (auto& r : p) rooms.insert(r.get<std::string>());
            }
            respond(json{{"requestId", request_id}, {"rooms", rooms}});
          });
      break;
    case request::remote_join:
    case request::remote_leave: {
      const bool join = req["type"].get<int>() == request::remote_join;
      if (req.contains("sid") && req.contains("room")) {  // the legacy form names one socket
        const json o = json{{"rooms", json::array({req["sid"]})}};
        const auto room = req["room"].is_string() ? req["room"].get<std::string>() : req["room"].dump();
        for_each_socket(o, [join, room](socketio::socket& s) { join ? s.join(room) : s.leave(room); });
        if (!request_id.is_null()) respond(json{{"requestId", request_id}});
        break;
      }
      const auto rooms = room_list(req.value("rooms", json::array()));
      for_each_socket(opts, [join, rooms](socketio::socket& s) {
        for (const auto& r : rooms) join ? s.join(r) : s.leave(r);
      });
      break;
    }
    case request::remote_disconnect: {
      const bool close = req.contains("close") && req["close"].is_boolean() && req["close"].get<bool>();
      if (req.contains("sid")) {
        for_each_socket(json{{"rooms", json::array({req["sid"]})}},
                        [close](socketio::socket& s) { s.disconnect(close); });
        if (!request_id.is_null()) respond(json{{"requestId", request_id}});
        break;
      }
      for_each_socket(opts, [close](socketio::socket& s) { s.disconnect(close); });
      break;
    }
    case request::remote_fetch:
      gather(
          [opts](fanout::room_index& slice) {
            json list = json::array();
            slice.for_each(options_of(opts),
                           [&](fanout::member& m) { list.push_back(describe(static_cast<socketio::socket&>(m))); });
            return list;
          },
          [this, request_id](std::vector<json> parts) {
            json all = json::array();
            for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
            respond(json{{"requestId", request_id}, {"sockets", std::move(all)}});
          });
      break;
    case request::server_side_emit: {
      // Every Switchboard node answers "ping" with its node id (DESIGN.md §7), so any member of a
      // mixed cluster can count the live nodes. Other server-side events have no handler here.
      const auto data = req.value("data", json::array());
      if (!request_id.is_null() && data.is_array() && !data.empty() && data[0] == "ping")
        respond(json{{"type", request::server_side_emit}, {"requestId", request_id}, {"data", id_.node_id}});
      break;
    }
    case request::broadcast:
      answer_broadcast_with_ack(req);
      break;
    default:
      break;
  }
}

void redis_adapter::broadcast_with_ack(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts,
                                       uint64_t ack_id, fanout::ack_handlers_ptr handlers,
                                       std::chrono::milliseconds timeout) {
  if (opts->local) return local_.broadcast_with_ack(packet, opts, ack_id, handlers, timeout);
  // The memory adapter tells its reporter count at once; the total waits for NUMSUB's answer.
  size_t local_reporters = 0;
  auto local = std::make_shared<fanout::ack_handlers>(*handlers);
  local->expect = [&local_reporters](size_t n) { local_reporters = n; };
  local_.broadcast_with_ack(packet, opts, ack_id, local, timeout);

  const std::string request_id = random_id().substr(0, 6);
  json flags = json{{"timeout", timeout.count()}};
  if (opts->is_volatile) flags["volatile"] = true;
  const json request{{"uid", uid_},
                     {"requestId", request_id},
                     {"type", request::broadcast},
                     {"packet", json{{"type", 2}, {"data", packet->data}, {"nsp", nsp_}}},
                     {"opts", json{{"rooms", opts->rooms}, {"except", opts->except}, {"flags", flags}}}};
  const auto bytes = json::to_msgpack(request);
  loops_.post(0, [this, request_id, handlers, timeout] {
    pending_acks_[request_id] = handlers;
    auto timer = std::make_shared<boost::asio::steady_timer>(loops_.context(0), timeout);
    timer->async_wait([this, request_id, timer](boost::system::error_code) { pending_acks_.erase(request_id); });
  });
  link_.publish(request_channel_, std::string(bytes.begin(), bytes.end()));
  link_.command({"PUBSUB", "NUMSUB", request_channel_}, [handlers, local_reporters](const redis_value& v) {
    // [channel, count]; we are one of the subscribers. Redis away: only this node answers.
    int64_t servers = 1;
    if (v.type == redis_value::kind::array && v.elements.size() == 2) servers = v.elements[1].integer;
    handlers->expect(local_reporters + static_cast<size_t>(std::max<int64_t>(0, servers - 1)));
  });
}

void redis_adapter::answer_broadcast_with_ack(const json& req) {
  const json request_id = req.value("requestId", json());
  const auto packet = req.find("packet");
  if (request_id.is_null() || packet == req.end() || !packet->is_object()) return;
  const auto data = packet->find("data");
  if (data == packet->end() || !data->is_array() || data->empty()) return;
  protocol::socketio::packet p;
  p.type = protocol::socketio::packet_type::event;
  p.nsp = nsp_;
  p.id = socketio::next_broadcast_ack_id();
  p.data = *data;
  auto encoded = socketio::encode_packet(p);
  encoded.data = *data;
  // One BROADCAST_CLIENT_COUNT for this node once every worker counted, then one BROADCAST_ACK
  // per client answer (MessagePack, as the Node adapter sends it).
  struct tally {
    std::mutex mutex;
    int64_t reporters = -1;
    int64_t reported = 0;
    size_t clients = 0;
  };
  auto t = std::make_shared<tally>();
  const auto report_if_done = [this, t, request_id] {
    if (t->reporters < 0 || t->reported < t->reporters) return;
    respond(json{{"type", request::broadcast_client_count}, {"requestId", request_id}, {"clientCount", t->clients}});
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
  handlers->response = [this, request_id](json arg) {
    const auto bytes =
        json::to_msgpack(json{{"type", request::broadcast_ack}, {"requestId", request_id}, {"packet", std::move(arg)}});
    link_.publish(response_channel_, std::string(bytes.begin(), bytes.end()));
  };
  auto opts = options_of(req.value("opts", json::object()));
  local_.broadcast_with_ack(std::make_shared<const fanout::broadcast_packet>(std::move(encoded)),
                            std::make_shared<const fanout::broadcast_options>(std::move(opts)), *p.id, handlers,
                            std::chrono::milliseconds(0));
}

void redis_adapter::on_response(const std::string& payload) {
  const json res = !payload.empty() && payload[0] == '{' ? json::parse(payload, nullptr, false)
                                                         : json::from_msgpack(payload, true, false);
  if (!res.is_object()) return;
  const auto rid = res.find("requestId");
  const auto type = res.find("type");
  if (rid == res.end() || !rid->is_string() || type == res.end() || !type->is_number_integer()) return;
  const auto it = pending_acks_.find(rid->get<std::string>());
  if (it == pending_acks_.end()) return;  // another server's request, or too late
  if (type->get<int>() == request::broadcast_client_count) {
    const auto n = res.find("clientCount");
    it->second->count(n != res.end() && n->is_number_unsigned() ? n->get<size_t>() : 0);
  } else if (type->get<int>() == request::broadcast_ack) {
    it->second->response(res.value("packet", json()));
  }
}

}  // namespace switchboard::cluster
