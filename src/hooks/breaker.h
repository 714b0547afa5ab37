#pragma once
// Fail fast while a backend keeps failing: after `failures_to_open` failures in a row the breaker
// opens and refuses every request for `pause`; then it lets one request through (half open), and
// that request's outcome closes it again or opens it for another pause. A client then hears
// `unavailable` at once instead of after --hook-timeout, and a backend coming back is not met by
// a wall of retries. Shared by the workers (a mutex: hooks are off the broadcast path).
#include <chrono>
#include <mutex>

namespace switchboard::hooks {

class breaker {
 public:
  using clock = std::chrono::steady_clock;
  enum class state { closed, open, half_open };

  explicit breaker(int failures_to_open = 5, std::chrono::milliseconds pause = std::chrono::seconds(5))
      : failures_to_open_(failures_to_open), pause_(pause) {}

  // Whether a request may be sent now. In the open state after the pause, true for one caller.
  bool allow(clock::time_point now);
  // The outcome of an allowed request. Each returns true when the state changed (for a log line).
  bool succeeded();
  bool failed(clock::time_point now);

  state current() const;
  std::chrono::milliseconds pause() const { return pause_; }

 private:
  const int failures_to_open_;
  const std::chrono::milliseconds pause_;
  mutable std::mutex mutex_;
  state state_ = state::closed;
  int failures_ = 0;
  clock::time_point open_until_{};
};

}  // namespace switchboard::hooks
