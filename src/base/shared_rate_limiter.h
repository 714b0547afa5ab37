#pragma once
// Token buckets that every worker thread checks: one for the whole process, or one per key (a
// client address), under one mutex. For requests that cost far more than the lock: handshakes
// and HTTP API calls. The per-key map is bounded; past `max_keys` it starts afresh, so address
// churn cannot grow memory (and an attacker gains at most one fresh burst per address).
#include "base/token_bucket.h"

#include <mutex>
#include <string>
#include <unordered_map>

namespace switchboard {

class shared_rate_limiter {
 public:
  static constexpr size_t default_max_keys = 100'000;

  explicit shared_rate_limiter(rate_limit r, size_t max_keys = default_max_keys)
      : rate_(r), max_keys_(max_keys), whole_(r) {}

  bool enabled() const { return rate_.enabled(); }

  // Takes one token of the process-wide bucket: 0 when taken, else the seconds until one is free.
  double take();
  // The same for `key`'s own bucket.
  double take(const std::string& key);
  // The seconds until `key`'s bucket has a token, taking none: 0 when it has one (or none was
  // ever taken). For limits on failures: checked before the attempt, taken after a failed one.
  double wait(const std::string& key);

 private:
  rate_limit rate_;
  size_t max_keys_;
  std::mutex mutex_;
  token_bucket whole_;
  std::unordered_map<std::string, token_bucket> by_key_;
};

// Whole seconds for a Retry-After header: at least 1.
int64_t retry_after_seconds(double wait);

}  // namespace switchboard
