// `switchboard`: one node with embedded defaults — the chat application on "/", the chat page and
// its static files, /healthz and /metrics. Flags are also SWITCHBOARD_* environment variables and
// keys of an optional config file (DESIGN.md §6).
#include "base/log.h"
#include "base/random_id.h"
#include "chat/chat.h"
#include "http/listener.h"
#include "http/static_files.h"
#include "http/url.h"
#include "socketio/server.h"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <iostream>
#include <thread>

using namespace switchboard;

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: a real-time messaging server that speaks Socket.IO"};
  std::string host = "0.0.0.0";
  uint16_t port = 3000;
  size_t threads = std::max(1u, std::thread::hardware_concurrency());
  std::string node_id;
  std::vector<std::string> cors;
  size_t max_payload = 1'000'000;
  int64_t ping_interval = 25'000, ping_timeout = 20'000;
  std::string level = "info";
  std::string web_root = SWITCHBOARD_WEB_ROOT;
  const auto env = [](const char* name) { return std::string("SWITCHBOARD_") + name; };
  app.set_config("--config", "", "read flags from a TOML file");
  app.add_option("--host", host, "address to listen on")->envname(env("HOST"));
  app.add_option("--port", port, "port; 0 picks a free one")->envname(env("PORT"));
  app.add_option("--threads", threads, "event-loop threads")->check(CLI::Range(1, 64))->envname(env("THREADS"));
  app.add_option("--node-id", node_id, "this node's id (default: random)")->envname(env("NODE_ID"));
  app.add_option("--cors-origin", cors, "allowed CORS origin, repeatable; * allows any")->envname(env("CORS_ORIGIN"));
  app.add_option("--max-payload", max_payload, "largest message or polling body in bytes")
      ->check(CLI::Range(size_t{1}, size_t{100'000'000}))
      ->envname(env("MAX_PAYLOAD"));
  app.add_option("--ping-interval", ping_interval, "ms between server pings")
      ->check(CLI::Range(1, 3'600'000))
      ->envname(env("PING_INTERVAL"));
  app.add_option("--ping-timeout", ping_timeout, "ms to wait for a pong")
      ->check(CLI::Range(1, 3'600'000))
      ->envname(env("PING_TIMEOUT"));
  app.add_option("--log-level", level, "debug, info, warn, error or off")->envname(env("LOG_LEVEL"));
  app.add_option("--web-root", web_root, "folder with the chat page")->envname(env("WEB_ROOT"));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  log_level lvl;
  if (!parse_log_level(level, lvl)) {
    std::cerr << "--log-level: expected debug, info, warn, error or off, got \"" << level << "\"\n";
    return 2;
  }
  set_log_level(lvl);
  if (node_id.empty()) node_id = random_id().substr(0, 8);

  loop_group loops(threads);
  socketio::options opts;
  opts.engine.max_payload = max_payload;
  opts.engine.ping_interval = std::chrono::milliseconds(ping_interval);
  opts.engine.ping_timeout = std::chrono::milliseconds(ping_timeout);
  opts.engine.cors.origins = cors;
  socketio::server io(loops, opts);
  chat::chat_app chat(io, {});

  const auto started = std::chrono::steady_clock::now();
  const http::static_files files(web_root);
  http::limits limits;
  limits.max_body_bytes = max_payload;
  const http::request_handler route = [&](http::exchange_ptr ex) {
    const auto target = ex->req().target();
    const auto raw_path = target.substr(0, target.find('?'));
    if (io.engine().matches(raw_path)) return io.engine().handle(std::move(ex));
    http::target t;
    if (!http::parse_target(target, t)) {
      return ex->respond(
          http::make_response(ex->req(), http::status::bad_request, "application/json",
                              R"({"error":"bad_request","message":"invalid percent-encoding in the URL"})"));
    }
    if (t.path == "/healthz") {
      const auto up =
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
      const std::string body =
          json{{"status", "ok"}, {"node", node_id}, {"uptime_s", up}, {"redis", "disabled"}}.dump();
      return ex->respond(http::make_response(ex->req(), http::status::ok, "application/json", body));
    }
    if (t.path == "/metrics") {
      std::string body = "# HELP switchboard_sessions Open Engine.IO sessions.\n# TYPE switchboard_sessions gauge\n";
      body += "switchboard_sessions " + std::to_string(io.engine().session_count()) + "\n";
      return ex->respond(http::make_response(ex->req(), http::status::ok, "text/plain; version=0.0.4", body));
    }
    ex->respond(files.serve(ex->req(), t.path));
  };
  http::listener listener(loops, route, limits);
  if (const int code = listener.listen_and_announce(host, port)) return code;
  SB_LOG(info, "event=start node=" << node_id << " threads=" << loops.size() << " port=" << listener.port());

  boost::asio::signal_set signals(loops.context(0), SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int sig) {
    SB_LOG(info, "event=shutdown signal=" << sig);
    listener.close();
    io.close();
    // Let the close frames and final polls go out, then stop.
    auto timer = std::make_shared<boost::asio::steady_timer>(loops.context(0), std::chrono::milliseconds(200));
    timer->async_wait([&loops, timer](boost::system::error_code) { loops.stop(); });
  });
  loops.run();
  return 0;
}
