#pragma once
// History in Redis, shared by every node of a cluster (`--redis`): per room a counter
// `<prefix>:chat:{room}:seq` hands out ids (unique across the cluster, increasing per room) and a
// sorted set `<prefix>:chat:{room}:history` holds `"<id>:<json>"` scored by id, trimmed to the
// last `per_room` messages. One Lua script does increment, insert and trim atomically, so a
// message is acknowledged only once Redis has it. The braces keep both keys of a room in one
// Redis Cluster slot. Commands go through the link's command connection (worker 0); completions
// are posted to the caller's io_context.
#include "cluster/redis_link.h"
#include "storage/history.h"

namespace switchboard::storage {

class redis_history final : public history_store {
 public:
  redis_history(cluster::redis_link& link, std::string prefix, size_t per_room = 10'000);

  void append(message m, boost::asio::io_context& reply_on, append_done done) override;
  void read(history_query q, boost::asio::io_context& reply_on, read_done done) override;
  void close() override {}

 private:
  std::string key(const std::string& room, const char* what) const;

  cluster::redis_link& link_;
  std::string prefix_;
  size_t per_room_;
};

}  // namespace switchboard::storage
