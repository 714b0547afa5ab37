#include "base/random_id.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <set>

using namespace switchboard;

TEST(RandomId, TwentyUrlSafeCharacters) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = random_id();
    ASSERT_EQ(id.size(), 20u);
    for (char c : id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomId, CarriesItsWorker) {
  for (size_t w = 0; w < max_id_workers; ++w) EXPECT_EQ(worker_of_id(random_id_for_worker(w)), w);
  EXPECT_FALSE(worker_of_id("short"));
  EXPECT_FALSE(worker_of_id("!aaaaaaaaaaaaaaaaaaa"));
}

// Ids come from a per-thread block of random bytes: a forked child must not hand out the ids its
// parent will.
TEST(RandomId, AForkedChildDrawsItsOwnBytes) {
  (void)random_id();  // the block is filled and partly used
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string id = random_id();
    const ssize_t written = write(pipe_fds[1], id.data(), id.size());
    _exit(written == static_cast<ssize_t>(id.size()) ? 0 : 1);
  }
  close(pipe_fds[1]);
  const std::string parent = random_id();
  char buffer[random_id_length] = {};
  ASSERT_EQ(read(pipe_fds[0], buffer, sizeof buffer), static_cast<ssize_t>(sizeof buffer));
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(std::string(buffer, sizeof buffer), parent);
}
