#include "storage/sqlite_history.h"

#include "base/log.h"

#include <sqlite3.h>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <stdexcept>

namespace switchboard::storage {
namespace {

// A prepared statement, finalized on scope exit.
class statement {
 public:
  statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  bool ok() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_; }
  void bind(int i, const std::string& s) { sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), nullptr); }
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string{};
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* schema = R"(
  CREATE TABLE IF NOT EXISTS messages (
    room TEXT NOT NULL,
    id INTEGER NOT NULL,
    user TEXT NOT NULL,
    text TEXT NOT NULL,
    ts INTEGER NOT NULL,
    name TEXT,
    PRIMARY KEY (room, id)
  ) WITHOUT ROWID;
)";

// A history file written before messages kept the display name gets the column (NULL: the name
// is the user id). Refused with "duplicate column" where it is already there.
constexpr const char* add_name_column = "ALTER TABLE messages ADD COLUMN name TEXT";

}  // namespace

sqlite_history::sqlite_history(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create data folder " + dir.string() + ": " + ec.message());
  const auto file = (dir / "history.db").string();
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + file + ": " + why);
  }
  // WAL lets a commit be one append to the log; NORMAL syncs the log at checkpoints, so a
  // committed message survives a crash of the process (not necessarily a power cut).
  if (!exec("PRAGMA journal_mode=WAL") || !exec("PRAGMA synchronous=NORMAL") || !exec("PRAGMA busy_timeout=2000") ||
      !exec(schema) || !(exec(add_name_column) || has_name_column())) {
    const std::string why = sqlite3_errmsg(db_);
    sqlite3_close(db_);
    throw std::runtime_error("cannot use " + file + ": " + why);
  }
  thread_ = std::thread([this] { run(); });
}

sqlite_history::~sqlite_history() {
  close();
  sqlite3_close(db_);
}

void sqlite_history::append(message m, boost::asio::io_context& reply_on, append_done done) {
  {
    std::lock_guard lock(mutex_);
    if (!closing_) {
      appends_.push_back({std::move(m), &reply_on, std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  boost::asio::post(reply_on, [done = std::move(done)] { done(std::nullopt, "storage is closed"); });
}

void sqlite_history::read(history_query q, boost::asio::io_context& reply_on, read_done done) {
  {
    std::lock_guard lock(mutex_);
    if (!closing_) {
      reads_.push_back({std::move(q), &reply_on, std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  boost::asio::post(reply_on, [done = std::move(done)] { done(false, {}); });
}

void sqlite_history::close() {
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    closing_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

void sqlite_history::run() {
  for (;;) {
    std::vector<append_job> batch;
    std::vector<read_job> reads;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return closing_ || !appends_.empty() || !reads_.empty(); });
      if (appends_.empty() && reads_.empty()) return;  // closing, and nothing left to do
      batch.assign(std::make_move_iterator(appends_.begin()), std::make_move_iterator(appends_.end()));
      appends_.clear();
      reads.assign(std::make_move_iterator(reads_.begin()), std::make_move_iterator(reads_.end()));
      reads_.clear();
    }
    // Appends first: a read queued after a message was acknowledged must see it.
    if (!batch.empty()) commit(batch);
    for (auto& r : reads) answer(r);
  }
}

std::optional<uint64_t> sqlite_history::next_id(const std::string& room) {
  if (auto it = next_ids_.find(room); it != next_ids_.end()) return it->second++;
  statement max(db_, "SELECT COALESCE(MAX(id), 0) FROM messages WHERE room = ?1");
  if (!max.ok()) return std::nullopt;
  max.bind(1, room);
  if (sqlite3_step(max.get()) != SQLITE_ROW) return std::nullopt;
  const auto next = static_cast<uint64_t>(sqlite3_column_int64(max.get(), 0)) + 1;
  next_ids_[room] = next + 1;
  return next;
}

void sqlite_history::commit(std::vector<append_job>& batch) {
  std::string error;
  if (!exec("BEGIN IMMEDIATE")) error = sqlite3_errmsg(db_);
  statement insert(db_, "INSERT INTO messages (room, id, user, text, ts, name) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (error.empty() && !insert.ok()) error = sqlite3_errmsg(db_);
  for (auto& job : batch) {
    if (!error.empty()) break;
    const auto id = next_id(job.m.room);
    if (!id) {
      error = sqlite3_errmsg(db_);
      break;
    }
    job.m.id = *id;
    sqlite3_reset(insert.get());
    insert.bind(1, job.m.room);
    insert.bind(2, static_cast<int64_t>(job.m.id));
    insert.bind(3, job.m.user);
    insert.bind(4, job.m.text);
    insert.bind(5, job.m.ts);
    if (job.m.name.empty()) {
      sqlite3_bind_null(insert.get(), 6);
    } else {
      insert.bind(6, job.m.name);
    }
    if (sqlite3_step(insert.get()) != SQLITE_DONE) error = sqlite3_errmsg(db_);
  }
  if (error.empty() && !exec("COMMIT")) error = sqlite3_errmsg(db_);
  if (!error.empty()) {
    exec("ROLLBACK");
    next_ids_.clear();  // ids handed out in this batch were not kept
    SB_LOG(error, "event=storage_error op=append batch=" << batch.size() << " error=\"" << error << "\"");
  }
  for (auto& job : batch) {
    boost::asio::post(*job.reply_on, [done = std::move(job.done), m = std::move(job.m), error]() mutable {
      if (error.empty()) return done(std::move(m), {});
      done(std::nullopt, error);
    });
  }
}

void sqlite_history::answer(read_job& job) {
  statement select(
      db_, "SELECT id, user, text, ts, name FROM messages WHERE room = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3");
  std::vector<message> out;
  bool ok = select.ok();
  if (ok) {
    select.bind(1, job.q.room);
    select.bind(2, static_cast<int64_t>(std::min<uint64_t>(job.q.before.value_or(INT64_MAX), INT64_MAX)));
    select.bind(3, static_cast<int64_t>(job.q.limit));
    int rc;
    while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
      out.push_back({static_cast<uint64_t>(sqlite3_column_int64(select.get(), 0)), job.q.room, select.text(1),
                     select.text(2), sqlite3_column_int64(select.get(), 3), select.text(4)});
    }
    ok = rc == SQLITE_DONE;
  }
  if (!ok) {
    SB_LOG(error, "event=storage_error op=read room=\"" << job.q.room << "\" error=\"" << sqlite3_errmsg(db_) << "\"");
    out.clear();
  }
  boost::asio::post(*job.reply_on,
                    [done = std::move(job.done), ok, out = std::move(out)]() mutable { done(ok, std::move(out)); });
}

bool sqlite_history::has_name_column() {
  statement column(db_, "SELECT 1 FROM pragma_table_info('messages') WHERE name = 'name'");
  return column.ok() && sqlite3_step(column.get()) == SQLITE_ROW;
}

bool sqlite_history::exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

}  // namespace switchboard::storage
