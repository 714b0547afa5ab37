// loadgen: drives a Socket.IO server (Switchboard or the Node.js peer) through one scenario and
// prints one JSON line with the results on standard output. Exit 0 when the scenario completed
// without losing or duplicating anything, 1 otherwise, 2 on a bad command line.
#include "bench/loadgen/options.h"
#include "bench/loadgen/proc_stats.h"
#include "bench/loadgen/scenarios.h"

#include <csignal>
#include <iostream>

int main(int argc, char** argv) {
  using namespace switchboard::bench;
  options o;
  if (const int rc = parse_options(argc, argv, o); rc >= 0) return rc;
  std::signal(SIGPIPE, SIG_IGN);
  const auto files = raise_file_limit();
  if (files < o.clients + 64) {
    std::cerr << "loadgen: open-file limit " << files << " is below --clients " << o.clients << " + 64\n";
    return 2;
  }
  switchboard::json result;
  if (o.scenario == "fanout") {
    result = run_fanout(o);
  } else if (o.scenario == "idle") {
    result = run_idle(o);
  } else if (o.scenario == "connect") {
    result = run_connect(o);
  } else {
    result = run_broadcast_all(o);
  }
  std::cout << result.dump() << std::endl;
  return result.value("ok", false) ? 0 : 1;
}
