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
  // Connection state recovery (Node's connectionStateRecovery): a client that reconnects within
  // this window gets its socket back and every broadcast it missed. 0: off.
  std::chrono::milliseconds recovery_window{0};
  size_t recovery_max_packets = 10'000;  // per namespace on a single node
  // Namespaces one client may be connected to at once; a CONNECT past it gets CONNECT_ERROR
  // {"message":"Too many namespaces"}. 0: no limit (as Node).
  size_t max_namespaces_per_client = 0;
  // This server's name where sockets are described (fetch_sockets: `node`); empty: not named.
  std::string node_name;
};

}  // namespace switchboard::socketio
