#include "hooks/breaker.h"

namespace switchboard::hooks {

bool breaker::allow(clock::time_point now) {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case state::closed:
      return true;
    case state::half_open:
      return false;  // the one trial request is out
    case state::open:
      if (now < open_until_) return false;
      state_ = state::half_open;
      return true;
  }
  return false;
}

bool breaker::succeeded() {
  std::lock_guard lock(mutex_);
  failures_ = 0;
  const bool changed = state_ != state::closed;
  state_ = state::closed;
  return changed;
}

bool breaker::failed(clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (state_ == state::open) return false;  // an answer to a request sent before it opened
  if (state_ == state::closed && ++failures_ < failures_to_open_) return false;
  state_ = state::open;
  open_until_ = now + pause_;
  failures_ = 0;
  return true;
}

breaker::state breaker::current() const {
  std::lock_guard lock(mutex_);
  return state_;
}

}  // namespace switchboard::hooks
