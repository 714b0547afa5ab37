#pragma once
// Shutdown without a reconnect storm: on SIGTERM the node refuses new sessions (503, so a proxy
// or the client goes to another node) and closes its open ones in batches spread evenly over
// --drain-time, one every 100 ms. Each client sees its transport close and
// reconnects with its own backoff, elsewhere; with connection state recovery it recovers its
// session there. Then `finished` runs (on worker 0). With no sessions left it runs at once.
#include "socketio/server.h"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

namespace switchboard::server {

class drain {
 public:
  static constexpr std::chrono::milliseconds step{100};

  drain(socketio::server& io, std::chrono::milliseconds drain_time, std::function<void()> finished);
  // On worker 0.
  void start();

 private:
  void next();

  socketio::server& io_;
  size_t steps_;
  size_t step_ = 0;
  size_t initial_ = 0;  // sessions open when the drain started
  std::function<void()> finished_;
  boost::asio::steady_timer timer_;
};

}  // namespace switchboard::server
