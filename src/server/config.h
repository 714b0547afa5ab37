#pragma once
// The command line of docs/design.md#configuration: flags, their SWITCHBOARD_* environment variables and the keys
// of an optional TOML config file, parsed once at start-up.
#include "access/jwt.h"
#include "access/room_rules.h"
#include "base/log.h"
#include "base/token_bucket.h"
#include "cluster/rules.h"
#include "hooks/settings.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::server {

struct config {
  std::string host = "0.0.0.0";
  uint16_t port = 3000;
  size_t threads = 1;
  std::string node_id;
  std::string data_dir = "./data";
  std::string storage = "auto";  // sqlite, redis or memory; auto: redis with --redis, else sqlite
  std::string api_key;
  std::string jwt_secret;      // HS256/384/512
  std::string jwt_public_key;  // a PEM file: RS*, PS*, ES*, EdDSA
  std::string jwks;            // a JWK set file
  std::string jwt_issuer;
  std::string jwt_audience;
  // Made from the identity flags above; null in open mode (no key).
  std::shared_ptr<const access::jwt_policy> jwt;
  access::room_rules room_rules;  // [[rooms]] of the config file
  // The application's backend (docs/design.md#backend-hooks): hook URLs, the signing secret, the
  // deadline and the bound on requests in flight.
  hooks::urls hook_urls;
  hooks::settings hook_settings;
  std::vector<std::string> cors_origins;
  // Proxies whose X-Forwarded-For names the client (--trusted-proxy, repeatable).
  std::vector<std::string> trusted_proxies;
  size_t max_payload = 1'000'000;
  // A connection's send queue: past this many bytes the client is disconnected as too slow;
  // past an eighth of it, volatile packets are dropped.
  size_t send_queue_limit = 8 << 20;
  std::chrono::milliseconds ping_interval{25'000};
  std::chrono::milliseconds ping_timeout{20'000};
  // Connection state recovery: a client back within this window gets its socket and every
  // broadcast it missed; 0 turns it off.
  std::chrono::milliseconds recovery_window{120'000};
  // On SIGTERM, open connections are closed in batches over this time (server/drain.h).
  std::chrono::milliseconds drain_time{5'000};
  rate_limit rate{20, 40};         // chat messages and typing per socket
  rate_limit event_rate{50, 100};  // client events of any kind per socket
  size_t max_rooms_per_socket = 100;
  // Admission of new connections (server/admission.h); 0 / off: no limit.
  // Open connections (sessions, and connections waiting for a request) this node holds; nullopt:
  // auto, from the descriptor limit (server/main.cpp); 0: no limit.
  std::optional<size_t> max_connections;
  // Connections one address may hold before (and between) its requests; 0: no limit.
  size_t max_waiting_per_address = 256;
  rate_limit connect_rate;
  rate_limit connect_rate_per_address;
  rate_limit api_rate{100, 200};
  // Refused credentials (API key, dashboard key, tokens) one address may present per minute
  // before all its attempts are refused 429 for a while; 0: no limit.
  size_t auth_failure_limit = 30;
  size_t max_text = 4000;
  log_level level = log_level::info;
  std::string web_root;
  std::string tls_cert;   // PEM certificate chain: https and wss on --port (both or neither)
  std::string tls_key;    // PEM private key of tls_cert
  std::string redis_url;  // empty: single node
  std::string redis_ca;   // rediss://: CA bundle to check the server's certificate; empty: the system's
  std::string key_prefix = "socket.io";
  std::string redis_mode = "classic";         // or sharded (SSUBSCRIBE/SPUBLISH, Redis 7)
  std::vector<cluster::bridge_rule> bridges;  // --bridge CHANNEL=EVENT
  std::vector<cluster::relay_rule> relays;    // --relay EVENT=CHANNEL|stream:NAME
};

// Parses the command line. Returns the configuration, or the exit code when the process should
// stop now: 0 after --help, 2 for a bad flag or value (the message is already printed).
std::optional<config> parse_config(int argc, char** argv, int& exit_code);

}  // namespace switchboard::server
