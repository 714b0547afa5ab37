#pragma once
// Who is in which room, by user name (DESIGN.md §4 `members`, `GET /api/rooms`): room → user →
// number of that user's sockets in the room. One instance per node, shared by every worker under
// one mutex: joins and leaves are rare next to messages and never on the broadcast path.
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace switchboard::storage {

struct room_summary {
  std::string room;
  size_t members = 0;  // distinct users
};

class presence {
 public:
  // A socket of `user` entered `room`; true when the user was not in the room before.
  bool add(const std::string& room, const std::string& user);
  // A socket of `user` left `room`; true when it was the user's last socket in the room.
  bool remove(const std::string& room, const std::string& user);
  // Sorted user names in `room`.
  std::vector<std::string> members(const std::string& room) const;
  // Rooms with at least one member, sorted by name.
  std::vector<room_summary> rooms() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, size_t>, std::less<>> rooms_;
};

}  // namespace switchboard::storage
