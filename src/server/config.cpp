#include "server/config.h"

#include "access/jwks.h"
#include "base/random_id.h"
#include "chat/requests.h"
#include "cluster/redis_url.h"
#include "http/url.h"
#include "protocol/socketio/packet.h"
#include "server/config_file.h"

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

namespace switchboard::server {
namespace {

// A CLI11 validator for "PER_SECOND[:BURST]".
CLI::Validator rate_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        rate_limit r;
        return parse_rate_limit(value, r) ? "" : "expected PER_SECOND[:BURST], e.g. 20:40, or 0 to turn it off";
      },
      "PER_SECOND[:BURST]");
}

// A CLI11 validator from one of the cluster rule parsers.
template <typename Rule, bool (*parse)(std::string_view, Rule&, std::string&)>
CLI::Validator rule_validator(std::string description) {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        Rule r;
        std::string error;
        return parse(value, r, error) ? "" : error;
      },
      std::move(description));
}

bool fail(int& exit_code, const std::string& message) {
  std::cerr << message << "\n";
  exit_code = 2;
  return false;
}

// What each flag cannot check alone. False (message printed, exit code 2) on a bad combination.
bool check_combinations(config& c, int& exit_code) {
  if (c.storage == "redis" && c.redis_url.empty()) return fail(exit_code, "--storage redis: needs --redis");
  if (c.data_dir.empty()) return fail(exit_code, "--data-dir: must not be empty");
  if (c.tls_cert.empty() != c.tls_key.empty())
    return fail(exit_code, c.tls_cert.empty() ? "--tls-key: needs --tls-cert" : "--tls-cert: needs --tls-key");
  if (!c.bridges.empty() && c.redis_url.empty()) return fail(exit_code, "--bridge: needs --redis");
  if (!c.relays.empty() && c.redis_url.empty()) return fail(exit_code, "--relay: needs --redis");
  std::set<std::string> events;
  for (const auto& r : c.relays) {
    if (chat::is_chat_event(r.event))
      return fail(exit_code, "--relay " + r.event + ": the chat application handles that event itself");
    if (!events.insert(r.event).second) return fail(exit_code, "--relay " + r.event + ": given twice");
  }
  return true;
}

// The hooks' flags together: each needs --hook-secret; the connect hook is an identity mode of
// its own; an RPC event is no event the chat or a relay has; a join = "hook" rule needs the hook.
bool check_hooks(const config& c, int& exit_code) {
  const auto& u = c.hook_urls;
  const bool any = !u.connect.empty() || !u.join.empty() || !u.message.empty() || !u.rpc.empty() || !u.webhook.empty();
  if (any && c.hook_settings.secret.empty()) {
    const char* flag = !u.connect.empty()   ? "--auth-hook"
                       : !u.join.empty()    ? "--join-hook"
                       : !u.message.empty() ? "--message-hook"
                       : !u.rpc.empty()     ? "--rpc"
                                            : "--webhook";
    return fail(exit_code, std::string(flag) +
                               ": needs --hook-secret, the key the backend checks each request's "
                               "X-Switchboard-Signature with");
  }
  if (!u.connect.empty() && c.jwt)
    return fail(exit_code,
                "--auth-hook: the backend says who a client is; --jwt-secret, --jwt-public-key and --jwks are "
                "another way to say it: choose one");
  if (!u.webhook_events.empty() && u.webhook.empty()) return fail(exit_code, "--webhook-events: needs --webhook URL");
  std::set<std::string> events;
  for (const auto& r : c.relays) events.insert(r.event);
  for (const auto& [event, url] : u.rpc) {
    if (chat::is_chat_event(event))
      return fail(exit_code, "--rpc " + event + ": the chat application handles that event itself");
    if (!events.insert(event).second)
      return fail(exit_code, "--rpc " + event + ": given twice, or also a --relay event");
  }
  for (const auto& rule : c.room_rules.rules()) {
    if (rule.join == access::join_rule::hook && u.join.empty())
      return fail(exit_code, "[[rooms]] match = \"" + rule.match + "\": join = \"hook\" needs --join-hook URL");
  }
  return true;
}

