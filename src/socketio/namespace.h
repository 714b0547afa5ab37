#pragma once
// A Socket.IO namespace: its middlewares, its connection handlers, the event handlers its sockets
// share, and its adapter (rooms and broadcasts). Configured before the server starts and read-only afterwards, so every
// worker reads it without locks; the adapter does its own per-worker bookkeeping.
#include "base/loop_group.h"
#include "fanout/adapter.h"
#include "socketio/broadcast.h"

#include <chrono>
#include <functional>
#include <map>
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

  namespace_(std::string name, std::unique_ptr<fanout::adapter> adapter, loop_group& loops);

  const std::string& name() const { return name_; }

  void use(middleware m) { middlewares_.push_back(std::move(m)); }
  void on_connection(connection_handler h) { connection_handlers_.push_back(std::move(h)); }

  // Event and disconnect handlers shared by every socket of the namespace: registered once, they
  // cost a connection nothing, where `socket::on` in on_connection stores a copy per socket (an
  // application with per-socket state keeps it in `socket::set_context`). A socket's own handler
  // for an event comes first; its own disconnect handlers run before these. Before start.
  using ack_fn = std::function<void(json args)>;
  using socket_event_handler = std::function<void(socket&, json args, ack_fn ack)>;
  using socket_disconnect_handler = std::function<void(socket&, std::string_view reason)>;
  void on_socket_event(std::string event, socket_event_handler h) { socket_events_[std::move(event)] = std::move(h); }
  void on_socket_disconnect(socket_disconnect_handler h) { socket_disconnects_.push_back(std::move(h)); }
  const socket_event_handler* socket_event(std::string_view event) const {
    const auto it = socket_events_.find(event);
    return it == socket_events_.end() ? nullptr : &it->second;
  }
  const std::vector<socket_disconnect_handler>& socket_disconnects() const { return socket_disconnects_; }
  // After a connected socket joined a room it was not in, or left one it was in, whoever asked:
  // its own handler, the server API (sockets_join, sockets_leave) or another server of the
  // cluster. On the socket's worker. Not for its own id room, a recovered socket getting its
  // rooms back, or the rooms a disconnect leaves. Before start.
  using room_change_handler = std::function<void(socket&, const std::string& room, bool joined)>;
  void on_room_change(room_change_handler h) { room_changes_.push_back(std::move(h)); }
  const std::vector<room_change_handler>& room_changes() const { return room_changes_; }

  broadcast_operator to(std::string room) { return broadcast_operator(*this).to(std::move(room)); }
  broadcast_operator except(std::string room) { return broadcast_operator(*this).except(std::move(room)); }
  broadcast_operator volatile_() { return broadcast_operator(*this).volatile_(); }
  broadcast_operator local() { return broadcast_operator(*this).local(); }
  void emit(std::string_view event, json args = json::array()) {
    broadcast_operator(*this).emit(event, std::move(args));
  }

  fanout::adapter& adapter() { return *adapter_; }
  loop_group& loops() { return *loops_; }
  void set_adapter(std::unique_ptr<fanout::adapter> a);

  // Server-side events between the servers of a cluster (Node's `io.serverSideEmit` and
  // `io.on(event)`). A handler gets the arguments after the event name and, when the sender asked
  // for an acknowledgement, `reply` (call it once with one value); it runs on a worker thread.
  // Before start.
  using reply_fn = std::function<void(json)>;
  using server_side_handler = std::function<void(json args, reply_fn reply)>;
  void on_server_side(std::string event, server_side_handler h) {
    server_side_handlers_[std::move(event)] = std::move(h);
  }
  // To every other server of the cluster (never to this one, as in Node).
  void server_side_emit(std::string_view event, json args = json::array());
  // With an acknowledgement from each other server: `cb(timed_out, responses)` on the calling
  // worker, after every server answered or `timeout` passed. On a worker thread only.
  using server_side_results_fn = std::function<void(bool timed_out, json responses)>;
  void server_side_emit_with_ack(std::string_view event, json args, std::chrono::milliseconds timeout,
                                 server_side_results_fn cb);
  // How many servers share this namespace, this one included; `cb` on the calling worker.
  void server_count(std::function<void(size_t)> cb);

  // Used by the client when a socket connects.
  const std::vector<middleware>& middlewares() const { return middlewares_; }
  const std::vector<connection_handler>& connection_handlers() const { return connection_handlers_; }

 private:
  std::string name_;
  std::unique_ptr<fanout::adapter> adapter_;
  loop_group* loops_;
  std::vector<middleware> middlewares_;
  std::vector<connection_handler> connection_handlers_;
  std::map<std::string, socket_event_handler, std::less<>> socket_events_;
  std::vector<socket_disconnect_handler> socket_disconnects_;
  std::vector<room_change_handler> room_changes_;
  std::map<std::string, server_side_handler, std::less<>> server_side_handlers_;
};

}  // namespace switchboard::socketio
