#include "fanout/recovery.h"

#include "fanout/adapter.h"

#include <algorithm>
#include <array>

namespace switchboard::fanout {

bool reaches(const std::vector<std::string>& rooms, const broadcast_options& opts) {
  const auto in = [&](const std::vector<std::string>& set) {
    return std::any_of(rooms.begin(), rooms.end(),
                       [&](const std::string& r) { return std::find(set.begin(), set.end(), r) != set.end(); });
  };
  return (opts.rooms.empty() || in(opts.rooms)) && !in(opts.except);
}

bool is_recoverable_reason(std::string_view reason) {
  static constexpr std::array<std::string_view, 6> reasons{"transport error",      "transport close",
                                                           "forced close",         "ping timeout",
                                                           "server shutting down", "forced server close"};
  return std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
}

}  // namespace switchboard::fanout
