#include "cluster/redis_url.h"

#include "http/url.h"

#include <charconv>

namespace switchboard::cluster {
namespace {
bool parse_int(std::string_view s, int min, int max, int& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && out >= min && out <= max;
}
}  // namespace

bool parse_redis_url(std::string_view url, redis_endpoint& out, std::string& error) {
  redis_endpoint e;
  e.tls = url.starts_with("rediss://");
  if (!e.tls && !url.starts_with("redis://")) {
    error = "expected redis://[user:pass@]HOST:PORT[/DB] (or rediss:// for TLS)";
    return false;
  }
  auto rest = url.substr(e.tls ? 9 : 8);
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    const auto db = rest.substr(slash + 1);
    if (!db.empty() && !parse_int(db, 0, 1'000'000, e.db)) {
      error = "the database after / must be a number";
      return false;
    }
    rest = rest.substr(0, slash);
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const auto cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = cred.find(':');
    const bool ok = colon == std::string_view::npos
                        ? http::percent_decode(cred, e.password, false)
                        : http::percent_decode(cred.substr(0, colon), e.user, false) &&
                              http::percent_decode(cred.substr(colon + 1), e.password, false);
    if (!ok) {
      error = "invalid percent-encoding in the credentials";
      return false;
    }
  }
  std::string_view host = rest;
  if (rest.starts_with('[')) {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated [IPv6] address";
      return false;
    }
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      error = "expected :PORT after the [IPv6] address";
      return false;
    }
    rest = rest.empty() ? rest : rest.substr(1);
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  } else {
    rest = {};
  }
  if (!rest.empty()) {
    int port = 0;
    if (!parse_int(rest, 1, 65535, port)) {
      error = "the port must be a number from 1 to 65535";
      return false;
    }
    e.port = static_cast<uint16_t>(port);
  }
  if (host.empty()) {
    error = "the host is missing";
    return false;
  }
  e.host = std::string(host);
  out = std::move(e);
  return true;
}

}  // namespace switchboard::cluster
