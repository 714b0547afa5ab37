#include "server/api_gate.h"

#include "base/metrics.h"
#include "base/secret.h"

#include <boost/asio/ip/address.hpp>

namespace switchboard::server {

bool is_loopback_address(std::string_view address) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(address, ec);
  if (ec) return false;
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).is_loopback();
  return a.is_loopback();
}

bool is_loopback_host(std::string_view host) {
  if (host.starts_with('[')) {  // [IPv6]:port
    const auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    return is_loopback_address(host.substr(1, close - 1));
  }
  const auto name = host.substr(0, host.find(':'));
  return name == "localhost" || name == "localhost." || is_loopback_address(name);
}

namespace {

bool is_loopback_origin(std::string_view origin) {
  const auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return false;  // "null", or not an origin
  return is_loopback_host(origin.substr(scheme + 3));
}

// The refusal of an address over its failure limit; counts nothing.
std::optional<gate_refusal> over_failure_limit(shared_rate_limiter& failures, const std::string& address) {
  const double wait = failures.wait(address);
  if (wait == 0) return std::nullopt;
  metrics::add(metrics::counter::rate_limited);
  return gate_refusal{http::status::too_many_requests, "rate_limited",
                      "too many refused credentials from this address; retry later", retry_after_seconds(wait)};
}

}  // namespace

bool is_local_request(std::string_view address, const api_gate::header_fn& header) {
  if (!is_loopback_address(address)) return false;
  if (!header("forwarded").empty() || !header("x-forwarded-for").empty()) return false;
  if (!is_loopback_host(header("host"))) return false;
  const auto origin = header("origin");
  return origin.empty() || is_loopback_origin(origin);
}

std::optional<gate_refusal> api_gate::check(std::string_view address, std::string_view presented,
                                            const header_fn& header) const {
  if (key_.empty()) {
    if (is_local_request(address, header)) return std::nullopt;
    return gate_refusal{http::status::unauthorized, "unauthorized",
                        "this server answers its API and dashboard feed on this machine only (loopback, not through "
                        "a proxy); start it with --api-key KEY and send Authorization: Bearer KEY"};
  }
  const std::string who(address);
  if (auto limited = over_failure_limit(failures_, who)) return limited;
  if (secrets_equal(presented, key_)) return std::nullopt;
  failures_.take(who);
  return gate_refusal{http::status::unauthorized, "unauthorized",
                      presented.empty() ? "send Authorization: Bearer KEY with the server's --api-key"
                                        : "the API key is not the server's --api-key"};
}

}  // namespace switchboard::server