// EVENT=URL of --rpc, the URL one to POST to.
std::string check_rpc_route(std::string_view value, std::pair<std::string, std::string>& out) {
  const auto eq = value.find('=');
  if (eq == std::string_view::npos || eq == 0) return "expected EVENT=URL";
  out = {std::string(value.substr(0, eq)), std::string(value.substr(eq + 1))};
  if (protocol::socketio::is_reserved_event(out.first)) return "a reserved Socket.IO event";
  if (!http::parse_fetch_url(out.second)) return "the URL must be http://HOST[:PORT]/PATH or https://…";
  return "";
}

CLI::Validator url_validator() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        return http::parse_fetch_url(v) ? "" : "expected http://HOST[:PORT]/PATH or https://…";
      },
      "URL");
}

// The flags of docs/design.md#backend-hooks.
void add_hook_options(CLI::App& app, config& c, std::vector<std::string>& rpc_routes, int64_t& timeout_ms) {
  const auto env = [](const char* name) { return std::string("SWITCHBOARD_") + name; };
  app.add_option("--auth-hook", c.hook_urls.connect,
                 "POST every CONNECT (auth, cookies, headers) to this URL; the backend answers who the client is")
      ->check(url_validator())
      ->envname(env("AUTH_HOOK"));
  app.add_option("--join-hook", c.hook_urls.join, "POST joins of rooms whose rule says join = \"hook\" to this URL")
      ->check(url_validator())
      ->envname(env("JOIN_HOOK"));
  app.add_option("--message-hook", c.hook_urls.message,
                 "POST each chat message to this URL before it is stored: allowed, refused or rewritten")
      ->check(url_validator())
      ->envname(env("MESSAGE_HOOK"));
  app.add_option("--rpc", rpc_routes, "answer a client's EVENT with the backend's reply: POST it to URL; repeatable")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            std::pair<std::string, std::string> r;
            return check_rpc_route(v, r);
          },
          "EVENT=URL"))
      ->envname(env("RPC"));
  app.add_option("--webhook", c.hook_urls.webhook,
                 "POST batches of chat events (rooms occupied and vacated, members added and removed, messages) "
                 "to this URL, once per cluster")
      ->check(url_validator())
      ->envname(env("WEBHOOK"));
  app.add_option("--webhook-events", c.hook_urls.webhook_events,
                 "the webhook's event types (default: all): room_occupied, room_vacated, member_added, "
                 "member_removed, message")
      ->delimiter(',')
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            return hooks::valid_webhook_event_type(v) ? "" : "not an event type of the webhook";
          },
          "TYPE[,TYPE...]"))
      ->envname(env("WEBHOOK_EVENTS"));
  app.add_option("--webhook-max-queued", c.hook_settings.webhook_max_queued,
                 "webhook events a node keeps while the backend does not take them; past it the oldest are dropped "
                 "(and counted)")
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}))
      ->envname(env("WEBHOOK_MAX_QUEUED"))
      ->capture_default_str();
  app.add_option("--hook-secret", c.hook_settings.secret,
                 "key of the HMAC-SHA256 signature (X-Switchboard-Signature) on every hook request")
      ->envname(env("HOOK_SECRET"));
  app.add_option("--hook-timeout", timeout_ms, "ms a hook request may take before the client hears unavailable")
      ->check(CLI::Range(1, 60'000))
      ->envname(env("HOOK_TIMEOUT"))
      ->capture_default_str();
  app.add_option("--hook-max-in-flight", c.hook_settings.max_in_flight,
                 "hook requests this node has out at once; past it a client hears unavailable")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}))
      ->envname(env("HOOK_MAX_IN_FLIGHT"))
      ->capture_default_str();
}

