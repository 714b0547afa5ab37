#pragma once
// Engine.IO server settings; defaults are Node engine.io's.
#include "http/connection.h"
#include "http/cors.h"
#include "websocket/connection.h"

#include <chrono>
#include <string>
#include <vector>

namespace switchboard::engineio {

struct options {
  std::string path = "/engine.io/";
  std::chrono::milliseconds ping_interval{25'000};
  std::chrono::milliseconds ping_timeout{20'000};
  std::chrono::milliseconds upgrade_timeout{10'000};
  size_t max_payload = 1'000'000;  // Node's maxHttpBufferSize
  bool allow_polling = true;
  bool allow_websocket = true;
  http::cors_policy cors;
  websocket::queue_limits send_queue;
};

}  // namespace switchboard::engineio
