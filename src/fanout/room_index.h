#pragma once
// One worker's slice of a namespace's rooms: room → members here, and (inside each member) member
// → rooms, so leaving everything costs the member's own rooms; and the list of its members, each
// knowing its place in it (adding and removing are constant-time, with no node per member). A
// member's own room (member::own_room, a socket's id) is a separate map from a view of its name to
// the member: one small node instead of a copied name, a set and an entry in the member's list.
// Touched only on its worker.
#include "fanout/adapter.h"
#include "fanout/member_set.h"

#include <functional>
#include <string_view>
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
  // Every room with a member here, own rooms too (as Node's adapter lists them).
  template <class F>
  void for_each_room(F&& fn) const {
    for (const auto& [room, members] : rooms_) fn(room);
    for (const auto& [room, m] : own_rooms_) {
      if (!rooms_.contains(room)) fn(std::string(room));
    }
  }
  size_t room_count() const { return rooms_.size() + own_rooms_.size(); }
  // Whether a member here is in `room`; and how many (0 when none).
  bool has_room(const std::string& room) const { return room_size(room) > 0; }
  size_t room_size(const std::string& room) const;

 private:
  // Calls `fn(member*)` for each member of `room` here.
  template <class F>
  void for_room(const std::string& room, F&& fn) const;

  // Looked up by string_view too (an own room's name, for the all-rooms list), without a copy.
  struct name_hash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  std::unordered_map<std::string, member_set, name_hash, std::equal_to<>> rooms_;
  std::unordered_map<std::string_view, member*> own_rooms_;  // keys view the members' own_room()
  std::vector<member*> members_;                             // each at its slot_
};

template <class F>
void room_index::for_room(const std::string& room, F&& fn) const {
  if (auto it = own_rooms_.find(room); it != own_rooms_.end()) fn(it->second);
  if (auto it = rooms_.find(room); it != rooms_.end()) it->second.for_each(fn);
}

template <class F>
void room_index::for_each(const broadcast_options& opts, F&& fn) const {
  std::unordered_set<member*> excluded;
  for (const auto& r : opts.except) for_room(r, [&](member* m) { excluded.insert(m); });
  auto visit = [&](member* m) {
    if (excluded.empty() || !excluded.count(m)) fn(*m);
  };
  if (opts.rooms.empty()) {
    for (member* m : members_) visit(m);
  } else if (opts.rooms.size() == 1) {
    for_room(opts.rooms.front(), visit);  // a member is never in a room both as its own and as joined
  } else {
    std::unordered_set<member*> seen;
    for (const auto& r : opts.rooms) {
      for_room(r, [&](member* m) {
        if (seen.insert(m).second) visit(m);
      });
    }
  }
}

}  // namespace switchboard::fanout
