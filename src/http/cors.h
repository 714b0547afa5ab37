#pragma once
// Cross-origin resource sharing as the `cors` npm middleware answers it (the one engine.io uses):
// headers on every response, and OPTIONS preflights answered with 204.
#include "http/types.h"

#include <string>
#include <vector>

namespace switchboard::http {

struct cors_policy {
  // Empty: no CORS headers at all. "*": any origin. Otherwise the allowed origins, reflected.
  std::vector<std::string> origins;
  bool credentials = false;

  bool enabled() const { return !origins.empty(); }
  bool allows(std::string_view origin) const;
  // Whether a WebSocket upgrade from a page of `origin` may proceed. CORS does not cover
  // WebSockets (a browser opens one to any site), so an allow-list is enforced here: without a
  // list, with "*", without an Origin (not a browser) or from the server's own origin (`host`,
  // the Host header) it may; otherwise only a listed origin.
  bool allows_upgrade(std::string_view origin, std::string_view host) const;
};

bool is_preflight(const request& req);
// Adds the CORS headers a response to `req` should carry.
void apply_cors(const cors_policy& policy, const request& req, response& res);
// The 204 answer to a preflight.
response preflight_response(const cors_policy& policy, const request& req);

}  // namespace switchboard::http
