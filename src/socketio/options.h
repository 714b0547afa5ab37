#pragma once
// Socket.IO server settings; defaults are Node socket.io's.
#include "engineio/options.h"

namespace switchboard::socketio {

struct options {
  engineio::options engine = [] {
    engineio::options o;
    o.path = "/socket.io/";
    return o;
  }();
  // A connection that joins no namespace within this time is closed.
  std::chrono::milliseconds connect_timeout{45'000};
};

}  // namespace switchboard::socketio
