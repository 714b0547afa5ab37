#include "http/connection_gate.h"

#include <cassert>
#include <cstring>

namespace switchboard::http {
namespace {

// IPv4 as its IPv6-mapped form: one key type for both.
std::array<uint8_t, 16> key_of(const boost::asio::ip::address& a) {
  const auto v6 = a.is_v4() ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4()) : a.to_v6();
  return v6.to_bytes();
}

}  // namespace

connection_gate::ticket& connection_gate::ticket::operator=(ticket&& o) noexcept {
  if (this != &o) {
    reset();
    gate_ = std::move(o.gate_);
    key_ = o.key_;
  }
  return *this;
}

void connection_gate::ticket::reset() {
  if (auto g = std::move(gate_)) g->leave(key_);
}

size_t connection_gate::key_hash::operator()(const ticket::key& k) const {
  // Addresses are not chosen freely enough to flood a table; any mixing of all bytes will do.
  uint64_t a = 0, b = 0;
  std::memcpy(&a, k.data(), 8);
  std::memcpy(&b, k.data() + 8, 8);
  return std::hash<uint64_t>{}(a * 0x9E3779B97F4A7C15ULL ^ b);
}

connection_gate::ticket connection_gate::enter(const boost::asio::ip::address& address) {
  const auto k = key_of(address);
  std::lock_guard lock(mutex_);
  auto& n = by_address_[k];
  if (max_per_address_ > 0 && n >= max_per_address_) {
    if (n == 0) by_address_.erase(k);
    return {};
  }
  ++n;
  ++waiting_;
  return ticket(shared_from_this(), k);
}

void connection_gate::leave(const ticket::key& k) {
  std::lock_guard lock(mutex_);
  const auto it = by_address_.find(k);
  assert(it != by_address_.end() && it->second > 0 && waiting_ > 0);
  if (--it->second == 0) by_address_.erase(it);
  --waiting_;
}

size_t connection_gate::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace switchboard::http
