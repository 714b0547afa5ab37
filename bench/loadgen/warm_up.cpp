#include "bench/loadgen/warm_up.h"

#include "bench/loadgen/swarm.h"
#include "bench/loadgen/worker_pool.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace switchboard::bench {
namespace {

struct no_events final : swarm::handler {};

}  // namespace

bool warm_up(const options& o, bool join, std::string& error) {
  options few = o;
  few.clients = std::min(o.clients, warm_up_clients);
  worker_pool pool(o.threads);
  no_events quiet;
  swarm s(pool, few, quiet);
  if (!s.establish(join, error)) {
    error = "warm-up: " + error;
    return false;
  }
  s.wait_quiet(0.2, 5);
  s.close_all(5);
  // The server closes its side after ours: give it a moment before memory is read. A benchmark's
  // pause, not a test's synchronisation.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return true;
}

}  // namespace switchboard::bench
