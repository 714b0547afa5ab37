#pragma once
// The classic Redis adapter, byte-compatible with `@socket.io/redis-adapter` 8.x `createAdapter`
// (research/socketio-wire.md §5.1): a namespace's broadcasts are delivered here and published once
// as MessagePack `[uid, packet, opts]` on `<prefix>#<nsp>#` (or `…#<room>#` for one room); what
// other nodes, Node.js servers and `@socket.io/redis-emitter` publish is delivered to the members
// here. It answers the adapter requests on `<prefix>-request#<nsp>#`, because a node counted by
// PUBSUB NUMSUB must answer or Node callers wait for their timeout.
//
// Membership lives in a memory_adapter (per-worker slices, unchanged from single node). Redis
// messages arrive on worker 0; requests that read or change sockets run on each worker and their
// answers are gathered back on worker 0.
#include "cluster/redis_link.h"
#include "fanout/memory_adapter.h"
#include "socketio/socket.h"

#include <string>
#include <unordered_map>

namespace switchboard::cluster {

struct cluster_identity {
  std::string prefix = "socket.io";  // --key-prefix
  std::string node_id;               // answers serverSideEmit("ping")
};

class redis_adapter final : public fanout::adapter {
 public:
  redis_adapter(loop_group& loops, redis_link& link, std::string nsp, cluster_identity id);

  void add_member(fanout::member& m) override { local_.add_member(m); }
  void join(fanout::member& m, const std::string& room) override { local_.join(m, room); }
  void leave(fanout::member& m, const std::string& room) override { local_.leave(m, room); }
  void remove_member(fanout::member& m) override { local_.remove_member(m); }
  void broadcast(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts) override;
  // Local members answer through the memory adapter; other servers are asked with a BROADCAST
  // request and counted with PUBSUB NUMSUB, as the Node adapter does.
  void broadcast_with_ack(fanout::broadcast_packet_ptr packet, fanout::broadcast_options_ptr opts, uint64_t ack_id,
                          fanout::ack_handlers_ptr handlers, std::chrono::milliseconds timeout) override;

  const std::string& uid() const { return uid_; }

 private:
  void on_broadcast(const std::string& payload);
  void on_request(const std::string& payload);
  void on_response(const std::string& payload);
  // A remote BROADCAST with ack: deliver here with acknowledgements, report count and answers.
  void answer_broadcast_with_ack(const json& req);
  void deliver_remote(const json& packet, const json& opts);
  void respond(const json& response);
  // Runs `fn(slice)` on every worker and `done(results)` on worker 0 with one result per worker.
  void gather(std::function<json(fanout::room_index&)> fn, std::function<void(std::vector<json>)> done);
  // Calls `fn(socket)` on every worker for the sockets selected by `opts` ({rooms, except}).
  void for_each_socket(const json& opts, std::function<void(socketio::socket&)> fn);

  loop_group& loops_;
  redis_link& link_;
  std::string nsp_;
  cluster_identity id_;
  std::string uid_;
  std::string channel_;           // <prefix>#<nsp>#
  std::string request_channel_;   // <prefix>-request#<nsp>#
  std::string response_channel_;  // <prefix>-response#<nsp>#
  fanout::memory_adapter local_;
  // Our broadcasts with ack waiting for other servers' counts and answers; worker 0 only.
  std::unordered_map<std::string, fanout::ack_handlers_ptr> pending_acks_;
};

}  // namespace switchboard::cluster
