// A small server on the library API that exposes each capability as an event, for the black-box
// integration tests (tests/integration). Its contract, namespace "/":
//   on connection      emits "welcome" {id, recovered}
//   "echo" ...args     emits "echo" with the same args (binary stays binary)
//   "ack" ...args, cb  acknowledges with the same args
//   "join" room, cb    joins the room, acks true;  "leave" room, cb likewise
//   "to-room" {room, event, args[, except_me]}   broadcasts to the room (optionally not to the sender)
//   "to-all-volatile" {event, args}              volatile broadcast to the namespace
//   "ask" {payload, timeout}    emits "question" payload with an ack; reports "answer" {timed_out, args}
//   "ask-room" {room, payload, timeout}   broadcasts "question" payload with an ack to the room;
//                               reports "answers" {timed_out, responses}
//   "disconnect-me" close       server-side disconnect (close=true ends the connection)
//   "drop-transport"            closes the Engine.IO session without a DISCONNECT packet
//   "flood" {room, count, size, every}, cb   broadcasts "m" [i, <size bytes>] to the room count
//                               times, 32 every `every` ms (default 5); acks true when all are sent
// The cluster operations of the library API, each answered through the ack:
//   "fetch" {room?, except?, timeout?}     fetch_sockets → {complete, sockets:[{id, rooms, data}]}
//   "sockets-join" {room?, rooms}, "sockets-leave" {room?, rooms}, "disconnect-sockets" {room?, close}
//   "server-emit" {args:[event, ...], ack?, timeout?}   server_side_emit → true | {timed_out, responses}
//   "server-count"                         → the number of servers
//   "set-data" value                       socket.data.value = value (seen by fetch)
// Server-side event "hello" from other servers: answered with {node, args} and announced to the
// local clients as "server-side" {event, args}; "ping" is answered with the node id (--node-id).
// --redis-mode sharded uses the sharded adapter. --recovery-window MS turns connection state
// recovery on.
// "/shared" shows handlers shared by a namespace's sockets: "count", cb acks this socket's count of
// "count" events (1, 2, …) unless it connected with auth {own: true} ("own"); a disconnecting
// member is announced to the others as "left" [id, reason].
// "/admin" refuses connections whose auth.token is not "secret" (connect_error "unauthorized",
// data {reason}). GET /debug/stats answers {"sessions":N}. With --redis URL it joins a cluster
// through the Redis adapter (the cluster tests ask across nodes with "ask-room").
#include "base/log.h"
#include "cluster/redis_adapter.h"
#include "cluster/sharded_adapter.h"
#include "http/listener.h"
#include "socketio/server.h"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <iostream>
#include <thread>

using namespace switchboard;
using sio_socket = socketio::socket;

namespace {

// "flood": `count` broadcasts to `room`, a batch every `every`, then the acknowledgement.
struct flood : std::enable_shared_from_this<flood> {
  flood(socketio::namespace_& n, std::string r, size_t c, std::string p, std::chrono::milliseconds e,
        sio_socket::ack_fn a)
      : nsp(n),
        room(std::move(r)),
        count(c),
        payload(std::move(p)),
        every(e),
        ack(std::move(a)),
        timer(n.loops().context(loop_group::current())) {}
  void step() {
    for (const size_t end = std::min(count, sent + 32); sent < end; ++sent)
      nsp.to(room).emit("m", json::array({sent, payload}));
    if (sent == count) {
      if (ack) ack(json::array({true}));
      return;
    }
    timer.expires_after(every);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->step();
    });
  }
  socketio::namespace_& nsp;
  std::string room;
  size_t count;
  std::string payload;
  std::chrono::milliseconds every;
  sio_socket::ack_fn ack;
  boost::asio::steady_timer timer;
  size_t sent = 0;
};

// `{room?, except?}` of a request as a selection of sockets.
socketio::broadcast_operator select(socketio::namespace_& nsp, const json& o) {
  socketio::broadcast_operator op(nsp);
  if (o.contains("room") && o["room"].is_string()) op = op.to(o["room"].get<std::string>());
  if (o.contains("except") && o["except"].is_string()) op = op.except(o["except"].get<std::string>());
  return op;
}

