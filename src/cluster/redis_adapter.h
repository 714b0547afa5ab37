#pragma once
// The classic Redis adapter, byte-compatible with `@socket.io/redis-adapter` 8.x `createAdapter`
// (research/socketio-wire.md §5.1): a namespace's broadcasts are delivered here and published once
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
#include "cluster/recovery_stream.h"
#include "cluster/redis_link.h"
#include "socketio/socket.h"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <string>
#include <vector>

namespace switchboard::cluster {

class redis_adapter final : public fanout::adapter {
 public:
  // `prefix`: the channels' prefix (--key-prefix; the Node adapter's `key`). With a recovery
  // window, recoverable broadcasts go through the namespace's recovery stream (recovery_stream.h)
  // and reach this node's members, too, as Redis orders them.
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

  bool keeps_recovery_log() const override { return recovery_ != nullptr; }
  void broadcast_recoverable(json data, fanout::broadcast_options_ptr opts, const encode_fn& encode,
                             sent_fn sent) override;
  void persist_session(fanout::recovery_session s) override;
  void find_session(const std::string& pid, session_fn done) override;
  void take_missed(const fanout::recovery_session& s, const std::string& offset, missed_fn done) override;

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
  // Recoverable broadcasts (with recovery): heard on the recovery channel, delivered in stream
  // order, each once; after a lost link, what was published meanwhile is read from the stream
  // first (catch_up), the live ones held until then. Ours wait in outbox_ until Redis confirmed
  // them, so Redis going away between a broadcast and its append delays it instead of losing it
  // for the other nodes.
  void on_recoverable(const std::string& payload);
  // `only_newer`: skips what is at or before the last delivered position (read from the stream).
  void deliver_recoverable(const std::string& payload, bool only_newer);
  void catch_up();
  void retry_catch_up();
  void release_held(bool only_newer);
  void queue(recovery_stream::append a, sent_fn sent);
  void send_outbox();
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
  std::string recovery_uid_;      // "sbr:<uid>": our recoverable broadcasts, which we deliver as heard
  std::string delivered_uid_;     // "sbr:<uid>~": ours that we delivered at once, Redis being away
  std::string channel_;           // <prefix>#<nsp>#
  std::string request_channel_;   // <prefix>-request#<nsp>#
  std::string response_channel_;  // <prefix>-response#<nsp>#
  local_node node_;
  std::unique_ptr<recovery_stream> recovery_;  // null without recovery
  pending_requests pending_;                   // our REMOTE_FETCH and SERVER_SIDE_EMIT requests; worker 0
  pending_broadcast_acks pending_acks_;        // our BROADCAST requests with acks; worker 0
  // Worker 0 state of recoverable broadcasts.
  struct outgoing {
    recovery_stream::append append;
    uint64_t seq = 0;
    size_t bytes = 0;
    int attempts = 0;
    bool sent = false;         // and no answer yet
    bool unconfirmed = false;  // sent before without an answer that it was appended
    sent_fn on_appended;       // once appended (or given up on)
  };
  static constexpr int max_append_attempts = 5;         // refusals by Redis, not lost connections
  static constexpr size_t max_outbox_bytes = 64 << 20;  // and recovery_max_packets broadcasts
  static constexpr size_t max_held = 10'000;
  static constexpr std::chrono::milliseconds retry_pause{1000};
  std::deque<outgoing> outbox_;  // ours, oldest first, until Redis confirms each
  size_t outbox_limit_ = 0;
  size_t outbox_bytes_ = 0;
  uint64_t next_outgoing_ = 0;
  fanout::log_position last_heard_;  // the last delivered; zero before the first link
  bool catching_up_ = false;
  uint64_t catch_up_generation_ = 0;
  boost::asio::steady_timer catch_up_timer_;
  boost::asio::steady_timer outbox_timer_;
  std::vector<std::string> held_;  // heard while catching up or half linked
};

}  // namespace switchboard::cluster
