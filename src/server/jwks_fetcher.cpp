#include "server/jwks_fetcher.h"

#include "access/jwks.h"
#include "base/log.h"

namespace switchboard::server {

jwks_fetcher::jwks_fetcher(http::fetch_url url, std::string shown_url, access::jwt_keyring& ring,
                           std::shared_ptr<const access::jwt_policy> base)
    : url_(std::move(url)), shown_url_(std::move(shown_url)), ring_(ring), base_(std::move(base)) {}

jwks_fetcher::~jwks_fetcher() { stop(); }

std::string jwks_fetcher::fetch_and_swap() {
  const auto got = http::fetch(url_, timeout, max_bytes);
  if (!got.ok) return got.error;
  std::string error;
  auto keys = access::parse_jwks(got.body, error);
  if (keys.empty()) return error;
  auto policy = std::make_shared<access::jwt_policy>(*base_);
  for (auto& k : keys) policy->keys.push_back(std::move(k));
  ring_.replace(std::move(policy));
  return {};
}

bool jwks_fetcher::fetch_now(std::string& error) {
  error = fetch_and_swap();
  last_fetch_ = std::chrono::steady_clock::now();
  return error.empty();
}

void jwks_fetcher::start() {
  ring_.set_fetcher([this](std::function<void()> done) {
    {
      std::lock_guard lock(mutex_);
      if (!stopping_) {
        waiting_.push_back(std::move(done));
        wake_.notify_one();
        return;
      }
    }
    done();
  });
  thread_ = std::thread([this] { run(); });
}

void jwks_fetcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  for (auto& done : std::exchange(waiting_, {})) done();
}

void jwks_fetcher::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto due = last_fetch_ + period;
    wake_.wait_until(lock, due, [&] { return stopping_ || !waiting_.empty(); });
    if (stopping_) break;
    const auto now = std::chrono::steady_clock::now();
    auto callers = std::exchange(waiting_, {});
    // On demand, but not more than once per least_between_fetches: those callers check again
    // with the keys as they are.
    const bool on_demand = !callers.empty() && (!last_demand_ || now - *last_demand_ >= least_between_fetches);
    if (on_demand) last_demand_ = now;
    if (now >= due || on_demand) {
      last_fetch_ = now;
      lock.unlock();
      if (const auto error = fetch_and_swap(); !error.empty())
        SB_LOG(warn, "event=jwks_fetch_failed url=\"" << shown_url_ << "\" error=\"" << error << "\"");
      lock.lock();
    }
    lock.unlock();
    for (auto& done : callers) done();
    lock.lock();
  }
}

}  // namespace switchboard::server
