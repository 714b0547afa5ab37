#include "access/identity.h"

#include <gtest/gtest.h>

namespace switchboard::access {
namespace {

TEST(Identity, OpenModeTakesANameThatPassesTheRules) {
  auto r = identify(json{{"name", "  ada \t"}}, nullptr, 0);
  ASSERT_FALSE(r.refusal);
  EXPECT_EQ(r.who.user, "ada");
  EXPECT_EQ(r.who.name, "ada");
  for (const json& bad : {json{{"name", std::string(33, 'x')}}, json{{"name", "   "}}, json{{"name", 7}},
                          json{{"name", "a\u202eb"}}, json::object(), json("ada"), json()}) {
    const auto refused = identify(bad, nullptr, 0);
    ASSERT_TRUE(refused.refusal) << bad.dump();
    EXPECT_EQ(refused.refusal->error, "unauthorized");
    EXPECT_FALSE(refused.refusal->message.empty());
  }
}

TEST(Identity, WithAPolicyATokenIsRequired) {
  jwt_policy p;
  p.keys.push_back(jwt_key::hmac("s3cret"));
  auto r = identify(json{{"name", "ada"}}, &p, 0);
  ASSERT_TRUE(r.refusal);
  EXPECT_EQ(r.refusal->error, "unauthorized");
  r = identify(json{{"token", "not.a.jwt"}}, &p, 0);
  ASSERT_TRUE(r.refusal);
  EXPECT_EQ(r.refusal->error, "invalid_token");
}

}  // namespace
}  // namespace switchboard::access
