#include "storage/sqlite_history.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <boost/asio/executor_work_guard.hpp>

#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <fstream>

namespace switchboard::storage {
namespace {

namespace fs = std::filesystem;

class sqlite_history_test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sb_history_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the io_context until `done()` holds, bounded so a lost completion fails instead of hanging.
  template <class Pred>
  void wait_until(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) ctx_.run_one_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(done()) << "storage did not answer within 10 s";
  }
  void wait(const bool& done) {
    wait_until([&] { return done; });
  }

  uint64_t append(history_store& h, const std::string& room, const std::string& text, const std::string& name = {}) {
    bool done = false;
    uint64_t id = 0;
    h.append({0, room, "ada", text, 1000, name}, ctx_, [&](std::optional<message> m, std::string error) {
      EXPECT_TRUE(m) << error;
      if (m) id = m->id;
      done = true;
    });
    wait(done);
    return id;
  }

  std::vector<message> read(history_store& h, history_query q) {
    bool done = false;
    std::vector<message> out;
    h.read(std::move(q), ctx_, [&](bool ok, std::vector<message> m) {
      EXPECT_TRUE(ok);
      out = std::move(m);
      done = true;
    });
    wait(done);
    return out;
  }

  fs::path dir_;
  boost::asio::io_context ctx_;
  // Completions arrive from the storage thread: keep run_one_for waiting while none is queued.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{ctx_.get_executor()};
};

TEST_F(sqlite_history_test, ids_increase_per_room_independently) {
  sqlite_history h(dir_);
  EXPECT_EQ(append(h, "a", "1"), 1u);
  EXPECT_EQ(append(h, "a", "2"), 2u);
  EXPECT_EQ(append(h, "b", "1"), 1u);
  EXPECT_EQ(append(h, "a", "3"), 3u);
}

TEST_F(sqlite_history_test, reads_newest_first_with_before_and_limit) {
  sqlite_history h(dir_);
  for (int i = 1; i <= 10; ++i) append(h, "r", "m" + std::to_string(i));
  auto all = read(h, {"r", std::nullopt, 50});
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all.front().id, 10u);
  EXPECT_EQ(all.front().text, "m10");
  EXPECT_EQ(all.back().id, 1u);
  auto page = read(h, {"r", 5, 3});
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].id, 4u);
  EXPECT_EQ(page[2].id, 2u);
  EXPECT_EQ(page[0].user, "ada");
  EXPECT_EQ(page[0].ts, 1000);
  EXPECT_TRUE(read(h, {"other", std::nullopt, 50}).empty());
}

TEST_F(sqlite_history_test, survives_reopening_and_continues_ids) {
  {
    sqlite_history h(dir_);
    append(h, "r", "before restart");
    append(h, "r", "two");
  }
  sqlite_history h(dir_);
  auto all = read(h, {"r", std::nullopt, 50});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].text, "before restart");
  EXPECT_EQ(append(h, "r", "after"), 3u);
}

TEST_F(sqlite_history_test, keeps_a_display_name_that_differs_from_the_user) {
  sqlite_history h(dir_);
  append(h, "r", "plain");
  append(h, "r", "named", "Ada L.");
  const auto all = read(h, {"r", std::nullopt, 50});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(display_name(all[0]), "Ada L.");
  EXPECT_EQ(display_name(all[1]), "ada");
  EXPECT_EQ(to_json(all[1])["name"], "ada");
}

// A file of a server that stored no names opens, keeps its messages and stores names from then on.
TEST_F(sqlite_history_test, a_history_file_without_names_gets_the_column) {
  fs::create_directories(dir_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "history.db").string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE messages (room TEXT NOT NULL, id INTEGER NOT NULL, user TEXT NOT NULL, "
                         "text TEXT NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (room, id)) WITHOUT ROWID;"
                         "INSERT INTO messages VALUES ('r', 1, 'bob', 'old', 5);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  sqlite_history h(dir_);
  EXPECT_EQ(append(h, "r", "new", "Ada L."), 2u);
  const auto all = read(h, {"r", std::nullopt, 50});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(display_name(all[0]), "Ada L.");
  EXPECT_EQ(display_name(all[1]), "bob");
}

TEST_F(sqlite_history_test, a_burst_of_appends_is_committed_in_order) {
  sqlite_history h(dir_);
  size_t answered = 0;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 500; ++i) {
    h.append({0, "burst", "u", std::to_string(i), 1, {}}, ctx_, [&](std::optional<message> m, std::string) {
      ASSERT_TRUE(m);
      ids.push_back(m->id);
      ++answered;
    });
  }
  wait_until([&] { return answered == 500; });
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], i + 1);
}

TEST_F(sqlite_history_test, requests_after_close_fail_instead_of_hanging) {
  sqlite_history h(dir_);
  append(h, "r", "kept");
  h.close();
  bool done = false;
  h.append({0, "r", "u", "late", 1, {}}, ctx_, [&](std::optional<message> m, std::string error) {
    EXPECT_FALSE(m);
    EXPECT_FALSE(error.empty());
    done = true;
  });
  wait(done);
}

TEST_F(sqlite_history_test, an_unusable_folder_is_reported_at_open) {
  fs::create_directories(dir_.parent_path());
  const auto file = dir_;  // a regular file where the folder should be
  { std::ofstream(file.string()) << "x"; }
  EXPECT_THROW(sqlite_history h(file), std::runtime_error);
  fs::remove(file);
}

}  // namespace
}  // namespace switchboard::storage
