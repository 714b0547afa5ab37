#include "cluster/redis_adapter.h"

#include "base/log.h"
#include "base/metrics.h"
#include "base/random_id.h"
#include "cluster/classic_wire.h"
#include "cluster/local_node.h"
#include "socketio/broadcast.h"
#include "socketio/encode.h"

#include <algorithm>
#include <atomic>

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

}  // namespace

redis_adapter::redis_adapter(loop_group& loops, redis_link& link, std::string nsp, std::string prefix,
                             fanout::recovery_settings recovery)
    : loops_(loops),
      link_(link),
      nsp_(std::move(nsp)),
      prefix_(std::move(prefix)),
      uid_(random_id().substr(0, 6)),  // uid2(6), as the Node adapter
      channel_(prefix_ + "#" + nsp_ + "#"),
      request_channel_(prefix_ + "-request#" + nsp_ + "#"),
      response_channel_(prefix_ + "-response#" + nsp_ + "#"),
      node_(loops, nsp_),
      pending_(loops.context(0)),
      pending_acks_(loops.context(0)) {
  if (recovery.window.count() > 0) {
    start_recovery(std::make_unique<stream_recovery>(
        loops_, link_, node_, nsp_, prefix_, uid_, recovery, recovery_stream::pubsub::classic,
        [this](const std::string& uid, const json& data, const fanout::broadcast_options& opts) {
          return stream_recovery::plain_copy{broadcast_channel(channel_, opts),
                                             encode_broadcast(uid, nsp_, data, opts)};
        }));
  }
  link_.psubscribe(channel_ + "*", [this](const std::string&, const std::string& payload) { on_broadcast(payload); });
  link_.subscribe(request_channel_, [this](const std::string&, const std::string& payload) { on_request(payload); });
  const auto on_response_fn = [this](const std::string&, const std::string& payload) { on_response(payload); };
  link_.subscribe(response_channel_, on_response_fn);
  link_.subscribe(response_channel_ + uid_ + "#", on_response_fn);
}

void redis_adapter::broadcast(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts) {
  node_.members().broadcast(packet, opts);
  if (opts->local) return;
  link_.publish(broadcast_channel(channel_, *opts), encode_broadcast(uid_, nsp_, packet->data, *opts));
}

void redis_adapter::on_broadcast(const std::string& payload) {
  const auto message = decode_classic_broadcast(payload);
  if (!message) return drop_bad_message(channel_, payload.size(), "not a MessagePack [uid, packet, opts]");
  if (message->uid == uid_) return;                     // our own
  if (heard_on_recovery_channel(message->uid)) return;  // heard on the recovery channel
  node_.deliver(message->packet, message->opts);
}

void redis_adapter::respond(const json& response) {
  link_.publish(response_channel_, encode_classic_response(response));
}

