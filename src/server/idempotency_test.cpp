#include "server/idempotency.h"

#include <gtest/gtest.h>

namespace switchboard::server {
namespace {

using namespace std::chrono_literals;

TEST(local_idempotency_keys, a_key_is_new_once_within_the_window_and_new_again_after_it) {
  local_idempotency_keys keys;
  const auto t = std::chrono::steady_clock::now();
  EXPECT_EQ(keys.claim_at({"a", "b", "a"}, t), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(keys.claim_at({"a"}, t + 299s), (std::vector<bool>{false}));
  EXPECT_EQ(keys.claim_at({"a", "c"}, t + 300s), (std::vector<bool>{true, true}));
}

TEST(local_idempotency_keys, holds_at_most_its_limit_forgetting_the_oldest) {
  local_idempotency_keys keys;
  const auto t = std::chrono::steady_clock::now();
  std::vector<std::string> many;
  for (size_t i = 0; i <= local_idempotency_keys::max_local_keys; ++i) many.push_back(std::to_string(i));
  keys.claim_at(many, t);
  EXPECT_EQ(keys.claim_at({"new"}, t + 1s), (std::vector<bool>{true}));
  EXPECT_EQ(keys.claim_at({"0"}, t + 1s), (std::vector<bool>{true})) << "the oldest was forgotten";
  EXPECT_EQ(keys.claim_at({"50000"}, t + 1s), (std::vector<bool>{false}));
}

}  // namespace
}  // namespace switchboard::server
