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

TEST(JsonWithin, DuplicateKeysKeepTheFirstPlaceAndTheLastValue) {
  // As JSON.parse: {"a":1,"b":2,"a":3} is {"a":3,"b":2}, small objects and wide ones alike.
  EXPECT_EQ(parse_json_within(R"({"a":1,"b":2,"a":3})", 1).dump(), R"({"a":3,"b":2})");
  std::string wide = "{";
  for (int i = 0; i < 20; ++i) wide += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  wide += R"("k3":"again","k0":"last"})";
  const json v = parse_json_within(wide, 1);
  ASSERT_EQ(v.size(), 20u);
  auto it = v.begin();
  EXPECT_EQ(it.key(), "k0");
  EXPECT_EQ(*it, "last");
  EXPECT_EQ(v["k3"], "again");
  EXPECT_EQ((++it).key(), "k1");
  EXPECT_EQ((--v.end()).key(), "k19");
}

TEST(JsonWithin, AWideObjectKeepsEveryKeyInOrder) {
  std::string wide = "{";
  for (int i = 0; i < 100'000; ++i) wide += (i ? ",\"" : "\"") + std::to_string(i) + "\":" + std::to_string(i);
  wide += "}";
  const json v = parse_json_within(wide, 1);
  ASSERT_EQ(v.size(), 100'000u);
  EXPECT_EQ(v.dump(), wide);
  const auto packed = json::to_msgpack(v);
  EXPECT_EQ(parse_msgpack_within({reinterpret_cast<const char*>(packed.data()), packed.size()}, 1), v);
}

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
