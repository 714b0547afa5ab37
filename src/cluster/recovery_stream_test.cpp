#include "cluster/recovery_stream.h"

#include <gtest/gtest.h>

namespace switchboard::cluster {
namespace {

TEST(RecoveryOffset, PadsStreamIdsToOneWidth) {
  EXPECT_EQ(padded_offset("1732971234567-0"), "1732971234567-000000");
  EXPECT_EQ(padded_offset("1-42"), "0000000000001-000042");
  EXPECT_EQ(padded_offset("1732971234567-123456").size(), offset_length);
  for (const char* bad : {"", "1732971234567", "-1", "1-", "a-1", "1-1-1", "17329712345678-0", "1-1234567"})
    EXPECT_EQ(padded_offset(bad), "") << bad;
}

TEST(RecoveryOffset, ReadsOnlyPaddedOffsets) {
  const auto p = offset_position("1732971234567-000042");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->major, 1732971234567u);
  EXPECT_EQ(p->minor, 42u);
  EXPECT_LT(*offset_position("1732971234567-000042"), *offset_position("1732971234568-000000"));
  for (const char* bad : {"", "12", "1732971234567-42", "1732971234567x000042", "173297123456a-000042",
                          "0000000000000-000000", "1732971234567-0000420"})
    EXPECT_FALSE(offset_position(bad)) << bad;
}

}  // namespace
}  // namespace switchboard::cluster
