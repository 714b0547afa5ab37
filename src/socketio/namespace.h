#pragma once
// A Socket.IO namespace: its middlewares, its connection handlers and its adapter (rooms and
// broadcasts). Configured before the server starts and read-only afterwards, so every worker
// reads it without locks; the adapter does its own per-worker bookkeeping.
#include "base/loop_group.h"
#include "fanout/adapter.h"
#include "socketio/broadcast.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::socketio {

class socket;

// A refusal from a middleware: reaches the client's `connect_error` as `err.message`/`err.data`.
struct connect_error {
  std::string message;
  std::optional<json> data;
};

class namespace_ {
 public:
  using connection_handler = std::function<void(socket&)>;
  using next_fn = std::function<void(std::optional<connect_error>)>;
  using middleware = std::function<void(socket&, next_fn next)>;

  namespace_(std::string name, std::unique_ptr<fanout::adapter> adapter, loop_group& loops)
      : name_(std::move(name)), adapter_(std::move(adapter)), loops_(&loops) {}

  const std::string& name() const { return name_; }

  void use(middleware m) { middlewares_.push_back(std::move(m)); }
  void on_connection(connection_handler h) { connection_handlers_.push_back(std::move(h)); }

  broadcast_operator to(std::string room) { return broadcast_operator(*this).to(std::move(room)); }
  broadcast_operator except(std::string room) { return broadcast_operator(*this).except(std::move(room)); }
  broadcast_operator volatile_() { return broadcast_operator(*this).volatile_(); }
  broadcast_operator local() { return broadcast_operator(*this).local(); }
  void emit(std::string_view event, json args = json::array()) {
    broadcast_operator(*this).emit(event, std::move(args));
  }

  fanout::adapter& adapter() { return *adapter_; }
  loop_group& loops() { return *loops_; }
  void set_adapter(std::unique_ptr<fanout::adapter> a) { adapter_ = std::move(a); }

  // Used by the client when a socket connects.
  const std::vector<middleware>& middlewares() const { return middlewares_; }
  const std::vector<connection_handler>& connection_handlers() const { return connection_handlers_; }

 private:
  std::string name_;
  std::unique_ptr<fanout::adapter> adapter_;
  loop_group* loops_;
  std::vector<middleware> middlewares_;
  std::vector<connection_handler> connection_handlers_;
};

}  // namespace switchboard::socketio
