#pragma once
// This node's side of every cluster request, shared by the classic and the sharded adapters:
// membership in a memory_adapter (per-worker slices, as on a single node), and what other servers
// ask of it — deliver a broadcast, with acknowledgements too, act on selected sockets, describe
// them — run on each worker, with answers gathered back.
#include "base/loop_group.h"
#include "cluster/remote_event.h"
#include "fanout/memory_adapter.h"
#include "socketio/socket.h"

#include <functional>
#include <string>
#include <vector>

namespace switchboard::cluster {

class local_node {
 public:
  local_node(loop_group& loops, std::string nsp) : loops_(loops), nsp_(std::move(nsp)), members_(loops) {}

  fanout::memory_adapter& members() { return members_; }

  // Our own broadcast with acknowledgements, to this node's members: returns how many reporters
  // (workers) will count, for the cluster adapter to add the other servers before it calls
  // `handlers->expect`.
  size_t broadcast_with_ack(const fanout::broadcast_packet_ptr& packet, const fanout::broadcast_options_ptr& opts,
                            uint64_t ack_id, const fanout::ack_handlers_ptr& handlers,
                            std::chrono::milliseconds timeout);

  // A broadcast from another server: `packet` {type, data: [event, ...args], nsp}; `opts` as
  // options_of. Packets of another namespace or without data are ignored. `position`: where it
  // sits in the namespace's recovery stream, when it is there.
  void deliver(const json& packet, const json& opts, fanout::log_position position = {});
  // Such a packet encoded for this node's clients; null when it is not an event of this namespace.
  fanout::broadcast_packet_ptr encode(const json& packet, fanout::log_position position = {}) const;
  // The same with acknowledgements: `counted(clients)` once every worker delivered, then
  // `acked(arg)` for each client's answer.
  void deliver_with_ack(const json& packet, const json& opts, std::function<void(size_t clients)> counted,
                        std::function<void(json arg)> acked);
  // Runs `fn(slice)` on every worker and `done(results)` on worker 0 with one result per worker.
  void gather(std::function<json(fanout::room_index&)> fn, std::function<void(std::vector<json>)> done);
  // Calls `fn(socket)` on every worker for the sockets `opts` selects.
  void for_each_socket(const json& opts, std::function<void(socketio::socket&)> fn);
  // Descriptions of the sockets `opts` selects (socketio::describe), on worker 0.
  void fetch(const json& opts, std::function<void(json sockets)> done);
  // Every room with a member here, on worker 0.
  void all_rooms(std::function<void(std::vector<std::string>)> done);

 private:
  loop_group& loops_;
  std::string nsp_;
  fanout::memory_adapter members_;
};

}  // namespace switchboard::cluster
