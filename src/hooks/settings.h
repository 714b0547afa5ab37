#pragma once
// What the configuration says of the backend hooks (docs/design.md#backend-hooks): where each
// one goes and what they share. Pure: the command line reads it (server/config.h).
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::hooks {

// What every hook shares: the secret, the deadline, the bound on requests in flight.
struct settings {
  std::string secret;
  std::chrono::milliseconds timeout{5000};
  size_t max_in_flight = 1000;         // per node, all hooks together
  size_t webhook_max_queued = 10'000;  // events waiting to be sent; past it the oldest are dropped
};

// The types of webhook events (docs/design.md#webhooks).
inline constexpr std::string_view webhook_event_types[] = {"room_occupied", "room_vacated", "member_added",
                                                           "member_removed", "message"};
inline bool valid_webhook_event_type(std::string_view type) {
  return std::find(std::begin(webhook_event_types), std::end(webhook_event_types), type) !=
         std::end(webhook_event_types);
}

// Each URL parsed already (http/url.h); empty: that hook is off.
struct urls {
  std::string connect;
  std::string join;
  std::string message;
  std::vector<std::pair<std::string, std::string>> rpc;  // EVENT, URL
  std::string webhook;
  std::vector<std::string> webhook_events;  // the types to send; empty: all
};

}  // namespace switchboard::hooks
