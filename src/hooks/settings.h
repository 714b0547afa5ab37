#pragma once
// What the configuration says of the backend hooks (docs/design.md#backend-hooks): where each
// one goes and what they share. Pure: the command line reads it (server/config.h).
#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::hooks {

// What every hook shares: the secret, the deadline, the bound on requests in flight.
struct settings {
  std::string secret;
  std::chrono::milliseconds timeout{5000};
  size_t max_in_flight = 1000;  // per node, all hooks together
};

// Each URL parsed already (http/url.h); empty: that hook is off.
struct urls {
  std::string connect;
  std::string join;
  std::string message;
  std::vector<std::pair<std::string, std::string>> rpc;  // EVENT, URL
};

}  // namespace switchboard::hooks