bool parse_count(std::string_view text, size_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The keys of the identity flags: an HMAC secret, a PEM public key, a JWK set file. Empty (no
// policy) in open mode. False (message printed, exit code 2) when a key cannot be read.
bool read_jwt_policy(config& c, int& exit_code) {
  if (c.jwt_secret.empty() && c.jwt_public_key.empty() && c.jwks.empty()) {
    if (!c.jwt_issuer.empty() || !c.jwt_audience.empty())
      return fail(exit_code, "--jwt-issuer and --jwt-audience need a key: --jwt-secret, --jwt-public-key or --jwks");
    return true;
  }
  auto policy = std::make_shared<access::jwt_policy>();
  policy->issuer = c.jwt_issuer;
  policy->audience = c.jwt_audience;
  if (!c.jwt_secret.empty()) policy->keys.push_back(access::jwt_key::hmac(c.jwt_secret));
  if (!c.jwt_public_key.empty()) {
    const auto pem = read_file(c.jwt_public_key);
    std::string error;
    const auto key = pem ? access::jwt_key::from_pem(*pem, error) : std::nullopt;
    if (!key) return fail(exit_code, "--jwt-public-key " + c.jwt_public_key + ": " + (pem ? error : "cannot be read"));
    policy->keys.push_back(*key);
  }
  if (!c.jwks.empty() && (c.jwks.starts_with("http://") || c.jwks.starts_with("https://"))) {
    // Fetched by the server at start (server/jwks_fetcher.h), not here.
    if (!http::parse_fetch_url(c.jwks))
      return fail(exit_code, "--jwks " + c.jwks + ": not a URL to fetch (http://HOST[:PORT]/PATH or https://…)");
  } else if (!c.jwks.empty()) {
    const auto text = read_file(c.jwks);
    std::string error;
    auto keys = text ? access::parse_jwks(*text, error) : std::vector<access::jwt_key>{};
    if (keys.empty()) return fail(exit_code, "--jwks " + c.jwks + ": " + (text ? error : "cannot be read"));
    for (auto& k : keys) policy->keys.push_back(std::move(k));
  }
  c.jwt = std::move(policy);
  return true;
}

// A repeatable flag's environment variable is a comma list (SWITCHBOARD_CORS_ORIGIN=a,b).
std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> items;
  for (size_t pos = 0; pos <= value.size();) {
    const auto comma = std::min(value.find(',', pos), value.size());
    const auto item = value.substr(pos, comma - pos);
    const auto first = item.find_first_not_of(' ');
    if (first != std::string_view::npos) items.emplace_back(item.substr(first, item.find_last_not_of(' ') - first + 1));
    pos = comma + 1;
  }
  return items;
}

bool repeatable(const CLI::Option* opt) { return opt->get_items_expected_max() > 1; }

bool given_on(const std::vector<std::string>& args, const std::string& flag) {
  return std::any_of(args.begin(), args.end(),
                     [&](const std::string& a) { return a == flag || a.starts_with(flag + "="); });
}

// The flag of the file that a CLI11 error message names ("--port: …", "… --port = abc"), if any.
const config_flag* named_in(std::string_view message, const std::vector<config_flag>& flags) {
  for (const auto& f : flags) {
    const std::string flag = "--" + f.name;
    for (auto at = message.find(flag); at != std::string_view::npos; at = message.find(flag, at + 1)) {
      const size_t end = at + flag.size();
      const bool whole =
          end == message.size() || !(std::isalnum(static_cast<unsigned char>(message[end])) || message[end] == '-');
      if (whole) return &f;
    }
  }
  return nullptr;
}

// --config FILE from the command line or SWITCHBOARD_CONFIG, or "".
std::string config_path(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) return args[i + 1];
    if (args[i].starts_with("--config=")) return args[i].substr(9);
  }
  const char* env = std::getenv("SWITCHBOARD_CONFIG");
  return env ? env : "";
}

}  // namespace

