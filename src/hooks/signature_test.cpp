#include "hooks/signature.h"

#include <gtest/gtest.h>

namespace switchboard::hooks {
namespace {

// Checked against `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret`.
TEST(signature, is_the_hmac_sha256_of_timestamp_dot_body_in_lower_case_hex) {
  EXPECT_EQ(signature("s3cret", 1700000000, R"({"a":1})"),
            "sha256=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940");
}

TEST(signature, changes_with_the_timestamp_the_body_and_the_secret) {
  const auto base = signature("s", 1, "{}");
  EXPECT_NE(base, signature("s", 2, "{}"));
  EXPECT_NE(base, signature("s", 1, "{ }"));
  EXPECT_NE(base, signature("t", 1, "{}"));
}

}  // namespace
}  // namespace switchboard::hooks