std::vector<std::string> strings(const json& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& s : v) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

void add_cluster_events(socketio::namespace_& nsp, sio_socket& s) {
  const auto arg = [](const json& args) { return args.empty() || !args[0].is_object() ? json::object() : args[0]; };
  s.on("fetch", [&nsp, arg](sio_socket&, json args, sio_socket::ack_fn ack) {
    const auto o = arg(args);
    select(nsp, o).fetch_sockets(
        [ack](bool complete, std::vector<socketio::remote_socket> sockets) {
          json list = json::array();
          for (auto& r : sockets) list.push_back(json{{"id", r.id}, {"rooms", r.rooms}, {"data", r.data}});
          if (ack) ack(json::array({json{{"complete", complete}, {"sockets", std::move(list)}}}));
        },
        std::chrono::milliseconds(o.value("timeout", 2000)));
  });
  s.on("sockets-join", [&nsp, arg](sio_socket&, json args, sio_socket::ack_fn ack) {
    select(nsp, arg(args)).sockets_join(strings(arg(args).value("rooms", json::array())));
    if (ack) ack(json::array({true}));
  });
  s.on("sockets-leave", [&nsp, arg](sio_socket&, json args, sio_socket::ack_fn ack) {
    select(nsp, arg(args)).sockets_leave(strings(arg(args).value("rooms", json::array())));
    if (ack) ack(json::array({true}));
  });
  s.on("disconnect-sockets", [&nsp, arg](sio_socket&, json args, sio_socket::ack_fn ack) {
    if (ack) ack(json::array({true}));  // before: the sender may be among the disconnected
    select(nsp, arg(args)).disconnect_sockets(arg(args).value("close", false));
  });
  s.on("server-emit", [&nsp, arg](sio_socket&, json args, sio_socket::ack_fn ack) {
    const auto o = arg(args);
    auto data = o.value("args", json::array());
    if (!data.is_array() || data.empty() || !data[0].is_string()) return;
    const auto event = data[0].get<std::string>();
    data.erase(data.begin());
    if (!o.value("ack", false)) {
      nsp.server_side_emit(event, std::move(data));
      if (ack) ack(json::array({true}));
      return;
    }
    nsp.server_side_emit_with_ack(
        event, std::move(data), std::chrono::milliseconds(o.value("timeout", 2000)),
        [ack](bool timed_out, json responses) {
          if (ack) ack(json::array({json{{"timed_out", timed_out}, {"responses", std::move(responses)}}}));
        });
  });
  s.on("server-count", [&nsp](sio_socket&, json, sio_socket::ack_fn ack) {
    nsp.server_count([ack](size_t n) {
      if (ack) ack(json::array({n}));
    });
  });
  s.on("set-data", [](sio_socket& self, json args, sio_socket::ack_fn ack) {
    json data = self.data();
    data["value"] = args.empty() ? json() : args[0];
    self.set_data(data);
    if (ack) ack(json::array({true}));
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Switchboard testbed server (drives the integration tests)"};
  std::string host = "127.0.0.1";
  uint16_t port = 3000;
  size_t threads = 2;
  size_t max_payload = 1'000'000;
  size_t send_queue_limit = 8 << 20;
  int ping_interval = 25'000, ping_timeout = 20'000;
  std::string level = "warn";
  std::string redis_url;
  std::string node_id = "testbed";
  std::string redis_mode = "classic";
  int recovery_window = 0;
  size_t max_namespaces = 0;
  app.add_option("--recovery-window", recovery_window);
  app.add_option("--max-namespaces", max_namespaces);
  app.add_option("--host", host);
  app.add_option("--node-id", node_id);
  app.add_option("--redis-mode", redis_mode)->check(CLI::IsMember({"classic", "sharded"}));
  app.add_option("--redis", redis_url);
  app.add_option("--port", port);
  app.add_option("--threads", threads)->check(CLI::Range(1, 64));
  app.add_option("--max-payload", max_payload);
  app.add_option("--send-queue-limit", send_queue_limit);
  app.add_option("--ping-interval", ping_interval);
  app.add_option("--ping-timeout", ping_timeout);
  app.add_option("--log-level", level);
  CLI11_PARSE(app, argc, argv);
  log_level lvl;
  if (!parse_log_level(level, lvl)) {
    std::cerr << "--log-level: expected debug, info, warn, error or off\n";
    return 2;
  }
  set_log_level(lvl);

  loop_group loops(threads);
  socketio::options opts;
  opts.engine.max_payload = max_payload;
  opts.engine.send_queue = {send_queue_limit / 8, send_queue_limit};
  opts.engine.ping_interval = std::chrono::milliseconds(ping_interval);
  opts.engine.ping_timeout = std::chrono::milliseconds(ping_timeout);
  opts.engine.cors.origins = {"*"};
  opts.recovery_window = std::chrono::milliseconds(recovery_window);
  opts.max_namespaces_per_client = max_namespaces;
  socketio::server io(loops, opts);
  std::unique_ptr<cluster::redis_link> redis;
  if (!redis_url.empty()) {
    cluster::redis_endpoint endpoint;
    std::string error;
    if (!cluster::parse_redis_url(redis_url, endpoint, error)) {
      std::cerr << "--redis: " << error << "\n";
      return 2;
    }
    redis = std::make_unique<cluster::redis_link>(loops, endpoint);
    io.set_adapter_factory([&](const std::string& nsp) -> std::unique_ptr<fanout::adapter> {
      const fanout::recovery_settings recovery{std::chrono::milliseconds(recovery_window)};
      if (redis_mode == "sharded")
        return std::make_unique<cluster::sharded_adapter>(loops, *redis, nsp, "socket.io", recovery);
      return std::make_unique<cluster::redis_adapter>(loops, *redis, nsp, "socket.io", recovery);
    });
  }

  auto& main_nsp = io.of("/");
  main_nsp.on_connection([&main_nsp](sio_socket& s) {
    s.emit("welcome", json{{"id", s.id()}, {"recovered", s.recovered()}});
    s.on("echo", [](sio_socket& self, json args, sio_socket::ack_fn) { self.emit("echo", std::move(args)); });
    s.on("ack", [](sio_socket&, json args, sio_socket::ack_fn ack) {
      if (ack) ack(std::move(args));
    });
    s.on("join", [](sio_socket& self, json args, sio_socket::ack_fn ack) {
      if (!args.empty() && args[0].is_string()) self.join(args[0].get<std::string>());
      if (ack) ack(json::array({true}));
    });
    s.on("leave", [](sio_socket& self, json args, sio_socket::ack_fn ack) {
      if (!args.empty() && args[0].is_string()) self.leave(args[0].get<std::string>());
      if (ack) ack(json::array({true}));
    });
    s.on("to-room", [&main_nsp](sio_socket& self, json args, sio_socket::ack_fn ack) {
      if (args.empty() || !args[0].is_object()) return;
      const auto& o = args[0];
      const auto room = o.value("room", std::string{});
      const auto event = o.value("event", std::string{"message"});
      auto op = o.value("except_me", false) ? self.to(room) : main_nsp.to(room);
      op.emit(event, o.value("args", json::array()));
      if (ack) ack(json::array({true}));
    });
    s.on("to-all-volatile", [&main_nsp](sio_socket&, json args, sio_socket::ack_fn ack) {
      if (args.empty() || !args[0].is_object()) return;
      main_nsp.volatile_().emit(args[0].value("event", std::string{"news"}), args[0].value("args", json::array()));
      if (ack) ack(json::array({true}));
    });
    s.on("ask", [](sio_socket& self, json args, sio_socket::ack_fn) {
      json o = args.empty() ? json::object() : args[0];
      const auto timeout = std::chrono::milliseconds(o.value("timeout", 1000));
      std::weak_ptr<sio_socket> weak = self.shared_from_this();
      self.emit_with_ack("question", json::array({o.value("payload", json())}), timeout,
                         [weak](bool timed_out, json answer) {
                           if (auto me = weak.lock())
                             me->emit("answer", json{{"timed_out", timed_out}, {"args", std::move(answer)}});
                         });
    });
    s.on("ask-room", [&main_nsp](sio_socket& self, json args, sio_socket::ack_fn) {
      json o = args.empty() || !args[0].is_object() ? json::object() : args[0];
      const auto timeout = std::chrono::milliseconds(o.value("timeout", 1000));
      std::weak_ptr<sio_socket> weak = self.shared_from_this();
      main_nsp.to(o.value("room", std::string{}))
          .emit_with_ack("question", json::array({o.value("payload", json())}), timeout,
                         [weak](bool timed_out, json responses) {
                           if (auto me = weak.lock())
                             me->emit("answers", json{{"timed_out", timed_out}, {"responses", std::move(responses)}});
                         });
    });
    s.on("disconnect-me", [](sio_socket& self, json args, sio_socket::ack_fn) {
      self.disconnect(!args.empty() && args[0].is_boolean() && args[0].get<bool>());
    });
    s.on("drop-transport", [](sio_socket& self, json, sio_socket::ack_fn) { self.close_transport(); });
    s.on("flood", [&main_nsp](sio_socket&, json args, sio_socket::ack_fn ack) {
      if (args.empty() || !args[0].is_object()) return;
      const auto& o = args[0];
      std::make_shared<flood>(main_nsp, o.value("room", std::string{}), o.value("count", size_t{0}),
                              std::string(o.value("size", size_t{0}), 'x'),
                              std::chrono::milliseconds(o.value("every", 5)), std::move(ack))
          ->step();
    });
    add_cluster_events(main_nsp, s);
  });
  main_nsp.on_server_side("ping", [&node_id](json, socketio::namespace_::reply_fn reply) {
    if (reply) reply(node_id);  // as every Switchboard node (docs/design.md#cluster)
  });
  main_nsp.on_server_side("hello", [&main_nsp, &node_id](json args, socketio::namespace_::reply_fn reply) {
    main_nsp.local().emit("server-side", json{{"event", "hello"}, {"args", args}});
    if (reply) reply(json{{"node", node_id}, {"args", std::move(args)}});
  });

  auto& admin = io.of("/admin");
  admin.use([](sio_socket& s, socketio::namespace_::next_fn next) {
    const json auth = s.handshake_data().auth();
    if (auth.is_object() && auth.value("token", std::string{}) == "secret") return next(std::nullopt);
    next(socketio::connect_error{"unauthorized", json{{"reason", "bad token"}}});
  });
  admin.on_connection([](sio_socket& s) { s.emit("welcome", json{{"id", s.id()}, {"recovered", s.recovered()}}); });

  // "/shared": handlers on the namespace, shared by its sockets. "count" acks how many events this
  // socket sent (its context); a socket connecting with auth {own: true} has its own "count",
  // which wins and acks "own". "left" is emitted to "/shared" members when one disconnects.
  auto& shared = io.of("/shared");
  shared.on_connection([](sio_socket& s) {
    s.set_context(std::make_shared<int>(0));
    const json auth = s.handshake_data().auth();
    if (auth.is_object() && auth.value("own", false))
      s.on("count", [](sio_socket&, json, sio_socket::ack_fn ack) {
        if (ack) ack(json("own"));
      });
  });
  shared.on_socket_event("count", [](sio_socket& s, json, sio_socket::ack_fn ack) {
    int* n = s.context<int>();
    ++*n;
    if (ack) ack(json(*n));
  });
  shared.on_socket_disconnect([&shared](sio_socket& s, std::string_view reason) {
    shared.emit("left", json::array({s.id(), reason}));
  });

  http::limits limits;
  limits.max_body_bytes = max_payload;
  const http::request_handler route = [&](http::exchange_ptr ex) {
    const auto target = ex->req().target();
    const auto path = target.substr(0, target.find('?'));
    if (io.engine().matches(path)) return io.engine().handle(std::move(ex));
    if (path == "/debug/stats") {
      const std::string body = "{\"sessions\":" + std::to_string(io.engine().session_count()) + "}";
      return ex->respond(http::make_response(ex->req(), http::status::ok, "application/json", body));
    }
    ex->respond(http::make_response(ex->req(), http::status::not_found, "text/plain", "Not Found"));
  };
  http::listener listener(loops, route, limits);
  if (const int code = listener.listen_and_announce(host, port)) return code;
  if (redis) redis->start();
  boost::asio::signal_set signals(loops.context(0), SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { loops.stop(); });
  loops.run();
  return 0;
}
