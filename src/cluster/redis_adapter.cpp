#include "cluster/redis_adapter.h"

#include "base/log.h"
#include "base/random_id.h"
#include "cluster/classic_wire.h"
#include "socketio/broadcast.h"
#include "socketio/describe.h"
#include "socketio/encode.h"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
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

}  // namespace

redis_adapter::redis_adapter(loop_group& loops, redis_link& link, std::string nsp, std::string prefix)
    : loops_(loops),
      link_(link),
      nsp_(std::move(nsp)),
      prefix_(std::move(prefix)),
      uid_(random_id().substr(0, 6)),  // uid2(6), as the Node adapter
      channel_(prefix_ + "#" + nsp_ + "#"),
      request_channel_(prefix_ + "-request#" + nsp_ + "#"),
      response_channel_(prefix_ + "-response#" + nsp_ + "#"),
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
            slice.for_each(options_of(opts), [&](fanout::member& m) {
              list.push_back(socketio::describe(static_cast<socketio::socket&>(m)));
            });
            return list;
          },
          [this, request_id](std::vector<json> parts) {
            json all = json::array();
            for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
            respond(json{{"requestId", request_id}, {"sockets", std::move(all)}});
          });
      break;
    case request::server_side_emit: {
      auto data = req.value("data", json::array());
      if (!data.is_array() || data.empty() || !on_server_side_) break;
      std::function<void(json)> reply;
      if (!request_id.is_null()) {
        // One answer per request, as Node's callback: later calls are ignored.
        reply = [this, request_id, called = std::make_shared<std::atomic<bool>>(false)](json arg) {
          if (called->exchange(true)) return;
          respond(json{{"type", request::server_side_emit}, {"requestId", request_id}, {"data", std::move(arg)}});
        };
      }
      on_server_side_(std::move(data), std::move(reply));
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
  if (rid == res.end() || !rid->is_string()) return;
  if (on_answer(rid->get<std::string>(), res)) return;
  const auto type = res.find("type");
  if (type == res.end() || !type->is_number_integer()) return;
  const auto it = pending_acks_.find(rid->get<std::string>());
  if (it == pending_acks_.end()) return;  // another server's request, or too late
  if (type->get<int>() == request::broadcast_client_count) {
    const auto n = res.find("clientCount");
    it->second->count(n != res.end() && n->is_number_unsigned() ? n->get<size_t>() : 0);
  } else if (type->get<int>() == request::broadcast_ack) {
    it->second->response(res.value("packet", json()));
  }
}

namespace {

// The `opts` of REMOTE_* requests: which sockets, as rooms and exceptions.
json selection(const fanout::broadcast_options& opts) { return json{{"rooms", opts.rooms}, {"except", opts.except}}; }

}  // namespace

void redis_adapter::remote_join(const fanout::broadcast_options& opts, const std::vector<std::string>& rooms) {
  link_.publish(
      request_channel_,
      json{{"uid", uid_}, {"type", request::remote_join}, {"opts", selection(opts)}, {"rooms", rooms}}.dump());
}

void redis_adapter::remote_leave(const fanout::broadcast_options& opts, const std::vector<std::string>& rooms) {
  link_.publish(
      request_channel_,
      json{{"uid", uid_}, {"type", request::remote_leave}, {"opts", selection(opts)}, {"rooms", rooms}}.dump());
}

void redis_adapter::remote_disconnect(const fanout::broadcast_options& opts, bool close) {
  link_.publish(
      request_channel_,
      json{{"uid", uid_}, {"type", request::remote_disconnect}, {"opts", selection(opts)}, {"close", close}}.dump());
}

void redis_adapter::remote_fetch(const fanout::broadcast_options& opts, std::chrono::milliseconds timeout,
                                 results_fn done) {
  ask(json{{"uid", uid_}, {"type", request::remote_fetch}, {"opts", selection(opts)}}, timeout, std::move(done));
}

void redis_adapter::remote_server_side_emit(const json& data, std::chrono::milliseconds timeout, results_fn done) {
  if (!done) {
    link_.publish(request_channel_, json{{"uid", uid_}, {"type", request::server_side_emit}, {"data", data}}.dump());
    return;
  }
  ask(json{{"uid", uid_}, {"type", request::server_side_emit}, {"data", data}}, timeout, std::move(done));
}

void redis_adapter::server_count(std::function<void(size_t)> done) {
  link_.command({"PUBSUB", "NUMSUB", request_channel_}, [done = std::move(done)](const redis_value& v) {
    // Redis away: this server is the only one it can count.
    int64_t servers = 1;
    if (v.type == redis_value::kind::array && v.elements.size() == 2)
      servers = std::max<int64_t>(1, v.elements[1].integer);
    done(static_cast<size_t>(servers));
  });
}

struct redis_adapter::pending_request {
  explicit pending_request(boost::asio::io_context& ctx) : timer(ctx) {}
  size_t expected = 0;
  size_t received = 0;
  json results = json::array();
  results_fn done;
  boost::asio::steady_timer timer;
};

void redis_adapter::ask(json request, std::chrono::milliseconds timeout, results_fn done) {
  // As the Node adapter: count the servers first, then publish, so every answer finds its request.
  link_.command({"PUBSUB", "NUMSUB", request_channel_},
                [this, request = std::move(request), timeout, done = std::move(done)](const redis_value& v) mutable {
                  if (v.type != redis_value::kind::array || v.elements.size() != 2)
                    return done(json::array(), false);               // Redis away
                  const int64_t others = v.elements[1].integer - 1;  // we are one of the subscribers
                  if (others <= 0) return done(json::array(), true);
                  const std::string request_id = random_id().substr(0, 6);
                  auto p = std::make_shared<pending_request>(loops_.context(0));
                  p->expected = static_cast<size_t>(others);
                  p->done = std::move(done);
                  pending_requests_[request_id] = p;
                  p->timer.expires_after(timeout);
                  p->timer.async_wait([this, request_id](boost::system::error_code ec) {
                    if (ec) return;
                    const auto it = pending_requests_.find(request_id);
                    if (it == pending_requests_.end()) return;
                    auto expired = it->second;
                    pending_requests_.erase(it);
                    expired->done(std::move(expired->results), false);
                  });
                  request["requestId"] = request_id;
                  link_.publish(request_channel_, request.dump());
                });
}

bool redis_adapter::on_answer(const std::string& request_id, const json& response) {
  const auto it = pending_requests_.find(request_id);
  if (it == pending_requests_.end()) return false;
  auto p = it->second;
  if (const auto sockets = response.find("sockets"); sockets != response.end() && sockets->is_array()) {
    for (const auto& s : *sockets) p->results.push_back(s);
  } else if (const auto data = response.find("data"); data != response.end()) {
    p->results.push_back(*data);
  }
  if (++p->received < p->expected) return true;
  pending_requests_.erase(it);
  p->timer.cancel();
  p->done(std::move(p->results), true);
  return true;
}

}  // namespace switchboard::cluster
