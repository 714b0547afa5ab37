#pragma once
// Cluster-wide presence in Redis (`--redis`). Each node mirrors its own presence: per room a hash
// `<prefix>:{presence}:room:<room>` with one field `<node>\n<user>` per user present on that node,
// the set `<prefix>:{presence}:rooms`, and the set `<prefix>:{presence}:node:<node>` of the rooms
// it wrote to. One hash tag for all: on a Redis Cluster the scripts that read several of them run
// on one shard. Liveness: every node scores itself in the sorted set `<prefix>:{presence}:nodes`
// with Redis' own clock every 5 s; readers count only nodes seen in the last 15 s, so the members of a node
// that died vanish within 15 s, and a live node purges a dead node's fields after 60 s. After a
// reconnection the node writes its whole presence again. Reads are Lua scripts that return the
// distinct users of live nodes. A write is a script too, which also tells whether another live
// node has the user in the room, so that presence events go out once per cluster. Runs its timer
// and Redis callbacks on worker 0.
#include "cluster/redis_link.h"
#include "storage/presence.h"

#include <boost/asio/steady_timer.hpp>

namespace switchboard::storage {

class redis_directory final : public presence_directory {
 public:
  redis_directory(cluster::redis_link& link, presence& local, std::string prefix, std::string node_id);

  void start();  // after the link started; on worker 0's loop
  void stop();

  void changed(const std::string& room, const std::string& user, bool present, bool room_changed_here,
               boost::asio::io_context& reply_on, changed_fn decided, changed_fn done) override;
  void members(const std::string& room, boost::asio::io_context& reply_on, members_fn done) override;
  void rooms(boost::asio::io_context& reply_on, rooms_fn done) override;

 private:
  std::string key(const std::string& rest) const;  // <prefix>:{presence}:<rest>
  // Records the change; `done(found)` on the link's thread: 1 when another live node has the user
  // in the room, plus 2 when another user is in it (2 when Redis is away).
  void write(const std::string& room, const std::string& user, bool present, std::function<void(int64_t found)> done);
  void heartbeat();
  void beat();
  void resync();

  cluster::redis_link& link_;
  presence& local_;
  std::string prefix_;
  std::string node_id_;
  boost::asio::steady_timer timer_;
  int ticks_ = 0;  // worker 0 only
  bool stopped_ = false;
};

}  // namespace switchboard::storage
