#include "server/drain.h"

#include "base/log.h"

#include <algorithm>

namespace switchboard::server {

drain::drain(socketio::server& io, std::chrono::milliseconds drain_time, std::function<void()> finished)
    : io_(io),
      steps_(static_cast<size_t>(std::max<int64_t>(1, drain_time / step))),
      finished_(std::move(finished)),
      timer_(io.loops().context(0)) {}

void drain::start() {
  initial_ = io_.engine().session_count();
  SB_LOG(info, "event=drain_start sessions=" << initial_ << " batches=" << steps_);
  next();
}

void drain::next() {
  const size_t open = io_.engine().session_count();
  if (step_ == steps_ || open == 0) return finished_();
  ++step_;
  // By this step, step/steps of the sessions should be gone; the last one closes all that is left.
  const size_t due = (initial_ * step_ + steps_ - 1) / steps_;
  const size_t gone = initial_ - std::min(initial_, open);
  if (due > gone) io_.engine().close_some(step_ == steps_ ? open : due - gone, "server shutting down");
  timer_.expires_after(step);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) next();
  });
}

}  // namespace switchboard::server
