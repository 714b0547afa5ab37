#include "base/random_id.h"

#include <gtest/gtest.h>

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
