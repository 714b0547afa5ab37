#pragma once
// The JWT policy in force, shared by every worker: read on each CONNECT, replaced whole when a
// key set is fetched again (server/jwks_fetcher.h). A token that names a `kid` no key has asks
// for a fetch; the CONNECT waits for it and is checked once more. Thread-safe (one mutex, held
// for a pointer copy).
#include "access/jwt.h"

#include <functional>
#include <memory>
#include <mutex>

namespace switchboard::access {

class jwt_keyring {
 public:
  // Fetches the key set again and calls `done` (on any thread) once it tried.
  using fetcher = std::function<void(std::function<void()> done)>;

  explicit jwt_keyring(std::shared_ptr<const jwt_policy> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const jwt_policy> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void replace(std::shared_ptr<const jwt_policy> p) {
    std::lock_guard lock(mutex_);
    current_ = std::move(p);
  }
  // Set once, before the loops run.
  void set_fetcher(fetcher f) { fetcher_ = std::move(f); }
  // For an unknown `kid`: `done` runs after a fetch, or at once when no key set is fetched.
  void fetch_again(std::function<void()> done) const {
    if (!fetcher_) return done();
    fetcher_(std::move(done));
  }
  bool fetches() const { return static_cast<bool>(fetcher_); }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const jwt_policy> current_;
  fetcher fetcher_;
};

}  // namespace switchboard::access
