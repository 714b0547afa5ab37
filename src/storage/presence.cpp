#include "storage/presence.h"

#include <boost/asio/post.hpp>

namespace switchboard::storage {

bool presence::add(const std::string& room, const std::string& user, bool& room_was_empty) {
  std::lock_guard lock(mutex_);
  auto& users = rooms_[room];
  room_was_empty = users.empty();
  return ++users[user] == 1;
}

bool presence::remove(const std::string& room, const std::string& user, bool& room_now_empty) {
  std::lock_guard lock(mutex_);
  room_now_empty = false;
  auto r = rooms_.find(room);
  if (r == rooms_.end()) return false;
  auto u = r->second.find(user);
  if (u == r->second.end()) return false;
  if (--u->second > 0) return false;
  r->second.erase(u);
  room_now_empty = r->second.empty();
  if (room_now_empty) rooms_.erase(r);
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

void local_directory::changed(const std::string&, const std::string&, bool, bool room_changed_here,
                              boost::asio::io_context& reply_on, changed_fn decided, changed_fn done) {
  // This node is the whole cluster: what its presence said under its lock holds for all.
  const change c{true, room_changed_here};
  if (decided) decided(c);
  boost::asio::post(reply_on, [done = std::move(done), c] { done(c); });
}

void local_directory::members(const std::string& room, boost::asio::io_context& reply_on, members_fn done) {
  boost::asio::post(reply_on, [done = std::move(done), m = presence_.members(room)]() mutable { done(std::move(m)); });
}

void local_directory::rooms(boost::asio::io_context& reply_on, rooms_fn done) {
  boost::asio::post(reply_on, [done = std::move(done), r = presence_.rooms()]() mutable { done(std::move(r)); });
}

}  // namespace switchboard::storage
