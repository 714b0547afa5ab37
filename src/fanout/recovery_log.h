#pragma once
// A single node's recovery log for one namespace: the recoverable broadcasts of the last window
// (at most `max_packets`) and the sessions of sockets that dropped, each kept for the window.
// Offsets are the decimal position of a packet in the log. Not thread-safe: the memory adapter
// holds its lock around every call, which is also what keeps delivery in log order.
#include "fanout/adapter.h"

#include <chrono>
#include <deque>
#include <optional>
#include <unordered_map>

namespace switchboard::fanout {

class recovery_log {
 public:
  using clock = std::chrono::steady_clock;

  recovery_log(std::chrono::milliseconds window, size_t max_packets) : window_(window), max_packets_(max_packets) {}

  // The position the next appended packet takes, and its offset as the client sees it.
  log_position next() const { return {0, last_ + 1}; }
  static std::string offset_of(log_position p) { return std::to_string(p.minor); }

  // `packet` must carry position next().
  void append(broadcast_packet_ptr packet, broadcast_options_ptr opts, clock::time_point now);
  void keep(recovery_session s, clock::time_point now);
  std::optional<recovery_session> find(const std::string& pid, clock::time_point now);
  // Consumes the session and gives what it missed after `offset`; nothing when the session
  // expired or a packet after `offset` is no longer kept.
  std::optional<missed_packets> take(const std::string& pid, const std::string& offset, clock::time_point now);

  size_t packet_count() const { return packets_.size(); }
  size_t session_count() const { return sessions_.size(); }

 private:
  void expire(clock::time_point now);

  struct entry {
    broadcast_packet_ptr packet;
    broadcast_options_ptr opts;
    clock::time_point at;
  };
  struct kept {
    recovery_session session;
    clock::time_point expires;
  };

  std::chrono::milliseconds window_;
  size_t max_packets_;
  uint64_t last_ = 0;  // position of the newest packet ever appended
  std::deque<entry> packets_;
  std::unordered_map<std::string, kept> sessions_;
  std::deque<std::pair<clock::time_point, std::string>> expiry_;  // pids, oldest first
};

}  // namespace switchboard::fanout
