#pragma once
// The HTTP connections that hold a descriptor on the client's say-so: accepted but not yet past
// a whole request (a fresh TCP connection, a TLS handshake, a keep-alive connection between
// requests). Each is counted while it waits, per client address and in all, so that a client
// opening connections and sending nothing (or a byte a minute) cannot use up the descriptors
// everyone shares. A connection past its request (a long-poll, an upgraded WebSocket) no longer
// counts here: the session limits cover it. Shared by every worker, under one mutex (taken once
// per connection and per request, never per message).
#include "http/types.h"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace switchboard::http {

class connection_gate : public std::enable_shared_from_this<connection_gate> {
 public:
  // A waiting connection's place; leaving it (destroyed or reset) frees the place.
  class ticket {
   public:
    ticket() = default;
    ticket(ticket&& o) noexcept : gate_(std::move(o.gate_)), key_(o.key_) {}
    ticket& operator=(ticket&& o) noexcept;
    ~ticket() { reset(); }
    void reset();
    explicit operator bool() const { return gate_ != nullptr; }

   private:
    friend class connection_gate;
    using key = std::array<uint8_t, 16>;
    ticket(std::shared_ptr<connection_gate> g, const key& k) : gate_(std::move(g)), key_(k) {}
    // Shared: a connection may outlive the listener (destroyed with its io_context at exit).
    std::shared_ptr<connection_gate> gate_;
    key key_{};
  };

  // 0: no limit.
  explicit connection_gate(size_t max_per_address) : max_per_address_(max_per_address) {}

  // A place for one more waiting connection from `address`, or an empty ticket when that address
  // already has its limit.
  ticket enter(const boost::asio::ip::address& address);
  // Waiting connections now, from every address.
  size_t waiting() const;

 private:
  struct key_hash {
    size_t operator()(const ticket::key& k) const;
  };
  void leave(const ticket::key& k);

  size_t max_per_address_;
  mutable std::mutex mutex_;
  std::unordered_map<ticket::key, uint32_t, key_hash> by_address_;
  size_t waiting_ = 0;
};

}  // namespace switchboard::http
