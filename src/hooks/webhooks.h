#pragma once
// Webhooks (docs/design.md#webhooks): what happens in the chat, told to the application's backend
// as it happens. Each event is produced by one node of the cluster only (the presence directory
// answers atomically which node saw a user's first socket arrive or last one leave; a message by
// the node that stored it), and that node sends it: once per cluster. Events wait in a bounded
// queue (the oldest dropped and counted past it) and go out in signed batches of up to
// `max_batch`, at most `flush_after` after the first; a batch the backend did not take is sent
// again, with backoff, until it does (at least once: the backend drops repeats by `id`). Any
// thread adds; the sending runs on worker 0.
#include "base/json.h"
#include "base/loop_group.h"
#include "hooks/hook.h"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::hooks {

class webhooks {
 public:
  static constexpr size_t max_batch = 100;
  static constexpr std::chrono::milliseconds flush_after{1000};
  static constexpr std::chrono::milliseconds first_retry{1000};
  static constexpr std::chrono::milliseconds last_retry{60'000};

  // `types`: the event types to send (empty: all).
  webhooks(loop_group& loops, const http::fetch_url& url, const settings& s, std::atomic<size_t>& in_flight,
           std::vector<std::string> types, std::string node_id);

  bool wants(std::string_view type) const;
  // Any thread. `user`, `name` and `message` are left out of the event when empty / null.
  void add(std::string_view type, const std::string& room, const std::string& user = {}, const std::string& name = {},
           const json& message = json());

  // Sends what is queued now rather than at its time (a node that stops: its last events, once,
  // while the loops still run). Any thread.
  void flush_now();
  // Events still queued (not taken by the backend).
  size_t pending();

  const hook& sender() const { return hook_; }
  int64_t sent() const { return sent_.load(); }
  int64_t dropped() const { return dropped_.load(); }

 private:
  struct queued {
    uint64_t seq;
    json event;
  };
  // On worker 0.
  void schedule(std::chrono::milliseconds after);
  void flush();

  loop_group& loops_;
  const size_t max_queued_;
  std::vector<std::string> types_;
  std::string node_id_;
  hook hook_;
  boost::asio::steady_timer timer_;  // worker 0's
  std::mutex mutex_;
  std::deque<queued> queue_;
  uint64_t next_seq_ = 0;
  bool scheduled_ = false;  // a flush is due (timer armed or posted)
  bool sending_ = false;    // a batch is out
  std::chrono::milliseconds backoff_{0};
  std::atomic<int64_t> sent_{0};
  std::atomic<int64_t> dropped_{0};
};

}  // namespace switchboard::hooks
