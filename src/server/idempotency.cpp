#include "server/idempotency.h"

#include <boost/asio/post.hpp>

#include <memory>

namespace switchboard::server {

std::vector<bool> local_idempotency_keys::claim_at(const std::vector<std::string>& keys,
                                                   std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  while (!order_.empty() && (now - order_.front().first >= window || order_.size() > max_local_keys)) {
    const auto it = seen_.find(order_.front().second);
    if (it != seen_.end() && it->second == order_.front().first) seen_.erase(it);
    order_.pop_front();
  }
  std::vector<bool> fresh;
  fresh.reserve(keys.size());
  for (const auto& k : keys) {
    const auto [it, inserted] = seen_.try_emplace(k, now);
    fresh.push_back(inserted);
    if (inserted) order_.emplace_back(now, k);
  }
  return fresh;
}

void local_idempotency_keys::claim(std::vector<std::string> keys, boost::asio::io_context& reply_on, claimed_fn done) {
  auto fresh = claim_at(keys, std::chrono::steady_clock::now());
  boost::asio::post(reply_on, [fresh = std::move(fresh), done = std::move(done)]() mutable { done(std::move(fresh)); });
}

void redis_idempotency_keys::claim(std::vector<std::string> keys, boost::asio::io_context& reply_on, claimed_fn done) {
  // One SET NX per key, pipelined on the link; the replies come back in order on its thread.
  struct replies {
    std::mutex mutex;
    std::vector<bool> fresh;
    size_t waiting = 0;
    bool failed = false;
  };
  if (keys.empty()) {
    return boost::asio::post(reply_on, [done = std::move(done)] { done(std::vector<bool>{}); });
  }
  auto r = std::make_shared<replies>();
  r->fresh.assign(keys.size(), false);
  r->waiting = keys.size();
  for (size_t i = 0; i < keys.size(); ++i) {
    link_.command({"SET", key(keys[i]), "1", "NX", "EX", std::to_string(window.count())},
                  [this, r, i, keys, &reply_on, done](const cluster::redis_value& v) {
                    std::lock_guard lock(r->mutex);
                    if (v.is_error()) r->failed = true;
                    r->fresh[i] = v.type == cluster::redis_value::kind::status;  // OK; nil when it was there
                    if (--r->waiting > 0) return;
                    std::optional<std::vector<bool>> answer;
                    if (!r->failed) {
                      answer = std::move(r->fresh);
                    } else {
                      // Nothing is published: the keys this request claimed are free again for
                      // its retry.
                      for (size_t k = 0; k < keys.size(); ++k) {
                        if (r->fresh[k]) link_.command({"DEL", key(keys[k])}, {});
                      }
                    }
                    boost::asio::post(reply_on,
                                      [done, answer = std::move(answer)]() mutable { done(std::move(answer)); });
                  });
  }
}

}  // namespace switchboard::server
