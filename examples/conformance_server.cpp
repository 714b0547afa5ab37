// The server the official protocol test suites expect (docs/engine.io-protocol/v4-current.md and
// docs/socket.io-protocol/v5-current.md "Test suite"): an Engine.IO echo at /engine.io/ and a
// Socket.IO server at /socket.io/ with namespaces "/" and "/custom", ping 300/200 ms, connect
// timeout 1 s, CORS "*". Written only against the public library API.
#include "base/log.h"
#include "engineio/server.h"
#include "http/listener.h"
#include "socketio/server.h"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <thread>

using namespace switchboard;
using protocol::engineio::packet_type;

namespace {

// Echoes every Engine.IO message back as it came: text as text, binary as binary.
struct echo final : engineio::session_handler {
  explicit echo(engineio::session& s) : session(&s) {}
  void on_message(std::string&& data, bool binary) override {
    if (session)
      session->send(binary ? engineio::outgoing::binary(data) : engineio::outgoing::text(packet_type::message, data));
  }
  void on_close(std::string_view) override { session = nullptr; }
  engineio::session* session;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Switchboard conformance server (reference server of the Socket.IO protocol test suites)"};
  std::string host = "127.0.0.1";
  uint16_t port = 3000;
  size_t threads = std::max(1u, std::thread::hardware_concurrency());
  std::string level = "warn";
  app.add_option("--host", host, "address to listen on");
  app.add_option("--port", port, "port (0 picks a free one)");
  app.add_option("--threads", threads, "event-loop threads")->check(CLI::Range(1, 64));
  app.add_option("--log-level", level, "debug, info, warn, error or off");
  CLI11_PARSE(app, argc, argv);
  log_level lvl;
  if (!parse_log_level(level, lvl)) {
    std::cerr << "--log-level: expected debug, info, warn, error or off, got \"" << level << "\"\n";
    return 2;
  }
  set_log_level(lvl);

  loop_group loops(threads);

  engineio::options eio;
  eio.path = "/engine.io/";
  eio.ping_interval = std::chrono::milliseconds(300);
  eio.ping_timeout = std::chrono::milliseconds(200);
  eio.max_payload = 1'000'000;
  eio.cors.origins = {"*"};
  engineio::server echo_server(loops, eio);
  echo_server.on_connection([](engineio::session& s) { s.set_handler(std::make_shared<echo>(s)); });

  socketio::options sio;
  sio.engine = eio;
  sio.engine.path = "/socket.io/";
  sio.connect_timeout = std::chrono::milliseconds(1000);
  socketio::server io(loops, sio);
  io.of("/").on_connection([](socketio::socket& s) {
    s.emit("auth", s.handshake_data().auth());
    s.on("message", [](socketio::socket& self, json args, socketio::socket::ack_fn) {
      self.emit("message-back", std::move(args));
    });
    s.on("message-with-ack", [](socketio::socket&, json args, socketio::socket::ack_fn ack) {
      if (ack) ack(std::move(args));
    });
  });
  io.of("/custom").on_connection([](socketio::socket& s) { s.emit("auth", s.handshake_data().auth()); });

  http::limits limits;
  limits.max_body_bytes = eio.max_payload;
  const http::request_handler route = [&](http::exchange_ptr ex) {
    const auto target = ex->req().target();
    const auto path = target.substr(0, target.find('?'));
    if (io.engine().matches(path)) return io.engine().handle(std::move(ex));
    if (echo_server.matches(path)) return echo_server.handle(std::move(ex));
    ex->respond(http::make_response(ex->req(), http::status::not_found, "text/plain", "Not Found"));
  };
  http::listener listener(loops, route, limits);
  if (const int code = listener.listen_and_announce(host, port)) return code;

  boost::asio::signal_set signals(loops.context(0), SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { loops.stop(); });
  loops.run();
  return 0;
}
