#pragma once
// A broadcast being described: `nsp.to("room").except("id").volatile_().emit("event", args)`.
// Emitting encodes the packet once and hands it to the namespace's adapter.
#include "base/json.h"
#include "fanout/adapter.h"
#include "socketio/describe.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace switchboard::socketio {

class namespace_;

// An acknowledgement id for a broadcast: shared by all its recipients, never one a socket uses for
// its own emits. Cluster adapters take one when they deliver a remote broadcast with ack.
uint64_t next_broadcast_ack_id();

class broadcast_operator {
 public:
  broadcast_operator(namespace_& nsp, fanout::broadcast_options opts = {}) : nsp_(&nsp), opts_(std::move(opts)) {}

  broadcast_operator to(std::string room) const;
  broadcast_operator except(std::string room) const;
  broadcast_operator volatile_() const;
  broadcast_operator local() const;

  // `args` is the array of arguments after the event name (a non-array is one argument).
  void emit(std::string_view event, json args = json::array()) const;
  // The same; `sent` runs on this worker once the broadcast is where every node reads it (with
  // connection state recovery in a cluster: appended to the namespace's stream), at once otherwise.
  // On a worker thread only.
  void emit(std::string_view event, json args, std::function<void()> sent) const;

  // `timed_out` is true when not every reached client answered within `timeout`; `responses` holds
  // the answers that came (each client's first acknowledgement argument), in arrival order.
  using ack_results_fn = std::function<void(bool timed_out, json responses)>;
  // As Node's `io.timeout(ms).to(room).emit(event, ..., cb)`: every recipient, on every node, is
  // asked for an acknowledgement. On a worker thread only; `cb` runs on the same worker.
  void emit_with_ack(std::string_view event, json args, std::chrono::milliseconds timeout, ack_results_fn cb) const;

  // The sockets this operator selects, on every server of the cluster (Node's socketsJoin,
  // socketsLeave, disconnectSockets). This node's part runs on each socket's worker, soon after
  // the call; other servers are asked through the adapter (unless local()).
  void sockets_join(std::vector<std::string> rooms) const;
  void sockets_leave(std::vector<std::string> rooms) const;
  void disconnect_sockets(bool close = false) const;

  // As Node's fetchSockets(): every selected socket on every server. `complete` is false when a
  // server did not answer within `timeout`; the list then holds what came. On a worker thread
  // only; `cb` runs on the same worker.
  using fetch_fn = std::function<void(bool complete, std::vector<remote_socket> sockets)>;
  void fetch_sockets(fetch_fn cb, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  const fanout::broadcast_options& options() const { return opts_; }

 private:
  namespace_* nsp_;
  fanout::broadcast_options opts_;
};

}  // namespace switchboard::socketio
