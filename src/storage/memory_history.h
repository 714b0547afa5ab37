#pragma once
// History kept in memory (`--storage memory`): for benchmarks and throw-away nodes. Each room
// keeps its last `per_room` messages; ids still increase per room. One mutex guards the rooms: the
// critical section is a push onto a deque. Completions are posted to the caller's io_context like
// the SQLite store's, so callers cannot tell the two apart. Nothing survives a restart.
#include "storage/history.h"

#include <deque>
#include <mutex>
#include <unordered_map>

namespace switchboard::storage {

class memory_history final : public history_store {
 public:
  explicit memory_history(size_t per_room = 1000) : per_room_(per_room) {}

  void append(message m, boost::asio::io_context& reply_on, append_done done) override;
  void read(history_query q, boost::asio::io_context& reply_on, read_done done) override;
  void close() override {}

 private:
  struct room {
    uint64_t next_id = 1;
    std::deque<message> messages;  // oldest first
  };

  size_t per_room_;
  std::mutex mutex_;
  std::unordered_map<std::string, room> rooms_;
};

}  // namespace switchboard::storage
