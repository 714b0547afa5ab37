#pragma once
// The sharded Redis adapter (`--redis-mode sharded`), compatible with `@socket.io/redis-adapter`
// 8.x `createShardedAdapter` in `dynamic` subscription mode (docs/wire-format.md#sharded-adapter):
// Redis 7 sharded Pub/Sub (SSUBSCRIBE/SPUBLISH), so on a Redis Cluster each channel's traffic
// stays on the shard that owns it. Channels: `<prefix>#<nsp>#` for everything that is not for one
// room, `<prefix>#<nsp>#<room>#` per public room, subscribed only while the room has members on
// this node (a node receives only the rooms it serves), and `<prefix>#<nsp>#<uid>#` for answers
// to this server. Messages are `{uid, nsp, type, data}`, JSON unless they carry binary
// (MessagePack then).
//
// Membership and this node's answers live in a local_node, as for the classic adapter. With a
// recovery window, recoverable broadcasts go through the namespace's recovery log
// (stream_recovery.h), on a shard channel.
#include "cluster/local_node.h"
#include "cluster/pending_requests.h"
#include "cluster/recovering_adapter.h"
#include "cluster/redis_link.h"
#include "cluster/sharded_wire.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace switchboard::cluster {

class sharded_adapter final : public recovering_adapter {
 public:
  sharded_adapter(loop_group& loops, redis_link& link, std::string nsp, std::string prefix,
                  fanout::recovery_settings recovery = {});

  void add_member(fanout::member& m) override { node_.members().add_member(m); }
  void join(fanout::member& m, const std::string& room) override;
  void leave(fanout::member& m, const std::string& room) override;
  void remove_member(fanout::member& m) override;
  void broadcast(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts) override;
  void broadcast_with_ack(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts, uint64_t ack_id,
                          fanout::ack_handlers_ptr handlers, std::chrono::milliseconds timeout) override;
  void for_each_local(size_t worker, const fanout::broadcast_options& opts,
                      const std::function<void(fanout::member&)>& fn) override {
    node_.members().for_each_local(worker, opts, fn);
  }

  void remote_join(const fanout::broadcast_options& opts, const std::vector<std::string>& rooms) override;
  void remote_leave(const fanout::broadcast_options& opts, const std::vector<std::string>& rooms) override;
  void remote_disconnect(const fanout::broadcast_options& opts, bool close) override;
  void remote_fetch(const fanout::broadcast_options& opts, std::chrono::milliseconds timeout, results_fn done) override;
  void remote_server_side_emit(const json& data, std::chrono::milliseconds timeout, results_fn done) override;
  // PUBSUB SHARDNUMSUB of the main channel.
  void server_count(std::function<void(size_t)> done) override;

 private:
  void publish(int type, json data, const std::string& channel);
  // A broadcast as published: on its one public room's channel, else on the main one.
  stream_recovery::plain_copy broadcast_message(const std::string& uid, const json& data,
                                                const fanout::broadcast_options& opts) const;
  void on_message(const std::string& payload);
  void on_response(const std::string& payload);
  // Publishes `data` (given a requestId) once the number of other servers is known; their
  // answers go to `done`.
  void ask(int type, json data, std::chrono::milliseconds timeout, results_fn done);
  void respond(const std::string& requester, int type, json data);
  // A public room appeared on (or vanished from) the calling worker's slice: the node-wide count
  // decides when its channel is subscribed (first worker) and unsubscribed (last worker).
  void room_added(const std::string& room);
  void room_removed(const std::string& room);

  loop_group& loops_;
  redis_link& link_;
  std::string nsp_;
  std::string uid_;
  std::string channel_;           // <prefix>#<nsp>#
  std::string response_channel_;  // <prefix>#<nsp>#<uid>#
  local_node node_;
  pending_requests pending_;             // our FETCH_SOCKETS and SERVER_SIDE_EMIT requests; worker 0
  pending_broadcast_acks pending_acks_;  // our BROADCAST requests with acks; worker 0
  std::mutex rooms_mutex_;
  std::unordered_map<std::string, size_t> room_workers_;  // public room → workers with members
};

}  // namespace switchboard::cluster
