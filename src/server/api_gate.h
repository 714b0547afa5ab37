#pragma once
// Who may call /api/* and the dashboard's feed (docs/design.md#http-api). With --api-key, a
// request that presents the key. Without one, a request from this machine only: a loopback peer,
// no Forwarded or X-Forwarded-For (a proxy on this machine relays others' requests), a loopback
// Host (a page that rebinds its own name to 127.0.0.1 still sends that name) and, when there is
// one, a loopback Origin (a page of any site in a browser here may open a WebSocket to loopback).
//
// Refused keys count per client address: past the failure limit every attempt from that address
// is refused 429, right or wrong, until the count falls back (so a key cannot be guessed at the
// speed of the network). Shared by every worker (the limiter locks).
#include "base/shared_rate_limiter.h"
#include "http/types.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::server {

struct gate_refusal {
  http::status status;  // 401 or 429
  std::string error;    // unauthorized, rate_limited
  std::string message;
  int64_t retry_after_seconds = 0;  // with 429
};

class api_gate {
 public:
  // A header's value by lower-case name, "" when absent.
  using header_fn = std::function<std::string_view(std::string_view name)>;

  // `failures` counts refused credentials per address (--auth-failure-limit); it outlives the gate.
  api_gate(std::string api_key, shared_rate_limiter& failures) : key_(std::move(api_key)), failures_(failures) {}

  // nullopt when the caller may pass. `presented`: the key the request carries, "" for none.
  std::optional<gate_refusal> check(std::string_view address, std::string_view presented,
                                    const header_fn& header) const;

 private:
  std::string key_;
  shared_rate_limiter& failures_;
};

// Whether a request with these headers, from this peer, was made on this machine and for it.
bool is_local_request(std::string_view address, const api_gate::header_fn& header);
// 127.0.0.0/8, ::1 and their IPv4-mapped forms.
bool is_loopback_address(std::string_view address);
// A Host header (or an origin's host part) naming this machine: localhost or a loopback
// address, with or without a port.
bool is_loopback_host(std::string_view host);

}  // namespace switchboard::server
