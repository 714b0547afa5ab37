#pragma once
// The single-node adapter: one room_index per worker. A broadcast is delivered at once on the
// calling worker and handed to every other worker as one posted task carrying the shared,
// already-encoded packet — no lock on the path.
#include "base/loop_group.h"
#include "fanout/room_index.h"

namespace switchboard::fanout {

class memory_adapter : public adapter {
 public:
  explicit memory_adapter(loop_group& loops) : loops_(loops), workers_(loops.size()) {}

  void add_member(member& m) override { here().add_member(m); }
  void join(member& m, const std::string& room) override { here().join(m, room); }
  void leave(member& m, const std::string& room) override { here().leave(m, room); }
  void remove_member(member& m) override { here().remove_member(m); }
  void broadcast(broadcast_packet_ptr packet, broadcast_options_ptr opts) override;
  // Each worker is one reporter: it delivers to its members and reports how many it reached.
  void broadcast_with_ack(broadcast_packet_ptr packet, broadcast_options_ptr opts, uint64_t ack_id,
                          ack_handlers_ptr handlers, std::chrono::milliseconds timeout) override;

  void for_each_local(size_t worker, const broadcast_options& opts, const std::function<void(member&)>& fn) override {
    workers_[worker].for_each(opts, fn);
  }

  // This worker's slice (for queries that run on every worker).
  room_index& slice(size_t worker) { return workers_[worker]; }

 private:
  room_index& here() { return workers_[loops_.current()]; }

  loop_group& loops_;
  std::vector<room_index> workers_;
};

}  // namespace switchboard::fanout
