#include "storage/presence.h"

#include <boost/asio/post.hpp>

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

std::vector<std::pair<std::string, std::string>> presence::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [room, users] : rooms_) {
    for (const auto& [user, sockets] : users) out.emplace_back(room, user);
  }
  return out;
}

void local_directory::changed(const std::string& room, const std::string&, bool present,
                              boost::asio::io_context& reply_on, changed_fn done) {
  // This node is the whole cluster; its presence already counts the change.
  const size_t left = presence_.members(room).size();
  const bool room_changed = present ? left == 1 : left == 0;
  boost::asio::post(reply_on, [done = std::move(done), room_changed] { done({true, room_changed}); });
}

void local_directory::members(const std::string& room, boost::asio::io_context& reply_on, members_fn done) {
  boost::asio::post(reply_on, [done = std::move(done), m = presence_.members(room)]() mutable { done(std::move(m)); });
}

void local_directory::rooms(boost::asio::io_context& reply_on, rooms_fn done) {
  boost::asio::post(reply_on, [done = std::move(done), r = presence_.rooms()]() mutable { done(std::move(r)); });
}

}  // namespace switchboard::storage
