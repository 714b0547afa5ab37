#pragma once
// History in one SQLite database (`<data-dir>/history.db`, WAL). Owns the connection and one
// storage thread that alone uses it; requests queue under a mutex and the thread takes them in
// batches: every append waiting in the queue is committed in one transaction (group commit), so a
// burst of messages costs one commit. Next ids per room are cached on that thread, loaded from
// MAX(id) on first use, and forgotten when a commit fails.
#include "storage/history.h"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>

struct sqlite3;

namespace switchboard::storage {

class sqlite_history final : public history_store {
 public:
  // Opens (creating) the database in `dir`; throws std::runtime_error naming the problem.
  explicit sqlite_history(const std::filesystem::path& dir);
  ~sqlite_history() override;

  void append(message m, boost::asio::io_context& reply_on, append_done done) override;
  void read(history_query q, boost::asio::io_context& reply_on, read_done done) override;
  void close() override;

 private:
  struct append_job {
    message m;
    boost::asio::io_context* reply_on;
    append_done done;
  };
  struct read_job {
    history_query q;
    boost::asio::io_context* reply_on;
    read_done done;
  };

  void run();
  void commit(std::vector<append_job>& batch);
  void answer(read_job& job);
  bool exec(const char* sql);
  bool has_name_column();
  std::optional<uint64_t> next_id(const std::string& room);

  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<append_job> appends_;
  std::deque<read_job> reads_;
  bool closing_ = false;
  std::unordered_map<std::string, uint64_t> next_ids_;  // storage thread only
  std::thread thread_;
};

}  // namespace switchboard::storage
