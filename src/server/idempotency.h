#pragma once
// Which publish idempotency keys were seen in the last 5 minutes (docs/design.md#http-api): a
// publish retried with the same key (a backend that timed out and tried again, on any node) is
// answered as the first time and not published again. A single node keeps the keys in memory,
// at most `max_local_keys` (the oldest forgotten first); a cluster node claims each key in Redis
// (SET NX with the window as its expiry), so the nodes agree.
#include "cluster/redis_link.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace switchboard::server {

class idempotency_keys {
 public:
  static constexpr std::chrono::seconds window{300};
  // For each key, whether it is new (claimed now) or a repeat; nullopt when that could not be
  // told (Redis away). `done` runs on `reply_on`.
  using claimed_fn = std::function<void(std::optional<std::vector<bool>> fresh)>;

  virtual ~idempotency_keys() = default;
  virtual void claim(std::vector<std::string> keys, boost::asio::io_context& reply_on, claimed_fn done) = 0;
};

class local_idempotency_keys final : public idempotency_keys {
 public:
  static constexpr size_t max_local_keys = 100'000;
  void claim(std::vector<std::string> keys, boost::asio::io_context& reply_on, claimed_fn done) override;
  // The same, at `now`, answered at once (for tests).
  std::vector<bool> claim_at(const std::vector<std::string>& keys, std::chrono::steady_clock::time_point now);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> seen_;  // key → when
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> order_;
};

class redis_idempotency_keys final : public idempotency_keys {
 public:
  redis_idempotency_keys(cluster::redis_link& link, std::string prefix) : link_(link), prefix_(std::move(prefix)) {}
  void claim(std::vector<std::string> keys, boost::asio::io_context& reply_on, claimed_fn done) override;

 private:
  std::string key(const std::string& k) const { return prefix_ + ":publish-key:" + k; }

  cluster::redis_link& link_;
  std::string prefix_;
};

}  // namespace switchboard::server
