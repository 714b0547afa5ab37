#include "base/json_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace switchboard {
namespace {

std::string nested_json(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonWithin, ParsesUpToTheDepthAndNoDeeper) {
  EXPECT_EQ(parse_json_within(R"({"a":[1,{"b":null}],"c":"d"})", 3), json::parse(R"({"a":[1,{"b":null}],"c":"d"})"));
  EXPECT_EQ(parse_json_within("42", 0), json(42));
  EXPECT_FALSE(parse_json_within(nested_json(5), 5).is_discarded());
  EXPECT_TRUE(parse_json_within(nested_json(6), 5).is_discarded());
  EXPECT_TRUE(parse_json_within("[1,", 5).is_discarded());
  EXPECT_TRUE(parse_json_within("[1] x", 5).is_discarded());
  EXPECT_TRUE(parse_json_within("\"\xff\"", 5).is_discarded());
}

TEST(JsonWithin, KeepsKeyOrder) { EXPECT_EQ(parse_json_within(R"({"z":1,"a":2})", 1).dump(), R"({"z":1,"a":2})"); }

TEST(MsgpackWithin, ParsesUpToTheDepthAndNoDeeper) {
  const std::string map_of_array = "\x81\xa1k\x92\x01\xc4\x01\x02";  // {"k": [1, <binary 02>]}
  const json v = parse_msgpack_within(map_of_array, 2);
  ASSERT_TRUE(v.is_object());
  EXPECT_TRUE(v["k"][1].is_binary());
  EXPECT_TRUE(parse_msgpack_within(map_of_array, 1).is_discarded());
  EXPECT_TRUE(parse_msgpack_within("\x92\x01", 5).is_discarded());  // truncated
}

TEST(JsonWithin, AMegabyteOfNestingIsRefusedWithoutOverflowingTheStack) {
  // json::parse / json::from_msgpack take these, and then copying, dumping or (for MessagePack)
  // decoding itself recurses once per level.
  EXPECT_TRUE(parse_json_within(nested_json(500'000), 1000).is_discarded());
  EXPECT_TRUE(parse_msgpack_within(std::string(1'000'000, '\x91'), 1000).is_discarded());
}

}  // namespace
}  // namespace switchboard
