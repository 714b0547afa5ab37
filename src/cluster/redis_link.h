#pragma once
// The node's link to Redis: one connection for commands (PUBLISH, PUBSUB NUMSUB…) and one
// subscriber connection (docs/design.md#performance-model: one subscriber connection per node), both on worker 0.
// Subscriptions are registered before start and re-issued after every reconnection, so Redis
// going away and coming back loses none. Handlers run on worker 0.
//
// Against a Redis Cluster (learned from CLUSTER SLOTS on connecting) the link also keeps one
// command and one subscriber connection per master: a command with a key goes to the master that
// owns the key's slot (following MOVED once when the cluster changed), a shard channel is
// SSUBSCRIBEd and SPUBLISHed on its owner. Plain PUBLISH/SUBSCRIBE stay on the first connections:
// the cluster bus spreads them to every node.
#include "base/loop_group.h"
#include "cluster/redis_connection.h"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace switchboard::cluster {

// Anyone can publish on a cluster channel: what cannot be used is logged and counted
// (switchboard_cluster_bad_messages_total), never fatal.
void drop_bad_message(std::string_view channel, size_t bytes, std::string_view why);

class redis_link {
 public:
  using message_fn = std::function<void(const std::string& channel, const std::string& payload)>;

  redis_link(loop_group& loops, redis_endpoint endpoint);

  // Before start.
  void subscribe(std::string channel, message_fn fn);
  void psubscribe(std::string pattern, message_fn fn);
  // Sharded Pub/Sub (Redis 7, SSUBSCRIBE): before start, or at any time on worker 0 (a room's
  // channel while it has members here). Kept across reconnections like the others. The link is
  // connected only once Redis confirmed the shard channels subscribed before start.
  void ssubscribe(std::string channel, message_fn fn);
  void sunsubscribe(const std::string& channel);  // worker 0
  // Runs on worker 0 each time the link becomes connected: both connections ready and every
  // SUBSCRIBE/PSUBSCRIBE confirmed, so that what is published from then on is heard (a catch-up
  // read from then on misses nothing between what it reads and what the subscriptions hear).
  void on_connected(std::function<void()> fn) { on_connected_.push_back(std::move(fn)); }

  void start();
  void stop();  // from any thread

  // Any thread: the command goes out with the next write of worker 0. Returns at once; a publish
  // while Redis is away is dropped (Pub/Sub keeps nothing for absent listeners either).
  void publish(std::string channel, std::string payload);
  void spublish(std::string channel, std::string payload);  // sharded: SPUBLISH
  // Any thread; `done` runs on worker 0 with the reply (an error value when Redis is away).
  void command(std::vector<std::string> argv, redis_connection::reply_fn done);

  bool connected() const { return connected_.load(std::memory_order_relaxed); }
  std::string state() const { return connected() ? "connected" : "disconnected"; }
  const redis_endpoint& endpoint() const { return endpoint_; }
  loop_group& loops() { return loops_; }

 private:
  // One master of a Redis Cluster.
  struct shard {
    std::string address;  // host:port
    std::shared_ptr<redis_connection> pub;
    std::shared_ptr<redis_connection> sub;
  };

  void update_state();
  void on_push(const redis_value& v);
  // Worker 0: sends `argv` to the connection that owns its key; follows one MOVED.
  void route(std::vector<std::string> argv, redis_connection::reply_fn done, bool redirected);
  // CLUSTER SLOTS on the first connection: a cluster gets its shards, a single Redis none.
  void discover();
  void apply_slots(const redis_value& slots);
  shard& shard_at(const std::string& host, uint16_t port);
  redis_connection& sub_for(const std::string& channel);
  void subscribe_all();  // on sub_: every channel and pattern, and the shard channels it serves
  void on_subscribe_refused(const redis_value& v);
  // SSUBSCRIBE every shard channel that `conn` serves (after it became ready, or after discovery).
  void resubscribe_shards(redis_connection& conn);

  loop_group& loops_;
  redis_endpoint endpoint_;
  std::shared_ptr<redis_connection> pub_;
  std::shared_ptr<redis_connection> sub_;
  std::map<std::string, message_fn> channels_;
  std::map<std::string, message_fn> patterns_;
  std::map<std::string, message_fn> shard_channels_;  // worker 0 once started
  std::set<std::string> required_shard_channels_;     // those subscribed before start
  std::set<std::string> unconfirmed_shard_channels_;  // of those, sent and not yet confirmed; worker 0
  std::vector<std::function<void()>> on_connected_;
  std::atomic<bool> connected_{false};
  // Worker 0 state.
  bool started_ = false;
  bool discovered_ = false;  // CLUSTER SLOTS answered since the last connection
  size_t unconfirmed_ = 0;   // subscriptions sent on sub_ and not yet confirmed
  // After Redis refused a subscription: all of them are asked for again after `subscribe_retry`.
  static constexpr std::chrono::seconds subscribe_retry{5};
  boost::asio::steady_timer resubscribe_timer_;
  bool resubscribe_pending_ = false;
  std::vector<std::unique_ptr<shard>> shards_;
  std::vector<shard*> slot_owner_;  // 16384 entries on a cluster; empty on a single Redis
};

}  // namespace switchboard::cluster
