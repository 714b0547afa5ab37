#pragma once
// The command line of `loadgen SCENARIO --url URL [--url URL…] [options]`, resolved once at start.
#include "bench/loadgen/client.h"

#include <sys/types.h>
#include <cstddef>
#include <string>
#include <vector>

namespace switchboard::bench {

struct options {
  std::string scenario;           // fanout | idle | connect | broadcast-all
  std::vector<std::string> urls;  // http://HOST:PORT, one per server node
  std::vector<target> targets;    // resolved from urls
  size_t threads = 1;             // worker threads (io_contexts)
  size_t source_addresses = 254;  // spread connections over 127.0.0.1 … 127.0.0.<n>
  size_t clients = 1000;
  size_t connect_window = 64;  // handshakes in progress at once while setting up
  std::string room = "bench";
  bool join = true;  // idle: join `room` after connecting
  // fanout
  size_t publishers = 10;
  size_t messages = 2000;    // in total, over all publishers
  size_t size = 100;         // bytes of text per message
  double rate = 0;           // messages/s over all publishers; 0: full speed
  size_t window = 32;        // full speed: messages in flight over all publishers
  double drain_timeout = 5;  // s without a delivery before a fanout gives up
  // idle
  double hold = 5;
  // connect
  double duration = 5;
  size_t concurrency = 32;  // handshakes in progress at once
  // broadcast-all
  size_t rounds = 3;
  // measurement of the servers (from /proc) and limits
  std::vector<pid_t> server_pids;
  std::vector<pid_t> redis_pids;
  double timeout = 0;  // s for setting up; 0: 30 + 10 ms per client
};

// Parses argv into `out`; on --help or an error prints and returns the exit code, else -1.
int parse_options(int argc, char** argv, options& out);

}  // namespace switchboard::bench
