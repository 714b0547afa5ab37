#pragma once
// The Adapter interface (docs/architecture.md#reading-order): where a namespace's room membership lives and how a
// broadcast reaches every member, on this node or, for cluster adapters, on every node.
// A broadcast arrives already encoded (`broadcast_packet`); adapters only route it.
#include "base/json.h"
#include "engineio/outgoing.h"
#include "fanout/recovery.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::fanout {

// A Socket.IO packet encoded once: the text message and its binary attachments, in order; and
// the packet's data (`[event, ...args]`) for cluster adapters, which publish it in their own format.
struct broadcast_packet {
  std::vector<engineio::outgoing_ptr> messages;
  json data;
  log_position position;  // set when the packet is in a recovery log
};
using broadcast_packet_ptr = std::shared_ptr<const broadcast_packet>;

struct broadcast_options {
  std::vector<std::string> rooms;   // empty: every member of the namespace
  std::vector<std::string> except;  // members of these rooms are skipped
  bool is_volatile = false;         // may be dropped for a slow member
  bool local = false;               // this node only (cluster adapters do not publish it)
};
using broadcast_options_ptr = std::shared_ptr<const broadcast_options>;

// Where the answers to a broadcast with acknowledgement go. Adapters may call these from any
// thread; the receiver synchronises. `expect(n)`: n reporters will each call `count` once (an
// adapter calls it once, when it knows n); `count(c)`: one reporter reached c clients;
// `response(arg)`: one client's acknowledgement (its first argument).
struct ack_handlers {
  std::function<void(size_t reporters)> expect;
  std::function<void(size_t clients)> count;
  std::function<void(json response)> response;
};
using ack_handlers_ptr = std::shared_ptr<const ack_handlers>;

// Something a broadcast can reach: a Socket.IO socket. Lives on one worker; the adapter calls it
// there only.
class member {
 public:
  virtual void deliver(const broadcast_packet& packet, bool is_volatile) = 0;
  // `packet` carries acknowledgement id `ack_id`; the member passes the client's answer to `on_ack`.
  virtual void deliver_with_ack(const broadcast_packet& packet, uint64_t ack_id, std::function<void(json)> on_ack) = 0;

  // The room only this member is in by nature (a socket's id), empty if it has none. An index
  // keeps it apart from the other rooms, as this view with no set and no copy: every idle socket
  // has one, so it must cost little. The characters live as long as the member.
  virtual std::string_view own_room() const { return {}; }
  // The rooms it joined besides its own.
  const std::vector<std::string>& joined_rooms() const { return rooms_; }
  bool in_own_room() const { return in_own_room_; }

 protected:
  ~member() = default;

 private:
  friend class room_index;
  std::vector<std::string> rooms_;  // the member → rooms half of the two-way index
  static constexpr uint32_t no_slot = static_cast<uint32_t>(-1);
  uint32_t slot_ = no_slot;   // where it is in its worker's list of members; no_slot: not added
  bool in_own_room_ = false;  // joined to own_room()
};

class adapter {
 public:
  virtual ~adapter() = default;

  // Membership changes, on the member's worker. A member is added before it joins any room and
  // removed (leaving every room) before it goes away.
  virtual void add_member(member& m) = 0;
  virtual void join(member& m, const std::string& room) = 0;
  virtual void leave(member& m, const std::string& room) = 0;
  virtual void remove_member(member& m) = 0;

  // From any worker. Delivers to every matching member on every worker (and node).
  virtual void broadcast(broadcast_packet_ptr packet, broadcast_options_ptr opts) = 0;
  // The same with acknowledgement id `ack_id` inside `packet`; counts and answers go to `handlers`.
  // `timeout` bounds how long the adapter keeps state for late answers.
  virtual void broadcast_with_ack(broadcast_packet_ptr packet, broadcast_options_ptr opts, uint64_t ack_id,
                                  ack_handlers_ptr handlers, std::chrono::milliseconds timeout) = 0;

  // On worker `worker`: calls `fn` for this node's members there that `opts` selects.
  virtual void for_each_local(size_t worker, const broadcast_options& opts, const std::function<void(member&)>& fn) = 0;

  // The other servers of a cluster (Node's socketsJoin, fetchSockets, serverSideEmit…); a single
  // node has none, which is what these defaults say. The caller does this node's part itself.
  // Results arrive on any thread; `complete` is false when some server did not answer in time.
  using results_fn = std::function<void(json results, bool complete)>;
  virtual void remote_join(const broadcast_options& /*opts*/, const std::vector<std::string>& /*rooms*/) {}
  virtual void remote_leave(const broadcast_options& /*opts*/, const std::vector<std::string>& /*rooms*/) {}
  virtual void remote_disconnect(const broadcast_options& /*opts*/, bool /*close*/) {}
  // The other servers' sockets selected by `opts`, each as {id, handshake, rooms, data}.
  virtual void remote_fetch(const broadcast_options& /*opts*/, std::chrono::milliseconds /*timeout*/, results_fn done) {
    done(json::array(), true);
  }
  // `data` = [event, ...args] to the other servers' server-side handlers. With `done`, each server
  // answers once (its handler's reply) and `done` gets the answers.
  virtual void remote_server_side_emit(const json& /*data*/, std::chrono::milliseconds /*timeout*/, results_fn done) {
    if (done) done(json::array(), true);
  }
  // How many servers share this namespace, this one included.
  virtual void server_count(std::function<void(size_t)> done) { done(1); }

  // Connection state recovery (docs/wire-format.md#connection-state-recovery). An adapter that keeps a log of
  // recoverable broadcasts says so; the namespace then sends EVENT broadcasts without ack and not
  // volatile through `broadcast_recoverable`, which appends the packet's offset to `data` (the last
  // argument the client sees and later presents), encodes it with `encode`, logs it and delivers
  // it to every worker in log order. Without a log these are plain broadcasts. `sent` (may be
  // empty) runs, on any thread, once the broadcast is in the log every node reads (at once on a
  // single node): an application acknowledges what it sent only then.
  virtual bool keeps_recovery_log() const { return false; }
  using encode_fn = std::function<broadcast_packet(json data)>;
  using sent_fn = std::function<void()>;
  virtual void broadcast_recoverable(json data, broadcast_options_ptr opts, const encode_fn& encode, sent_fn sent) {
    broadcast(std::make_shared<const broadcast_packet>(encode(std::move(data))), std::move(opts));
    if (sent) sent();
  }
  // Keeps what a socket that dropped leaves behind, for the recovery window.
  virtual void persist_session(recovery_session /*s*/) {}
  // The session kept for `pid`, left in place; `done` runs on the calling worker.
  using session_fn = std::function<void(std::optional<recovery_session>)>;
  virtual void find_session(const std::string& /*pid*/, session_fn done) { done(std::nullopt); }
  // Consumes session `s` and gives the broadcasts it missed after `offset`, or nothing when the
  // session or that offset is no longer kept. `done` runs on the calling worker.
  using missed_fn = std::function<void(std::optional<missed_packets>)>;
  virtual void take_missed(const recovery_session& /*s*/, const std::string& /*offset*/, missed_fn done) {
    done(std::nullopt);
  }

  // Where server-side events from other servers go (set by the namespace): `data` = [event,
  // ...args]; `reply` is empty when the sender wants no answer.
  using server_side_fn = std::function<void(json data, std::function<void(json)> reply)>;
  void set_server_side_handler(server_side_fn fn) { on_server_side_ = std::move(fn); }

 protected:
  server_side_fn on_server_side_;
};

}  // namespace switchboard::fanout