void redis_adapter::on_request(const std::string& payload) {
  const json req = decode_classic_request(payload);
  if (req.is_discarded()) return drop_bad_message(request_channel_, payload.size(), "not a request {type, ...}");
  if (auto uid = req.find("uid"); uid != req.end() && uid->is_string() && uid->get_ref<const std::string&>() == uid_)
    return;  // our own request
  const json request_id = req.value("requestId", json());
  const json opts = req.value("opts", json::object());
  switch (req["type"].get<int>()) {
    case request::sockets: {
      json o = json{{"rooms", req.value("rooms", json::array())}, {"except", json::array()}};
      node_.gather(
          [o](fanout::room_index& slice) {
            json ids = json::array();
            slice.for_each(options_of(o), [&](fanout::member& m) {
              ids.push_back(std::string(static_cast<socketio::socket&>(m).id()));
            });
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
      node_.all_rooms([this, request_id](std::vector<std::string> rooms) {
        respond(json{{"requestId", request_id}, {"rooms", std::move(rooms)}});
      });
      break;
    case request::remote_join:
    case request::remote_leave: {
      const bool join = req["type"].get<int>() == request::remote_join;
      if (req.contains("sid") && req.contains("room")) {  // the legacy form names one socket
        const json o = json{{"rooms", json::array({req["sid"]})}};
        const auto room = req["room"].is_string() ? req["room"].get<std::string>() : req["room"].dump();
        node_.for_each_socket(o, [join, room](socketio::socket& s) { join ? s.join(room) : s.leave(room); });
        if (!request_id.is_null()) respond(json{{"requestId", request_id}});
        break;
      }
      const auto rooms = room_list(req.value("rooms", json::array()));
      node_.for_each_socket(opts, [join, rooms](socketio::socket& s) {
        for (const auto& r : rooms) join ? s.join(r) : s.leave(r);
      });
      break;
    }
    case request::remote_disconnect: {
      const bool close = req.contains("close") && req["close"].is_boolean() && req["close"].get<bool>();
      if (req.contains("sid")) {
        node_.for_each_socket(json{{"rooms", json::array({req["sid"]})}},
                              [close](socketio::socket& s) { s.disconnect(close); });
        if (!request_id.is_null()) respond(json{{"requestId", request_id}});
        break;
      }
      node_.for_each_socket(opts, [close](socketio::socket& s) { s.disconnect(close); });
      break;
    }
    case request::remote_fetch:
      node_.fetch(opts, [this, request_id](json sockets) {
        respond(json{{"requestId", request_id}, {"sockets", std::move(sockets)}});
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
  if (opts->local) return node_.members().broadcast_with_ack(packet, opts, ack_id, handlers, timeout);
  // The total of reporters waits for NUMSUB's answer.
  const size_t local_reporters = node_.broadcast_with_ack(packet, opts, ack_id, handlers, timeout);

  const std::string request_id = random_id().substr(0, 6);
  json flags = json{{"timeout", timeout.count()}};
  if (opts->is_volatile) flags["volatile"] = true;
  const json request{{"uid", uid_},
                     {"requestId", request_id},
                     {"type", request::broadcast},
                     {"packet", json{{"type", 2}, {"data", packet->data}, {"nsp", nsp_}}},
                     {"opts", json{{"rooms", opts->rooms}, {"except", opts->except}, {"flags", flags}}}};
  const auto bytes = json::to_msgpack(request);
  loops_.post(0, [this, request_id, handlers, timeout] { pending_acks_.keep(request_id, handlers, timeout); });
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
  if (request_id.is_null()) return;
  // One BROADCAST_CLIENT_COUNT for this node, then one BROADCAST_ACK per client answer
  // (MessagePack, as the Node adapter sends it).
  node_.deliver_with_ack(
      req.value("packet", json()), req.value("opts", json::object()),
      [this, request_id](size_t clients) {
        respond(json{{"type", request::broadcast_client_count}, {"requestId", request_id}, {"clientCount", clients}});
      },
      [this, request_id](json arg) {
        const auto bytes = json::to_msgpack(
            json{{"type", request::broadcast_ack}, {"requestId", request_id}, {"packet", std::move(arg)}});
        link_.publish(response_channel_, std::string(bytes.begin(), bytes.end()));
      });
}

void redis_adapter::on_response(const std::string& payload) {
  const json res = decode_classic_response(payload);
  if (res.is_discarded()) return drop_bad_message(response_channel_, payload.size(), "not a response {requestId, ...}");
  const auto rid = res.find("requestId");
  if (on_answer(rid->get<std::string>(), res)) return;
  const auto type = res.find("type");
  if (type == res.end() || !type->is_number_integer()) return;
  const auto* acks = pending_acks_.find(rid->get<std::string>());
  if (acks == nullptr) return;  // another server's request, or too late
  if (type->get<int>() == request::broadcast_client_count) {
    const auto n = res.find("clientCount");
    acks->count(n != res.end() && n->is_number_unsigned() ? n->get<size_t>() : 0);
  } else if (type->get<int>() == request::broadcast_ack) {
    acks->response(res.value("packet", json()));
  }
}

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

void redis_adapter::ask(json request, std::chrono::milliseconds timeout, results_fn done) {
  // As the Node adapter: count the servers first, then publish, so every answer finds its request.
  link_.command({"PUBSUB", "NUMSUB", request_channel_},
                [this, request = std::move(request), timeout, done = std::move(done)](const redis_value& v) mutable {
                  if (v.type != redis_value::kind::array || v.elements.size() != 2)
                    return done(json::array(), false);               // Redis away
                  const int64_t others = v.elements[1].integer - 1;  // we are one of the subscribers
                  if (others <= 0) return done(json::array(), true);
                  const std::string request_id = random_id().substr(0, 6);
                  pending_.add(request_id, static_cast<size_t>(others), timeout, std::move(done));
                  request["requestId"] = request_id;
                  link_.publish(request_channel_, request.dump());
                });
}

bool redis_adapter::on_answer(const std::string& request_id, const json& response) {
  // REMOTE_FETCH answers carry `sockets`, SERVER_SIDE_EMIT answers `data`.
  if (const auto sockets = response.find("sockets"); sockets != response.end())
    return pending_.answer_items(request_id, *sockets);
  return pending_.answer_item(request_id, response.value("data", json()));
}

}  // namespace switchboard::cluster
