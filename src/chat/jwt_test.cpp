#include "chat/jwt.h"

#include "base/base64.h"

#include <openssl/hmac.h>

#include <gtest/gtest.h>

namespace switchboard::chat {
namespace {

std::string b64url(std::string_view s) {
  std::string b = base64_encode(s);
  for (auto& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

std::string sign(const std::string& header, const std::string& payload, const std::string& secret) {
  const std::string input = b64url(header) + "." + b64url(payload);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + b64url(std::string_view(reinterpret_cast<const char*>(mac), len));
}

const std::string hs256 = R"({"alg":"HS256","typ":"JWT"})";

TEST(jwt, a_valid_token_names_the_user_by_sub_then_name) {
  auto id = verify_hs256(sign(hs256, R"({"sub":"ada","name":"Ada L."})", "s3cret"), "s3cret", 1000);
  EXPECT_EQ(id.status, token_status::ok);
  EXPECT_EQ(id.user, "ada");
  id = verify_hs256(sign(hs256, R"({"name":"bob","exp":2000})", "s3cret"), "s3cret", 1000);
  EXPECT_EQ(id.status, token_status::ok);
  EXPECT_EQ(id.user, "bob");
}

TEST(jwt, a_fractional_exp_is_a_date) {
  EXPECT_EQ(verify_hs256(sign(hs256, R"({"sub":"ada","exp":1000.5})", "s3cret"), "s3cret", 1000).status,
            token_status::ok);
  EXPECT_EQ(verify_hs256(sign(hs256, R"({"sub":"ada","exp":999.5})", "s3cret"), "s3cret", 1000).status,
            token_status::expired);
  EXPECT_EQ(verify_hs256(sign(hs256, R"({"sub":"ada","exp":"tomorrow"})", "s3cret"), "s3cret", 1000).status,
            token_status::invalid);
}

TEST(jwt, expired_tokens_are_told_apart) {
  const auto id = verify_hs256(sign(hs256, R"({"sub":"ada","exp":999})", "s3cret"), "s3cret", 1000);
  EXPECT_EQ(id.status, token_status::expired);
}

TEST(jwt, refuses_bad_signatures_other_algorithms_and_garbage) {
  EXPECT_EQ(verify_hs256(sign(hs256, R"({"sub":"ada"})", "other"), "s3cret", 1).status, token_status::invalid);
  const std::string none = b64url(R"({"alg":"none"})") + "." + b64url(R"({"sub":"ada"})") + ".";
  EXPECT_EQ(verify_hs256(none, "s3cret", 1).status, token_status::invalid);
  EXPECT_EQ(verify_hs256(sign(R"({"alg":"HS512"})", R"({"sub":"ada"})", "s3cret"), "s3cret", 1).status,
            token_status::invalid);
  EXPECT_EQ(verify_hs256("garbage", "s3cret", 1).status, token_status::invalid);
  EXPECT_EQ(verify_hs256("", "s3cret", 1).status, token_status::invalid);
  EXPECT_EQ(verify_hs256(sign(hs256, R"({"role":"x"})", "s3cret"), "s3cret", 1).status, token_status::invalid);
}

}  // namespace
}  // namespace switchboard::chat
