#include "storage/presence.h"

namespace switchboard::storage {

bool presence::add(const std::string& room, const std::string& user) {
  std::lock_guard lock(mutex_);
  return ++rooms_[room][user] == 1;
}

bool presence::remove(const std::string& room, const std::string& user) {
  std::lock_guard lock(mutex_);
  auto r = rooms_.find(room);
  if (r == rooms_.end()) return false;
  auto u = r->second.find(user);
  if (u == r->second.end()) return false;
  if (--u->second > 0) return false;
  r->second.erase(u);
  if (r->second.empty()) rooms_.erase(r);
  return true;
}

std::vector<std::string> presence::members(const std::string& room) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  if (auto r = rooms_.find(room); r != rooms_.end()) {
    for (const auto& [user, sockets] : r->second) out.push_back(user);
  }
  return out;
}

std::vector<room_summary> presence::rooms() const {
  std::lock_guard lock(mutex_);
  std::vector<room_summary> out;
  out.reserve(rooms_.size());
  for (const auto& [room, users] : rooms_) out.push_back({room, users.size()});
  return out;
}

}  // namespace switchboard::storage
