#include "chat/identity.h"

#include <gtest/gtest.h>

namespace switchboard::chat {
namespace {

TEST(identity, a_name_is_trimmed_and_bounded) {
  auto r = identify(json{{"name", "  ada \t"}}, "", 0);
  EXPECT_FALSE(r.refusal);
  EXPECT_EQ(r.user, "ada");
  EXPECT_FALSE(identify(json{{"name", std::string(32, 'x')}}, "", 0).refusal);
  EXPECT_FALSE(identify(json{{"name", "😀😀😀"}}, "", 0).refusal);  // code points, not bytes
  for (const json& bad : {json{{"name", std::string(33, 'x')}}, json{{"name", "   "}}, json{{"name", 7}},
                          json::object(), json("ada"), json()}) {
    const auto refused = identify(bad, "", 0);
    ASSERT_TRUE(refused.refusal) << bad.dump();
    EXPECT_EQ(refused.refusal->error, "unauthorized");
    EXPECT_FALSE(refused.refusal->message.empty());
  }
}

TEST(identity, with_a_secret_a_token_is_required) {
  auto r = identify(json{{"name", "ada"}}, "s3cret", 0);
  ASSERT_TRUE(r.refusal);
  EXPECT_EQ(r.refusal->error, "unauthorized");
  r = identify(json{{"token", "not.a.jwt"}}, "s3cret", 0);
  ASSERT_TRUE(r.refusal);
  EXPECT_EQ(r.refusal->error, "invalid_token");
}

TEST(identity, counts_code_points) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("é😀"), 2u);
}

}  // namespace
}  // namespace switchboard::chat
