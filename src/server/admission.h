#pragma once
// Admission of new connections (Engine.IO handshakes: requests under the Socket.IO path without a
// `sid`): at most --max-connections open sessions on this node, and --connect-rate new ones per
// second for the node and --connect-rate-per-address per client address. A refused client gets
// Retry-After and {error, message}: the official client counts it as a failed attempt and tries
// again with its backoff, so a reconnect storm is spread over time instead of landing on one node
// at once. A full node answers 503, which a proxy retries on another node (deploy/nginx:
// proxy_next_upstream http_503) and counts against the node; a rate refusal answers 429, which a
// proxy passes to the client and does not count: a node that only asks clients to slow down stays
// in its proxy's rotation, with the long-polling sessions it serves.
//
// Requests of sessions already open (polls, POSTs, the upgrade to WebSocket) are never refused.
#include "base/shared_rate_limiter.h"
#include "http/types.h"

#include <cstdint>
#include <optional>
#include <string>

namespace switchboard::server {

struct admission_limits {
  size_t max_connections = 0;  // 0: no limit
  rate_limit node_rate;        // new connections per second on this node
  rate_limit address_rate;     // new connections per second from one client address
};

struct admission_refusal {
  http::status status;  // 503 (too_many_connections, draining) or 429 (rate_limited)
  std::string error;    // too_many_connections, rate_limited or draining
  std::string message;
  int64_t retry_after_seconds;
};

class admission {
 public:
  explicit admission(const admission_limits& limits)
      : max_connections_(limits.max_connections), node_(limits.node_rate), address_(limits.address_rate) {}

  // Called from any worker with the node's open sessions; a refusal is counted in /metrics.
  std::optional<admission_refusal> admit(const std::string& address, size_t open_sessions);

 private:
  size_t max_connections_;
  shared_rate_limiter node_;
  shared_rate_limiter address_;
};

}  // namespace switchboard::server
