#pragma once
// The node's link to Redis: one connection for commands (PUBLISH, PUBSUB NUMSUB…) and one
// subscriber connection (DESIGN.md §8: one subscriber connection per node), both on worker 0.
// Subscriptions are registered before start and re-issued after every reconnection, so Redis
// going away and coming back loses none. Handlers run on worker 0.
#include "base/loop_group.h"
#include "cluster/redis_connection.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace switchboard::cluster {

class redis_link {
 public:
  using message_fn = std::function<void(const std::string& channel, const std::string& payload)>;

  redis_link(loop_group& loops, redis_endpoint endpoint);

  // Before start.
  void subscribe(std::string channel, message_fn fn);
  void psubscribe(std::string pattern, message_fn fn);
  // Sharded Pub/Sub (Redis 7, SSUBSCRIBE): before start, or at any time on worker 0 (a room's
  // channel while it has members here). Kept across reconnections like the others.
  void ssubscribe(std::string channel, message_fn fn);
  void sunsubscribe(const std::string& channel);  // worker 0
  // Runs on worker 0 each time the link becomes connected (after the subscriptions are sent).
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
  void update_state();
  // PUBLISH or SPUBLISH, with the publish latency recorded.
  void send_publish(const char* verb, std::string channel, std::string payload);
  void on_push(const redis_value& v);

  loop_group& loops_;
  redis_endpoint endpoint_;
  std::shared_ptr<redis_connection> pub_;
  std::shared_ptr<redis_connection> sub_;
  std::map<std::string, message_fn> channels_;
  std::map<std::string, message_fn> patterns_;
  std::map<std::string, message_fn> shard_channels_;  // worker 0 once started
  bool started_ = false;                              // worker 0
  std::vector<std::function<void()>> on_connected_;
  std::atomic<bool> connected_{false};
};

}  // namespace switchboard::cluster
