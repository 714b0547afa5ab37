#pragma once
// One blocking HTTP/1.1 POST of a JSON body (the server API's `POST /api/publish`), from the main
// thread, outside the measured client traffic. Connects first and calls `before_send` just before
// the request bytes leave, so a timer started there excludes the TCP handshake.
#include "bench/loadgen/client.h"

#include <functional>
#include <string>
#include <string_view>

namespace switchboard::bench {

struct http_response {
  int status = 0;  // 0: no response (the error says why)
  std::string body;
  std::string error;
};

http_response http_post_json(const target& to, std::string_view path, std::string_view body,
                             const std::function<void()>& before_send);

}  // namespace switchboard::bench