std::optional<config> parse_config(int argc, char** argv, int& exit_code) {
  config c;
  c.threads = std::max(1u, std::thread::hardware_concurrency());
  c.web_root = SWITCHBOARD_WEB_ROOT;
  int64_t ping_interval = c.ping_interval.count(), ping_timeout = c.ping_timeout.count();
  int64_t recovery_window = c.recovery_window.count();
  int64_t drain_time = c.drain_time.count();
  std::string rate = "20:40", event_rate = "50:100", api_rate = "100:200", connect_rate = "0",
              connect_rate_per_address = "0";
  std::string level = "info";
  std::string max_connections = "auto";

  CLI::App app{"Switchboard: a real-time messaging server that speaks Socket.IO", "switchboard"};
  const auto env = [](const char* name) { return std::string("SWITCHBOARD_") + name; };
  std::string config_file_path;
  app.add_option("--config", config_file_path,
                 "a TOML file of flags (keys are the flag names, lists for repeatable ones) and [[rooms]] rules")
      ->envname(env("CONFIG"));
  app.add_option("--host", c.host, "address to listen on")->envname(env("HOST"))->capture_default_str();
  app.add_option("--port", c.port, "port; 0 picks a free one")->envname(env("PORT"))->capture_default_str();
  app.add_option("--threads", c.threads, "event-loop threads (default: cores)")
      ->check(CLI::Range(1, 64))
      ->envname(env("THREADS"));
  app.add_option("--node-id", c.node_id, "this node's id (default: random)")->envname(env("NODE_ID"));
  app.add_option("--data-dir", c.data_dir, "folder of the chat history")
      ->envname(env("DATA_DIR"))
      ->capture_default_str();
  app.add_option("--storage", c.storage,
                 "history in sqlite (--data-dir), redis (shared by the cluster) or memory (lost at exit); "
                 "auto: redis with --redis, else sqlite")
      ->check(CLI::IsMember({"auto", "sqlite", "redis", "memory"}))
      ->envname(env("STORAGE"))
      ->capture_default_str();
  app.add_option("--api-key", c.api_key,
                 "key for /api/* and the dashboard's feed (Authorization: Bearer KEY); without one they answer "
                 "this machine's loopback clients only")
      ->envname(env("API_KEY"));
  app.add_option("--jwt-secret", c.jwt_secret, "require auth.token, a JWT signed with this secret (HS256/384/512)")
      ->envname(env("JWT_SECRET"));
  app.add_option("--jwt-public-key", c.jwt_public_key,
                 "require auth.token, a JWT signed by this PEM public key (RS*, PS*, ES* or EdDSA)")
      ->check(CLI::ExistingFile)
      ->envname(env("JWT_PUBLIC_KEY"));
  app.add_option("--jwks", c.jwks,
                 "require auth.token, a JWT signed by a key of this JWK set (a file, or an http(s) URL fetched at "
                 "start, every 10 minutes and for an unknown kid), found by kid")
      ->envname(env("JWKS"));
  app.add_option("--jwt-issuer", c.jwt_issuer, "a token's iss must be this")->envname(env("JWT_ISSUER"));
  app.add_option("--jwt-audience", c.jwt_audience, "a token's aud must contain this")->envname(env("JWT_AUDIENCE"));
  app.add_option("--trusted-proxy", c.trusted_proxies,
                 "address of a proxy (nginx) whose X-Forwarded-For names the client: per-address limits and "
                 "socket.handshake.address then use that client; repeatable")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            boost::system::error_code ec;
            boost::asio::ip::make_address(v, ec);
            return ec ? "not an IP address" : "";
          },
          "ADDRESS"))
      ->envname(env("TRUSTED_PROXY"));
  app.add_option("--cors-origin", c.cors_origins,
                 "allowed CORS origin, repeatable; * allows any; a list also limits WebSocket upgrades")
      ->envname(env("CORS_ORIGIN"));
  app.add_option("--send-queue-limit", c.send_queue_limit,
                 "bytes queued for one client before it is disconnected as too slow (volatile packets are "
                 "dropped past an eighth of it)")
      ->check(CLI::Range(size_t{4096}, size_t{1} << 32))
      ->envname(env("SEND_QUEUE_LIMIT"))
      ->capture_default_str();
  app.add_option("--max-payload", c.max_payload, "largest message, polling body or API body, in bytes")
      ->check(CLI::Range(size_t{1}, size_t{100'000'000}))
      ->envname(env("MAX_PAYLOAD"))
      ->capture_default_str();
  app.add_option("--ping-interval", ping_interval, "ms between server pings")
      ->check(CLI::Range(1, 3'600'000))
      ->envname(env("PING_INTERVAL"))
      ->capture_default_str();
  app.add_option("--ping-timeout", ping_timeout, "ms to wait for a pong")
      ->check(CLI::Range(1, 3'600'000))
      ->envname(env("PING_TIMEOUT"))
      ->capture_default_str();
  app.add_option("--recovery-window", recovery_window,
                 "ms a disconnected client may come back within and get its socket and every missed broadcast; "
                 "0 turns recovery off")
      ->check(CLI::Range(0, 86'400'000))
      ->envname(env("RECOVERY_WINDOW"))
      ->capture_default_str();
  app.add_option("--drain-time", drain_time,
                 "ms over which SIGTERM closes the open connections, in batches, so that their clients do not all "
                 "reconnect elsewhere at once; 0 closes them all at once")
      ->check(CLI::Range(0, 3'600'000))
      ->envname(env("DRAIN_TIME"))
      ->capture_default_str();
  app.add_option("--rate-limit", rate, "message + typing per socket: PER_SECOND[:BURST]; 0 turns it off")
      ->check(rate_validator())
      ->envname(env("RATE_LIMIT"))
      ->capture_default_str();
  app.add_option("--event-rate-limit", event_rate,
                 "client events of any kind per socket: PER_SECOND[:BURST]; past it an event is refused "
                 "rate_limited; 0 turns it off")
      ->check(rate_validator())
      ->envname(env("EVENT_RATE_LIMIT"))
      ->capture_default_str();
  app.add_option("--api-rate-limit", api_rate, "API requests per client address: PER_SECOND[:BURST]; 0 turns it off")
      ->check(rate_validator())
      ->envname(env("API_RATE_LIMIT"))
      ->capture_default_str();
  app.add_option("--auth-failure-limit", c.auth_failure_limit,
                 "refused API keys, dashboard keys and tokens one client address may present per minute; past it "
                 "its attempts get 429 with Retry-After; 0: no limit")
      ->check(CLI::Range(size_t{0}, size_t{1'000'000}))
      ->envname(env("AUTH_FAILURE_LIMIT"))
      ->capture_default_str();
  app.add_option("--max-rooms-per-socket", c.max_rooms_per_socket, "rooms one socket may be in at once; 0: no limit")
      ->envname(env("MAX_ROOMS_PER_SOCKET"))
      ->capture_default_str();
  app.add_option("--max-connections", max_connections,
                 "open connections this node holds (sessions, and connections yet to send a request); new ones are "
                 "closed or get 503 with Retry-After; auto: the descriptor limit less a reserve; 0: no limit")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            size_t n = 0;
            return v == "auto" || parse_count(v, n) ? "" : "expected auto or a whole number";
          },
          "auto|N"))
      ->envname(env("MAX_CONNECTIONS"))
      ->capture_default_str();
  app.add_option("--max-waiting-per-address", c.max_waiting_per_address,
                 "connections one client address may hold open before or between its requests; more are closed at "
                 "once; 0: no limit")
      ->check(CLI::Range(size_t{0}, size_t{1'000'000}))
      ->envname(env("MAX_WAITING_PER_ADDRESS"))
      ->capture_default_str();
  app.add_option("--connect-rate", connect_rate,
                 "new connections per second this node accepts: PER_SECOND[:BURST]; more get 429 with Retry-After; 0 "
                 "turns it off")
      ->check(rate_validator())
      ->envname(env("CONNECT_RATE"))
      ->capture_default_str();
  app.add_option(
         "--connect-rate-per-address", connect_rate_per_address,
         "new connections per second from one client address: PER_SECOND[:BURST]; more get 429 with Retry-After; 0 "
         "turns it off")
      ->check(rate_validator())
      ->envname(env("CONNECT_RATE_PER_ADDRESS"))
      ->capture_default_str();
  app.add_option("--max-text", c.max_text, "longest chat message in characters")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}))
      ->envname(env("MAX_TEXT"))
      ->capture_default_str();
  app.add_option("--log-level", level, "debug, info, warn, error or off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}))
      ->envname(env("LOG_LEVEL"))
      ->capture_default_str();
  app.add_option("--redis", c.redis_url,
                 "join a cluster through Redis: redis://[user:pass@]HOST:PORT[/DB], or rediss:// for TLS")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            cluster::redis_endpoint e;
            std::string error;
            return cluster::parse_redis_url(value, e, error) ? "" : error;
          },
          "URL"))
      ->envname(env("REDIS"));
  app.add_option("--redis-ca", c.redis_ca,
                 "with rediss://: PEM file of the authorities that sign Redis' certificate (default: the system's)")
      ->check(CLI::ExistingFile)
      ->envname(env("REDIS_CA"));
  app.add_option("--redis-mode", c.redis_mode,
                 "classic (Pub/Sub, as createAdapter) or sharded (SSUBSCRIBE/SPUBLISH per room, as "
                 "createShardedAdapter; Redis 7)")
      ->check(CLI::IsMember({"classic", "sharded"}))
      ->envname(env("REDIS_MODE"))
      ->capture_default_str();
  app.add_option("--key-prefix", c.key_prefix, "Redis channel prefix, as the Node adapter's `key`")
      ->envname(env("KEY_PREFIX"))
      ->capture_default_str();
  std::vector<std::string> bridges, relays;
  app.add_option("--bridge", bridges, "emit each payload of Redis channel CHANNEL as EVENT to every client; repeatable")
      ->check(rule_validator<cluster::bridge_rule, cluster::parse_bridge_rule>("CHANNEL=EVENT"))
      ->envname(env("BRIDGE"));
  app.add_option("--relay", relays,
                 "hand each client EVENT {room, ...} to workers on Redis channel CHANNEL or stream NAME; repeatable")
      ->check(rule_validator<cluster::relay_rule, cluster::parse_relay_rule>("EVENT=CHANNEL|stream:NAME"))
      ->envname(env("RELAY"));
  app.add_option("--tls-cert", c.tls_cert, "PEM certificate chain: serve https and wss (with --tls-key)")
      ->check(CLI::ExistingFile)
      ->envname(env("TLS_CERT"));
  app.add_option("--tls-key", c.tls_key, "PEM private key of --tls-cert")
      ->check(CLI::ExistingFile)
      ->envname(env("TLS_KEY"));
  app.add_option("--web-root", c.web_root, "folder of the chat page and dashboard")->envname(env("WEB_ROOT"));
  std::vector<std::string> rpc_routes;
  int64_t hook_timeout = c.hook_settings.timeout.count();
  add_hook_options(app, c, rpc_routes, hook_timeout);
  // Precedence: a flag on the command line, then its environment variable, then the config file.
  // Both become flags here, unless the command line has the same flag.
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::vector<std::string> given(args.begin(), args.end());
  for (const CLI::Option* opt : app.get_options()) {
    const auto& name = opt->get_envname();
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    const std::string flag = "--" + opt->get_single_name();
    if (value == nullptr || given_on(given, flag)) continue;
    if (!repeatable(opt)) {
      args.push_back(flag + "=" + value);
      continue;
    }
    for (const auto& item : split_list(value)) args.push_back(flag + "=" + item);
  }
  std::vector<config_flag> from_file;  // the file's flags that took effect
  if (const auto path = config_path(given); !path.empty()) {
    std::string error;
    const auto file = read_config_file(
        path,
        [&app](const std::string& key) {
          const CLI::Option* opt = app.get_option_no_throw("--" + key);
          return flag_kind{opt != nullptr, opt != nullptr && repeatable(opt)};
        },
        error);
    if (!file) {
      std::cerr << error << "\n";
      exit_code = 2;
      return std::nullopt;
    }
    const std::vector<std::string> before_file(args.begin(), args.end());
    for (const auto& f : file->flags) {
      if (given_on(before_file, "--" + f.name)) continue;
      args.push_back("--" + f.name + "=" + f.value);
      from_file.push_back(f);
    }
    c.room_rules = access::room_rules(file->rooms);
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    // A bad value from the file: say where it is.
    if (const auto* f = named_in(e.what(), from_file)) {
      std::cerr << f->where << ": " << f->name << ": " << e.what() << "\n";
      exit_code = 2;
      return std::nullopt;
    }
    exit_code = app.exit(e) == 0 ? 0 : 2;
    return std::nullopt;
  }
  c.ping_interval = std::chrono::milliseconds(ping_interval);
  c.ping_timeout = std::chrono::milliseconds(ping_timeout);
  c.recovery_window = std::chrono::milliseconds(recovery_window);
  c.drain_time = std::chrono::milliseconds(drain_time);
  parse_rate_limit(rate, c.rate);
  parse_rate_limit(event_rate, c.event_rate);
  parse_rate_limit(api_rate, c.api_rate);
  parse_rate_limit(connect_rate, c.connect_rate);
  parse_rate_limit(connect_rate_per_address, c.connect_rate_per_address);
  parse_log_level(level, c.level);
  if (size_t n = 0; max_connections != "auto" && parse_count(max_connections, n)) c.max_connections = n;
  if (c.node_id.empty()) c.node_id = random_id().substr(0, 8);
  if (c.storage == "auto") c.storage = c.redis_url.empty() ? "sqlite" : "redis";
  std::string unused;
  for (const auto& b : bridges) cluster::parse_bridge_rule(b, c.bridges.emplace_back(), unused);
  for (const auto& r : relays) cluster::parse_relay_rule(r, c.relays.emplace_back(), unused);
  for (const auto& r : rpc_routes) check_rpc_route(r, c.hook_urls.rpc.emplace_back());
  c.hook_settings.timeout = std::chrono::milliseconds(hook_timeout);
  if (!check_combinations(c, exit_code) || !read_jwt_policy(c, exit_code) || !check_hooks(c, exit_code))
    return std::nullopt;
  return c;
}

}  // namespace switchboard::server
