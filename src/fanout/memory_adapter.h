#pragma once
// The single-node adapter: one room_index per worker. A broadcast is delivered at once on the
// calling worker and handed to every other worker as one posted task carrying the shared,
// already-encoded packet — no lock on the path. With a recovery window it also keeps the
// namespace's recovery log; recoverable broadcasts then take its lock and go to every worker
// (this one too) in log order: each is appended to every worker's inbox under the lock, and a
// posted task delivers what the inbox holds. Posted tasks alone do not keep that order: Asio runs
// a task a thread posts to itself after those other threads posted meanwhile, and a socket skips
// a logged packet older than one it already has.
#include "base/loop_group.h"
#include "fanout/recovery_log.h"
#include "fanout/room_index.h"

#include <mutex>

namespace switchboard::fanout {

struct recovery_settings {
  std::chrono::milliseconds window{0};  // 0: no recovery
  size_t max_packets = 10'000;          // per namespace, besides the window
};

class memory_adapter : public adapter {
 public:
  explicit memory_adapter(loop_group& loops, recovery_settings recovery = {});

  void add_member(member& m) override { here().add_member(m); }
  void join(member& m, const std::string& room) override { here().join(m, room); }
  void leave(member& m, const std::string& room) override { here().leave(m, room); }
  void remove_member(member& m) override { here().remove_member(m); }
  void broadcast(broadcast_packet_ptr packet, broadcast_options_ptr opts) override;
  // Each worker is one reporter: it delivers to its members and reports how many it reached.
  void broadcast_with_ack(broadcast_packet_ptr packet, broadcast_options_ptr opts, uint64_t ack_id,
                          ack_handlers_ptr handlers, std::chrono::milliseconds timeout) override;

  bool keeps_recovery_log() const override { return log_ != nullptr; }
  void broadcast_recoverable(json data, broadcast_options_ptr opts, const encode_fn& encode, sent_fn sent) override;
  void persist_session(recovery_session s) override;
  void find_session(const std::string& pid, session_fn done) override;
  void take_missed(const recovery_session& s, const std::string& offset, missed_fn done) override;

  void for_each_local(size_t worker, const broadcast_options& opts, const std::function<void(member&)>& fn) override {
    workers_[worker].for_each(opts, fn);
  }

  // This worker's slice (for queries that run on every worker).
  room_index& slice(size_t worker) { return workers_[worker]; }

 private:
  room_index& here() { return workers_[loops_.current()]; }

  // Recoverable broadcasts waiting for a worker, in log order.
  struct inbox {
    std::mutex mutex;
    std::vector<std::pair<broadcast_packet_ptr, broadcast_options_ptr>> packets;
  };
  void deliver_inbox(size_t worker);

  loop_group& loops_;
  std::vector<room_index> workers_;
  std::vector<inbox> inboxes_;  // one per worker, with recovery
  std::mutex log_mutex_;
  std::unique_ptr<recovery_log> log_;  // null without recovery
};

}  // namespace switchboard::fanout
