#pragma once
// The classic Redis adapter, byte-compatible with `@socket.io/redis-adapter` 8.x `createAdapter`
// (docs/wire-format.md#classic-adapter): a namespace's broadcasts are delivered here and published once
// as MessagePack `[uid, packet, opts]` on `<prefix>#<nsp>#` (or `…#<room>#` for one room); what
// other nodes, Node.js servers and `@socket.io/redis-emitter` publish is delivered to the members
// here. It answers the adapter requests on `<prefix>-request#<nsp>#`, because a node counted by
// PUBSUB NUMSUB must answer or Node callers wait for their timeout.
//
// Membership and this node's answers live in a local_node (per-worker slices, as on a single
// node). Redis messages arrive on worker 0; requests that read or change sockets run on each
// worker and their answers are gathered back on worker 0.
#include "cluster/local_node.h"
#include "cluster/pending_requests.h"
#include "cluster/recovering_adapter.h"
#include "cluster/redis_link.h"
#include "socketio/socket.h"

#include <memory>
#include <string>
#include <vector>

namespace switchboard::cluster {

class redis_adapter final : public recovering_adapter {
 public:
  // `prefix`: the channels' prefix (--key-prefix; the Node adapter's `key`). With a recovery
  // window, recoverable broadcasts go through the namespace's recovery log (stream_recovery.h) and
  // reach this node's members, too, as Redis orders them.
  redis_adapter(loop_group& loops, redis_link& link, std::string nsp, std::string prefix,
                fanout::recovery_settings recovery = {});

  void add_member(fanout::member& m) override { node_.members().add_member(m); }
  void join(fanout::member& m, const std::string& room) override { node_.members().join(m, room); }
  void leave(fanout::member& m, const std::string& room) override { node_.members().leave(m, room); }
  void remove_member(fanout::member& m) override { node_.members().remove_member(m); }
  void broadcast(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts) override;
  // Local members answer through the memory adapter; other servers are asked with a BROADCAST
  // request and counted with PUBSUB NUMSUB, as the Node adapter does.
  void broadcast_with_ack(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts, uint64_t ack_id,
                          fanout::ack_handlers_ptr handlers, std::chrono::milliseconds timeout) override;

  void for_each_local(size_t worker, const fanout::broadcast_options& opts,
                      const std::function<void(fanout::member&)>& fn) override {
    node_.members().for_each_local(worker, opts, fn);
  }

  // REMOTE_JOIN, REMOTE_LEAVE and REMOTE_DISCONNECT requests (no answers, as in Node).
  void remote_join(const fanout::broadcast_options& opts, const std::vector<std::string>& rooms) override;
  void remote_leave(const fanout::broadcast_options& opts, const std::vector<std::string>& rooms) override;
  void remote_disconnect(const fanout::broadcast_options& opts, bool close) override;
  // REMOTE_FETCH and SERVER_SIDE_EMIT (with ack): one answer expected from every other server
  // that PUBSUB NUMSUB counts.
  void remote_fetch(const fanout::broadcast_options& opts, std::chrono::milliseconds timeout, results_fn done) override;
  void remote_server_side_emit(const json& data, std::chrono::milliseconds timeout, results_fn done) override;
  void server_count(std::function<void(size_t)> done) override;

  const std::string& uid() const { return uid_; }

 private:
  void on_broadcast(const std::string& payload);
  void on_request(const std::string& payload);
  void on_response(const std::string& payload);
  // A remote BROADCAST with ack: deliver here with acknowledgements, report count and answers.
  void answer_broadcast_with_ack(const json& req);
  void respond(const json& response);
  // Publishes `request` (given a requestId) once the number of other servers is known, and calls
  // `done` with their answers, or with what came when `timeout` passes. Worker 0 state.
  void ask(json request, std::chrono::milliseconds timeout, results_fn done);
  // One answer to one of our asks: its items (sockets or an acknowledgement); false when the
  // request is not ours.
  bool on_answer(const std::string& request_id, const json& response);

  loop_group& loops_;
  redis_link& link_;
  std::string nsp_;
  std::string prefix_;
  std::string uid_;
  std::string channel_;           // <prefix>#<nsp>#
  std::string request_channel_;   // <prefix>-request#<nsp>#
  std::string response_channel_;  // <prefix>-response#<nsp>#
  local_node node_;
  pending_requests pending_;             // our REMOTE_FETCH and SERVER_SIDE_EMIT requests; worker 0
  pending_broadcast_acks pending_acks_;  // our BROADCAST requests with acks; worker 0
};

}  // namespace switchboard::cluster
