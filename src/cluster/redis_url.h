#pragma once
// `--redis redis://[user:pass@]HOST:PORT[/DB]` (docs/design.md#configuration); `rediss://` for TLS.
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::cluster {

struct redis_endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string user;      // empty: AUTH with the password only (or no AUTH)
  std::string password;  // empty: no AUTH
  int db = 0;
  bool tls = false;     // rediss://: TLS, the server's certificate checked against `ca_file`
  std::string ca_file;  // --redis-ca; empty: the system's certificate authorities

  // host:port, without credentials (for logs and /healthz).
  std::string describe() const { return host + ":" + std::to_string(port); }
};

// False (with `error` naming the problem) when `url` is not a redis:// or rediss:// URL.
bool parse_redis_url(std::string_view url, redis_endpoint& out, std::string& error);

}  // namespace switchboard::cluster
