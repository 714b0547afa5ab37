#include "base/shared_rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace switchboard {

double shared_rate_limiter::take() {
  if (!rate_.enabled()) return 0;
  std::lock_guard lock(mutex_);
  if (whole_.take()) return 0;
  return std::max(whole_.wait_seconds(), 1e-3);
}

double shared_rate_limiter::take(const std::string& key) {
  if (!rate_.enabled()) return 0;
  std::lock_guard lock(mutex_);
  if (by_key_.size() >= max_keys_) by_key_.clear();
  auto [it, fresh] = by_key_.try_emplace(key, rate_);
  if (it->second.take()) return 0;
  return std::max(it->second.wait_seconds(), 1e-3);
}

double shared_rate_limiter::wait(const std::string& key) {
  if (!rate_.enabled()) return 0;
  std::lock_guard lock(mutex_);
  const auto it = by_key_.find(key);
  return it == by_key_.end() ? 0 : it->second.wait_seconds();
}

int64_t retry_after_seconds(double wait) { return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait))); }

}  // namespace switchboard
