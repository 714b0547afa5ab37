#include "access/jwks.h"

#include <gtest/gtest.h>

namespace switchboard::access {
namespace {

TEST(Jwks, ReadsTheSignatureKeysAndSkipsTheOthers) {
  std::string error;
  const auto keys = parse_jwks(R"({"keys":[
      {"kty":"oct","kid":"h1","k":"c2VjcmV0"},
      {"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"},
      {"kty":"X","kid":"future"}]})",
                               error);
  ASSERT_EQ(keys.size(), 1u) << error;
  EXPECT_EQ(keys[0].kid(), "h1");
  EXPECT_TRUE(keys[0].allows("HS256"));
}

TEST(Jwks, RefusesWhatIsNotASetOrHoldsABadKey) {
  for (const char* bad : {"", "[]", R"({"keys":{}})", R"({"keys":[]})", R"({"keys":[{"kty":"RSA","n":"AQAB"}]})",
                          R"({"keys":[7]})", R"({"keys":[{"kty":"oct","use":"enc","k":"c2VjcmV0"}]})"}) {
    std::string error;
    EXPECT_TRUE(parse_jwks(bad, error).empty()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  std::string many = R"({"keys":[)";
  for (size_t i = 0; i <= max_jwks_keys; ++i) many += std::string(i ? "," : "") + R"({"kty":"oct","k":"c2VjcmV0"})";
  std::string error;
  EXPECT_TRUE(parse_jwks(many + "]}", error).empty());
  EXPECT_NE(error.find("more than"), std::string::npos);
}

}  // namespace
}  // namespace switchboard::access
