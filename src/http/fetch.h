#pragma once
// One HTTP GET of a URL, for what the server reads from elsewhere (a JWK set from an identity
// provider): http or https, the certificate checked against the system's authorities and the host
// name, within a deadline, the body bounded. Blocking: it runs its own io_context, so it belongs
// at start-up or on a background thread, never on an event loop.
#include "http/url.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::http {

struct fetch_result {
  bool ok = false;  // a 200 with a whole body
  unsigned status = 0;
  std::string body;
  std::string error;  // when not ok: why, for a log line or an operator
};

fetch_result fetch(const fetch_url& url, std::chrono::milliseconds timeout, size_t max_body_bytes);

}  // namespace switchboard::http
