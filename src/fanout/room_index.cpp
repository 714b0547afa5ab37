#include "fanout/room_index.h"

#include <algorithm>

namespace switchboard::fanout {

void room_index::add_member(member& m) {
  if (m.slot_ != member::no_slot) return;
  m.slot_ = static_cast<uint32_t>(members_.size());
  members_.push_back(&m);
}

namespace {
bool is_own(const member& m, const std::string& room) {
  const std::string_view own = m.own_room();
  return !own.empty() && own == room;
}
}  // namespace

void room_index::join(member& m, const std::string& room) {
  if (is_own(m, room)) {
    if (!m.in_own_room_ && own_rooms_.emplace(m.own_room(), &m).second) m.in_own_room_ = true;
    return;
  }
  if (rooms_[room].insert(&m)) m.rooms_.push_back(room);
}

void room_index::leave(member& m, const std::string& room) {
  if (is_own(m, room)) {
    if (m.in_own_room_) own_rooms_.erase(m.own_room());
    m.in_own_room_ = false;
    return;
  }
  auto it = rooms_.find(room);
  if (it == rooms_.end() || !it->second.erase(&m)) return;
  if (it->second.empty()) rooms_.erase(it);
  auto& mine = m.rooms_;
  mine.erase(std::find(mine.begin(), mine.end(), room));
}

void room_index::remove_member(member& m) {
  for (const auto& room : m.rooms_) {
    auto it = rooms_.find(room);
    if (it == rooms_.end()) continue;
    it->second.erase(&m);
    if (it->second.empty()) rooms_.erase(it);
  }
  m.rooms_.clear();
  if (m.in_own_room_) own_rooms_.erase(m.own_room());
  m.in_own_room_ = false;
  if (m.slot_ == member::no_slot) return;
  member* moved = members_.back();  // takes the leaving member's place
  members_[m.slot_] = moved;
  moved->slot_ = m.slot_;
  members_.pop_back();
  m.slot_ = member::no_slot;
}

size_t room_index::room_size(const std::string& room) const {
  size_t n = own_rooms_.contains(room) ? 1 : 0;
  if (auto it = rooms_.find(room); it != rooms_.end()) n += it->second.size();
  return n;
}

}  // namespace switchboard::fanout
