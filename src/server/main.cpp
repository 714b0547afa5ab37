// `switchboard`: one node with embedded defaults — the chat application on "/", its history in
// SQLite, the HTTP server API, the chat page and dashboard, /healthz and /metrics. Flags are also
// SWITCHBOARD_* environment variables and keys of an optional config file (docs/design.md#configuration).
#include "base/heap_trimmer.h"
#include "base/json_write.h"
#include "base/log.h"
#include "chat/chat.h"
#include "cluster/bridge.h"
#include "cluster/redis_adapter.h"
#include "cluster/relay.h"
#include "cluster/sharded_adapter.h"
#include "hooks/backend.h"
#include "http/fetch.h"
#include "http/listener.h"
#include "http/static_files.h"
#include "http/url.h"
#include "server/admin_feed.h"
#include "server/admission.h"
#include "server/api.h"
#include "server/config.h"
#include "server/drain.h"
#include "server/jwks_fetcher.h"
#include "server/loop_lag.h"
#include "server/metrics_text.h"
#include "socketio/server.h"
#include "storage/memory_history.h"
#include "storage/redis_directory.h"
#include "storage/redis_history.h"
#include "storage/sqlite_history.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>

#include <iostream>
#include <optional>

using namespace switchboard;

namespace {

// Clients get this long to receive their close frames and final polls before the loops stop; the
// whole shutdown stays well inside the 5 s a supervisor waits.
constexpr auto close_grace = std::chrono::milliseconds(300);
constexpr auto redis_stop_grace = std::chrono::milliseconds(100);

std::string health_json(const server::config& c, std::chrono::steady_clock::time_point started, bool draining,
                        const std::string& redis) {
  const auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
  return json{{"status", draining ? "draining" : "ok"}, {"node", c.node_id}, {"uptime_s", up}, {"redis", redis}}.dump();
}

// Descriptors kept back from connections: the listener, Redis, SQLite, the event loops' own, and
// the headroom below.
constexpr size_t reserved_descriptors = 192;
// Past --max-connections a few more connections are let in, so that a handshake at the limit gets
// its 503 with Retry-After (server/admission.h) and a session's WebSocket upgrade its connection,
// rather than a connection closed unanswered; a flood of connections that send nothing is still
// closed at once.
constexpr size_t answer_headroom = 64;

// --max-connections auto: what the descriptor limit leaves, so that accepting never runs out of
// descriptors while the node has clients to serve.
size_t auto_max_connections(rlim_t limit) {
  if (limit == RLIM_INFINITY) return 0;
  return limit > 2 * reserved_descriptors ? static_cast<size_t>(limit) - reserved_descriptors
                                          : std::max<size_t>(1, static_cast<size_t>(limit) / 2);
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  const auto parsed = server::parse_config(argc, argv, exit_code);
  if (!parsed) return exit_code;
  const server::config& cfg = *parsed;
  set_log_level(cfg.level);
  // A bad certificate or key is a bad flag: refused before anything is opened or created.
  std::unique_ptr<http::ssl::context> tls;
  if (!cfg.tls_cert.empty()) {
    try {
      tls = http::make_tls_server_context(cfg.tls_cert, cfg.tls_key);
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
      return 2;
    }
  }
  // One descriptor per connection: the soft limit (often 1024) would cap the node far below what
  // it can hold, so it goes up to the hard limit the service manager grants (LimitNOFILE).
  rlimit descriptors{};
  if (getrlimit(RLIMIT_NOFILE, &descriptors) == 0 && descriptors.rlim_cur < descriptors.rlim_max) {
    descriptors.rlim_cur = descriptors.rlim_max;
    setrlimit(RLIMIT_NOFILE, &descriptors);
  }
  const size_t max_connections = cfg.max_connections.value_or(auto_max_connections(descriptors.rlim_cur));

  storage::presence presence;

  loop_group loops(cfg.threads);
  socketio::options opts;
  opts.engine.max_payload = cfg.max_payload;
  opts.node_name = cfg.node_id;
  opts.engine.send_queue = {cfg.send_queue_limit / 8, cfg.send_queue_limit};  // the defaults' ratio
  opts.engine.ping_interval = cfg.ping_interval;
  opts.engine.ping_timeout = cfg.ping_timeout;
  opts.engine.cors.origins = cfg.cors_origins;
  opts.recovery_window = cfg.recovery_window;
  socketio::server io(loops, opts);
  // With --redis every namespace gets a Redis adapter; created before the first namespace.
  std::unique_ptr<cluster::redis_link> redis;
  if (!cfg.redis_url.empty()) {
    cluster::redis_endpoint endpoint;
    std::string error;
    cluster::parse_redis_url(cfg.redis_url, endpoint, error);  // validated with the flags
    endpoint.ca_file = cfg.redis_ca;
    redis = std::make_unique<cluster::redis_link>(loops, endpoint);
    io.set_adapter_factory([&loops, &redis, &cfg](const std::string& nsp) -> std::unique_ptr<fanout::adapter> {
      if (cfg.redis_mode == "sharded")
        return std::make_unique<cluster::sharded_adapter>(loops, *redis, nsp, cfg.key_prefix,
                                                          fanout::recovery_settings{cfg.recovery_window});
      return std::make_unique<cluster::redis_adapter>(loops, *redis, nsp, cfg.key_prefix,
                                                      fanout::recovery_settings{cfg.recovery_window});
    });
    // Every node answers the server-side event "ping" with its node id (docs/design.md#cluster), so any
    // member of a mixed cluster can count the live nodes.
    io.of("/").on_server_side("ping", [&cfg](json, socketio::namespace_::reply_fn reply) {
      if (reply) reply(cfg.node_id);
    });
  }
  std::unique_ptr<storage::history_store> history;
  try {
    if (cfg.storage == "memory") {
      history = std::make_unique<storage::memory_history>();
    } else if (cfg.storage == "redis") {
      history = std::make_unique<storage::redis_history>(*redis, cfg.key_prefix);
    } else {
      history = std::make_unique<storage::sqlite_history>(cfg.data_dir);
    }
  } catch (const std::exception& e) {
    std::cerr << "--data-dir: " << e.what() << "\n";
    return 1;
  }
  const auto redis_state = [&redis] { return redis ? redis->state() : std::string("disabled"); };
  // Who is in a room: this node's presence, mirrored to Redis in a cluster and read from there.
  std::unique_ptr<storage::redis_directory> cluster_directory;
  storage::local_directory local_directory(presence);
  if (redis)
    cluster_directory = std::make_unique<storage::redis_directory>(*redis, presence, cfg.key_prefix, cfg.node_id);
  storage::presence_directory& directory =
      cluster_directory ? static_cast<storage::presence_directory&>(*cluster_directory) : local_directory;
  // Refused credentials (API key, dashboard key, tokens) per client address, per minute.
  shared_rate_limiter auth_failures(
      {static_cast<double>(cfg.auth_failure_limit) / 60, static_cast<double>(cfg.auth_failure_limit)});
  // The identity keys: from the flags, and a JWK set fetched from --jwks URL when there is one.
  std::shared_ptr<access::jwt_keyring> keyring;
  std::unique_ptr<server::jwks_fetcher> jwks;
  if (cfg.jwt) keyring = std::make_shared<access::jwt_keyring>(cfg.jwt);
  if (const auto url = http::parse_fetch_url(cfg.jwks); url && keyring) {
    jwks = std::make_unique<server::jwks_fetcher>(*url, cfg.jwks, *keyring, cfg.jwt);
    if (std::string error; !jwks->fetch_now(error)) {
      std::cerr << "--jwks " << cfg.jwks << ": " << error << "\n";
      return 1;
    }
  }
  chat::options chat_options;
  chat_options.max_text_code_points = cfg.max_text;
  chat_options.rate = cfg.rate;
  chat_options.event_rate = cfg.event_rate;
  chat_options.max_rooms_per_socket = cfg.max_rooms_per_socket;
  chat_options.jwt = keyring;
  chat_options.rooms = cfg.room_rules;
  chat_options.auth_failures = &auth_failures;
  // The application's backend, when hooks are configured.
  std::unique_ptr<hooks::backend> backend;
  const auto& hook_urls = cfg.hook_urls;
  if (!hook_urls.connect.empty() || !hook_urls.join.empty() || !hook_urls.message.empty() || !hook_urls.rpc.empty() ||
      !hook_urls.webhook.empty())
    backend = std::make_unique<hooks::backend>(loops, cfg.hook_settings, hook_urls, cfg.node_id);
  chat_options.backend = backend.get();
  chat_options.node_id = cfg.node_id;

  std::vector<std::unique_ptr<cluster::redis_relay>> relays;
  for (const auto& rule : cfg.relays) {
    auto& relay = *relays.emplace_back(std::make_unique<cluster::redis_relay>(*redis, rule));
    chat_options.relays[rule.event] = [&relay](const json& job, std::function<void(const std::string&)> done) {
      relay.send(job, std::move(done));
    };
  }
  for (const auto& rule : cfg.bridges) cluster::attach_bridge(*redis, io.of("/"), rule, cfg.max_payload);
  chat::chat_app chat(io, *history, presence, directory, std::move(chat_options));
  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<server::cluster_nodes> nodes;
  if (redis) nodes = std::make_unique<server::cluster_nodes>(*redis, cfg.key_prefix, cfg.node_id);
  server::admin_feed admin(io, presence, cfg, started, redis_state, nodes.get(), auth_failures);
  std::atomic<bool> draining{false};
  // Publish idempotency keys: the cluster's through Redis, else this node's.
  std::unique_ptr<server::idempotency_keys> idempotency;
  if (redis) {
    idempotency = std::make_unique<server::redis_idempotency_keys>(*redis, cfg.key_prefix);
  } else {
    idempotency = std::make_unique<server::local_idempotency_keys>();
  }
  server::api api(io, *history, directory, cfg, draining, auth_failures, *idempotency);
  server::admission admission({max_connections, cfg.connect_rate, cfg.connect_rate_per_address});

  const http::static_files files(cfg.web_root);
  http::limits limits;
  limits.max_body_bytes = cfg.max_payload;
  limits.max_waiting_per_address = cfg.max_waiting_per_address;
  for (const auto& a : cfg.trusted_proxies) limits.trusted_proxies.push_back(boost::asio::ip::make_address(a));
  const http::request_handler route = [&](http::exchange_ptr ex) {
    const auto target = ex->req().target();
    const auto raw_path = target.substr(0, target.find('?'));
    if (io.engine().matches(raw_path)) {
      // While draining, a new session belongs on another node: a proxy retries a 503 elsewhere
      // (deploy/nginx: proxy_next_upstream http_503) and a client reconnects with its backoff.
      // Requests of existing sessions go on until the transports close.
      // New sessions are also subject to the admission limits (server/admission.h).
      http::target t;
      // Only a GET opens a session: a CORS preflight or a bad request is no connection.
      if (ex->req().method() == http::beast_http::verb::get && http::parse_target(target, t) &&
          t.param("sid") == nullptr) {
        std::optional<server::admission_refusal> refusal;
        if (draining.load()) {
          refusal = {http::status::service_unavailable, "draining",
                     "this node is shutting down; connect again, to another node", 1};
        } else {
          refusal = admission.admit(ex->remote().address().to_string(), io.engine().session_count());
        }
        if (refusal) {
          auto res = http::make_response(ex->req(), refusal->status, "application/json",
                                         to_json(json{{"error", refusal->error}, {"message", refusal->message}}));
          res.set(http::field::retry_after, std::to_string(refusal->retry_after_seconds));
          res.keep_alive(false);
          return io.engine().respond(*ex, std::move(res));
        }
      }
      return io.engine().handle(std::move(ex));
    }
    if (server::api::matches(raw_path)) return api.handle(ex, raw_path);
    http::target t;
    if (!http::parse_target(target, t)) {
      return ex->respond(
          http::make_response(ex->req(), http::status::bad_request, "application/json",
                              R"({"error":"bad_request","message":"invalid percent-encoding in the URL"})"));
    }
    if (t.path == "/healthz") {
      const bool d = draining.load();
      return ex->respond(http::make_response(ex->req(), d ? http::status::service_unavailable : http::status::ok,
                                             "application/json", health_json(cfg, started, d, redis_state())));
    }
    if (t.path == "/metrics") {
      const double up = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return ex->respond(http::make_response(ex->req(), http::status::ok, "text/plain; version=0.0.4",
                                             server::prometheus_text(cfg.node_id, up, draining.load()) +
                                                 (backend ? backend->prometheus_text() : std::string())));
    }
    if (t.path == "/dashboard") return ex->respond(files.serve(ex->req(), "/dashboard.html"));
    ex->respond(files.serve(ex->req(), t.path));
  };
  // Connection bursts (handshakes, join storms, backlogs) must not leave their peak resident.
  heap_trimmer trimmer(loops.context(0));
  http::listener listener(loops, route, limits, tls.get());
  // Connections that have not sent a request yet count against the limit too: a client that
  // opens connections and sends nothing must not use up the descriptors.
  listener.refuse_when([&io, max_connections](size_t waiting) {
    return max_connections > 0 && io.engine().session_count() + waiting >= max_connections + answer_headroom;
  });
  if (const int code = listener.listen_and_announce(cfg.host, cfg.port)) return code;
  SB_LOG(info, "event=start node=" << cfg.node_id << " threads=" << loops.size() << " port=" << listener.port()
                                   << " max_connections=" << max_connections << " data_dir=\"" << cfg.data_dir << "\"");
  if (!cfg.jwt && cfg.hook_urls.connect.empty())
    SB_LOG(warn,
           "event=open_identity message=\"identities are not verified: any client may use any name; set "
           "--jwt-secret, --jwt-public-key or --jwks to require signed tokens\"");
  if (jwks) jwks->start();
  admin.start();
  if (redis) redis->start();
  if (cluster_directory) cluster_directory->start();
  server::loop_lag_probe lag(loops);

  std::optional<server::drain> drainer;
  boost::asio::signal_set signals(loops.context(0), SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    SB_LOG(info, "event=shutdown signal=" << sig);
    draining = true;  // new sessions: 503; the listener stays open for the requests of open ones
    admin.stop();
    lag.stop();
    drainer.emplace(io, cfg.drain_time, [&] {
      listener.close();
      io.close();
      // Redis goes last: the sockets just closed keep their recovery sessions there.
      auto timer = std::make_shared<boost::asio::steady_timer>(loops.context(0), close_grace);
      timer->async_wait([&, timer](boost::system::error_code) {
        // The closed sockets' last events (members removed, rooms vacated) go out now, once.
        if (backend && backend->webhooks()) backend->webhooks()->flush_now();
        if (cluster_directory) cluster_directory->stop();
        if (redis) redis->stop();
        timer->expires_after(redis_stop_grace);
        timer->async_wait([&loops, timer](boost::system::error_code) { loops.stop(); });
      });
    });
    drainer->start();
  });
  loops.run();
  if (jwks) jwks->stop();
  history->close();  // commits what is queued and checkpoints the log
  if (backend && backend->webhooks() && backend->webhooks()->pending() > 0)
    SB_LOG(warn, "event=webhook_unsent events=" << backend->webhooks()->pending()
                                                << " message=\"webhook events the backend had not taken at exit\"");
  SB_LOG(info, "event=stopped node=" << cfg.node_id);
  return 0;
}
