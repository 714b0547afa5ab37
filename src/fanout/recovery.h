#pragma once
// Connection state recovery (Socket.IO ≥ 4.6, docs/wire-format.md#connection-state-recovery): the types an adapter
// keeps so that a client reconnecting within the window gets its id, rooms and data back, and
// every broadcast it missed, in order.
#include "base/json.h"

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::fanout {

struct broadcast_packet;
struct broadcast_options;

// Where a recoverable broadcast sits in its namespace's log. The single-node log counts
// (`major` 0); a Redis stream entry id "<ms>-<seq>" maps to {ms, seq}. Zero: not in a log.
struct log_position {
  uint64_t major = 0;
  uint64_t minor = 0;
  auto operator<=>(const log_position&) const = default;
  explicit operator bool() const { return major != 0 || minor != 0; }
};

// What a socket leaves behind when its connection drops for a reason a client recovers from.
struct recovery_session {
  std::string sid;                 // the socket id, kept across the recovery
  std::string pid;                 // the private id the client presents to recover
  std::vector<std::string> rooms;  // its own room included
  json data;
};

// The broadcasts a recovering socket missed, oldest first, each with its offset appended.
using missed_packets = std::vector<std::shared_ptr<const broadcast_packet>>;

// Whether a broadcast to `opts` reached a socket in `rooms` (Node's shouldIncludePacket): no
// rooms named or one shared, and none excluded.
bool reaches(const std::vector<std::string>& rooms, const broadcast_options& opts);

// Node's reasons after which a session is kept for recovery: the transport went away, not the
// client or the application.
bool is_recoverable_reason(std::string_view reason);

}  // namespace switchboard::fanout
