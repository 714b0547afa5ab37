#pragma once
// The Socket.IO server (library API, shaped like Node's `io`): namespaces registered before start,
// each with middlewares, connection handlers and an adapter; attached to an Engine.IO server.
//
//   socketio::server io(loops, opts);
//   io.of("/").on_connection([](socketio::socket& s) {
//     s.on("message", [](socketio::socket& s, json args, socketio::socket::ack_fn ack) { ... });
//   });
#include "base/loop_group.h"
#include "engineio/server.h"
#include "socketio/namespace.h"
#include "socketio/options.h"
#include "socketio/socket.h"

#include <functional>
#include <map>

namespace switchboard::socketio {

class server {
 public:
  using adapter_factory = std::function<std::unique_ptr<fanout::adapter>(const std::string& nsp)>;

  server(loop_group& loops, options opts);

  // The namespace `name` ("/" is the main one), created on first use. Before start only.
  namespace_& of(const std::string& name);
  namespace_* find(const std::string& name);
  // Replaces the adapter of every namespace created from now on (cluster adapters).
  void set_adapter_factory(adapter_factory f) { adapter_factory_ = std::move(f); }

  engineio::server& engine() { return engine_; }
  const options& opts() const { return options_; }
  loop_group& loops() { return loops_; }

  // Disconnects every client with "server shutting down".
  void close();

 private:
  loop_group& loops_;
  options options_;
  engineio::server engine_;
  adapter_factory adapter_factory_;
  std::map<std::string, std::unique_ptr<namespace_>, std::less<>> namespaces_;
};

}  // namespace switchboard::socketio
