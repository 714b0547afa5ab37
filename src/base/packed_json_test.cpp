#include "base/packed_json.h"

#include <gtest/gtest.h>

namespace switchboard {
namespace {

TEST(PackedJson, NullByDefaultAndForNull) {
  EXPECT_TRUE(packed_json().is_null());
  EXPECT_TRUE(packed_json().value().is_null());
  EXPECT_TRUE(packed_json(json()).is_null());
}

TEST(PackedJson, KeepsValuesKeyOrderAndBinary) {
  const json value = {{"zeta", "last letter first"},
                      {"alpha", {1, -2, 3.5, true, nullptr}},
                      {"nested", {{"b", 1}, {"a", json::object()}}},
                      {"bytes", json::binary({0, 1, 2, 255})}};
  const packed_json packed(value);
  ASSERT_FALSE(packed.is_null());
  const json back = packed.value();
  EXPECT_EQ(back, value);
  EXPECT_EQ(back.dump(), value.dump());  // same key order
  EXPECT_TRUE(back["bytes"].is_binary());
}

TEST(PackedJson, KeepsScalarsAndEmptyContainers) {
  for (const json& v : {json(0), json(-1), json(1.25), json(""), json("text"), json::array(), json::object()}) {
    EXPECT_EQ(packed_json(v).value(), v) << v.dump();
  }
}

}  // namespace
}  // namespace switchboard
