#pragma once
// Who is in which room, by user name (docs/design.md#presence: `members`, `GET /api/rooms`): room → user →
// number of that user's sockets in the room. One instance per node, shared by every worker under
// one mutex: joins and leaves are rare next to messages and never on the broadcast path.
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <functional>
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
  // `room_was_empty`: no user was in it before.
  bool add(const std::string& room, const std::string& user, bool& room_was_empty);
  bool add(const std::string& room, const std::string& user) {
    bool ignored;
    return add(room, user, ignored);
  }
  // A socket of `user` left `room`; true when it was the user's last socket in the room.
  // `room_now_empty`: no user is left in it.
  bool remove(const std::string& room, const std::string& user, bool& room_now_empty);
  bool remove(const std::string& room, const std::string& user) {
    bool ignored;
    return remove(room, user, ignored);
  }
  // Sorted user names in `room`.
  std::vector<std::string> members(const std::string& room) const;
  // Rooms with at least one member, sorted by name.
  std::vector<room_summary> rooms() const;
  // Every (room, user) present here.
  std::vector<std::pair<std::string, std::string>> entries() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, size_t>, std::less<>> rooms_;
};

// Who is in a room as seen by clients and the API: this node's presence, or the whole cluster's.
// Answers are posted to `reply_on`.
class presence_directory {
 public:
  using members_fn = std::function<void(std::vector<std::string> members)>;
  using rooms_fn = std::function<void(std::vector<room_summary> rooms)>;
  // What a user's arrival in (or departure from) a room on this node is for the whole cluster.
  // Each is true for exactly one node of the cluster (the directory decides atomically), so what
  // follows from it (a presence event, a webhook) happens once per cluster, not once per node.
  struct change {
    bool announce = false;      // the user appeared in (or left) the room cluster-wide
    bool room_changed = false;  // with announce: the room was empty before (or is empty now)
  };
  using changed_fn = std::function<void(change)>;

  virtual ~presence_directory() = default;
  // The user appeared in (`present`) or left the room on this node (presence::add or remove said
  // so; `room_changed_here`: and the room was empty on this node before, or is now). The cluster
  // directory records it and tells whether another node still has the user: first to `decided`,
  // at once where the answer is known and in the order the directory decided (for what must keep
  // that order across workers: webhook events; may be empty), then to `done` on `reply_on`.
  virtual void changed(const std::string& room, const std::string& user, bool present, bool room_changed_here,
                       boost::asio::io_context& reply_on, changed_fn decided, changed_fn done) = 0;
  virtual void members(const std::string& room, boost::asio::io_context& reply_on, members_fn done) = 0;
  virtual void rooms(boost::asio::io_context& reply_on, rooms_fn done) = 0;
};

// A single node: the directory is the node's own presence.
class local_directory final : public presence_directory {
 public:
  explicit local_directory(const presence& p) : presence_(p) {}
  void changed(const std::string& room, const std::string& user, bool present, bool room_changed_here,
               boost::asio::io_context& reply_on, changed_fn decided, changed_fn done) override;
  void members(const std::string& room, boost::asio::io_context& reply_on, members_fn done) override;
  void rooms(boost::asio::io_context& reply_on, rooms_fn done) override;

 private:
  const presence& presence_;
};

}  // namespace switchboard::storage
