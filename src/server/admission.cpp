#include "server/admission.h"

#include "base/metrics.h"

namespace switchboard::server {

namespace {
// A full node frees places as clients leave; a few seconds is a fair first wait.
constexpr int64_t full_node_retry_seconds = 5;
}  // namespace

std::optional<admission_refusal> admission::admit(const std::string& address, size_t open_sessions) {
  if (max_connections_ > 0 && open_sessions >= max_connections_) {
    metrics::add(metrics::counter::connections_refused);
    return admission_refusal{http::status::service_unavailable, "too_many_connections",
                             "this node is at its limit of " + std::to_string(max_connections_) +
                                 " open connections; retry later or connect to another node",
                             full_node_retry_seconds};
  }
  // The address first: one noisy address must not use up the node's budget.
  if (const double wait = address_.take(address); wait > 0) {
    metrics::add(metrics::counter::connections_refused);
    return admission_refusal{http::status::too_many_requests, "rate_limited",
                             "too many new connections from this address; retry later", retry_after_seconds(wait)};
  }
  if (const double wait = node_.take(); wait > 0) {
    metrics::add(metrics::counter::connections_refused);
    return admission_refusal{http::status::too_many_requests, "rate_limited",
                             "this node is accepting too many new connections; retry later", retry_after_seconds(wait)};
  }
  return std::nullopt;
}

}  // namespace switchboard::server
