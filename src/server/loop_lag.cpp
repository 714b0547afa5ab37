#include "server/loop_lag.h"

#include "base/metrics.h"

namespace switchboard::server {
namespace {
constexpr auto period = std::chrono::milliseconds(250);
}

struct loop_lag_probe::probe : std::enable_shared_from_this<probe> {
  probe(boost::asio::io_context& ctx, size_t w) : timer(ctx), worker(w) {}
  void arm() {
    due = std::chrono::steady_clock::now() + period;
    timer.expires_at(due);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      const auto late = std::chrono::steady_clock::now() - self->due;
      metrics::record_loop_lag(self->worker, std::chrono::duration_cast<std::chrono::microseconds>(late).count());
      self->arm();
    });
  }
  boost::asio::steady_timer timer;
  size_t worker;
  std::chrono::steady_clock::time_point due;
  bool stopped = false;
};

loop_lag_probe::loop_lag_probe(loop_group& loops) {
  for (size_t w = 0; w < loops.size(); ++w) {
    auto p = std::make_shared<probe>(loops.context(w), w);
    probes_.push_back(p);
    loops.post(w, [p] { p->arm(); });
  }
}

void loop_lag_probe::stop() {
  for (auto& p : probes_) {
    boost::asio::post(p->timer.get_executor(), [p] {
      p->stopped = true;
      p->timer.cancel();
    });
  }
}

}  // namespace switchboard::server
