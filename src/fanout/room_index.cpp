#include "fanout/room_index.h"

#include <algorithm>

namespace switchboard::fanout {

void room_index::add_member(member& m) {
  if (m.slot_ != member::no_slot) return;
  m.slot_ = members_.size();
  members_.push_back(&m);
}

void room_index::join(member& m, const std::string& room) {
  if (rooms_[room].insert(&m)) m.rooms_.push_back(room);
}

void room_index::leave(member& m, const std::string& room) {
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
  if (m.slot_ == member::no_slot) return;
  member* moved = members_.back();  // takes the leaving member's place
  members_[m.slot_] = moved;
  moved->slot_ = m.slot_;
  members_.pop_back();
  m.slot_ = member::no_slot;
}

const member_set* room_index::room_members(const std::string& room) const {
  auto it = rooms_.find(room);
  return it == rooms_.end() ? nullptr : &it->second;
}

}  // namespace switchboard::fanout
