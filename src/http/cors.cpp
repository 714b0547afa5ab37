#include "http/cors.h"

#include <algorithm>

namespace switchboard::http {

bool cors_policy::allows(std::string_view origin) const {
  return std::any_of(origins.begin(), origins.end(), [&](const std::string& o) { return o == "*" || o == origin; });
}

bool cors_policy::allows_upgrade(std::string_view origin, std::string_view host) const {
  if (!enabled() || origin.empty() || allows(origin)) return true;
  const auto scheme_end = origin.find("://");
  return scheme_end != std::string_view::npos && !host.empty() && origin.substr(scheme_end + 3) == host;
}

bool is_preflight(const request& req) { return req.method() == beast_http::verb::options; }

void apply_cors(const cors_policy& policy, const request& req, response& res) {
  if (!policy.enabled()) return;
  const bool any = std::find(policy.origins.begin(), policy.origins.end(), "*") != policy.origins.end();
  const auto origin = req[field::origin];
  if (any && !policy.credentials) {
    res.set(field::access_control_allow_origin, "*");
  } else {
    // A credentialed "*" or an allow-list reflects the caller's origin, as `cors` does.
    res.set(field::vary, "Origin");
    if (!origin.empty() && policy.allows(origin)) res.set(field::access_control_allow_origin, origin);
  }
  if (policy.credentials) res.set(field::access_control_allow_credentials, "true");
}

response preflight_response(const cors_policy& policy, const request& req) {
  response res{status::no_content, req.version()};
  res.keep_alive(req.keep_alive());
  apply_cors(policy, req, res);
  if (policy.enabled()) {
    res.set(field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
    const auto asked = req[field::access_control_request_headers];
    if (!asked.empty()) {
      res.set(field::access_control_allow_headers, asked);
      res.insert(field::vary, "Access-Control-Request-Headers");
    }
  }
  res.content_length(0);
  return res;
}

}  // namespace switchboard::http
