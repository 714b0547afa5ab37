#pragma once
// Measures each event loop's lag (how late a timer fires) for /metrics: a loop that is late is
// delaying every connection on it. One repeating timer per worker, on that worker.
#include "base/loop_group.h"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <vector>

namespace switchboard::server {

class loop_lag_probe {
 public:
  explicit loop_lag_probe(loop_group& loops);
  void stop();

 private:
  struct probe;
  std::vector<std::shared_ptr<probe>> probes_;
};

}  // namespace switchboard::server
