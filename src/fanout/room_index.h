#pragma once
// One worker's slice of a namespace's rooms: room → members here, and (inside each member) member
// → rooms, so leaving everything costs the member's own rooms; and the list of its members, each
// knowing its place in it (adding and removing are constant-time, with no node per member).
// Touched only on its worker.
#include "fanout/adapter.h"
#include "fanout/member_set.h"

#include <unordered_map>
#include <unordered_set>

namespace switchboard::fanout {

class room_index {
 public:
  void add_member(member& m);
  void join(member& m, const std::string& room);
  void leave(member& m, const std::string& room);
  // Leaves every room and forgets the member.
  void remove_member(member& m);

  // Calls `fn(member&)` once for every member selected by rooms/except.
  template <class F>
  void for_each(const broadcast_options& opts, F&& fn) const;

  void deliver(const broadcast_packet& packet, const broadcast_options& opts) const {
    for_each(opts, [&](member& m) { m.deliver(packet, opts.is_volatile); });
  }

  size_t member_count() const { return members_.size(); }
  template <class F>
  void for_each_room(F&& fn) const {
    for (const auto& [room, members] : rooms_) fn(room);
  }
  size_t room_count() const { return rooms_.size(); }
  const member_set* room_members(const std::string& room) const;

 private:
  std::unordered_map<std::string, member_set> rooms_;
  std::vector<member*> members_;  // each at its slot_
};

template <class F>
void room_index::for_each(const broadcast_options& opts, F&& fn) const {
  std::unordered_set<member*> excluded;
  for (const auto& r : opts.except) {
    if (auto* ms = room_members(r)) ms->for_each([&](member* m) { excluded.insert(m); });
  }
  auto visit = [&](member* m) {
    if (excluded.empty() || !excluded.count(m)) fn(*m);
  };
  if (opts.rooms.empty()) {
    for (member* m : members_) visit(m);
  } else if (opts.rooms.size() == 1) {
    if (auto* ms = room_members(opts.rooms.front())) ms->for_each(visit);
  } else {
    std::unordered_set<member*> seen;
    for (const auto& r : opts.rooms) {
      if (auto* ms = room_members(r)) {
        ms->for_each([&](member* m) {
          if (seen.insert(m).second) visit(m);
        });
      }
    }
  }
}

}  // namespace switchboard::fanout
