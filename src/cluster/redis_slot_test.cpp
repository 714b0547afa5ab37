#include "cluster/redis_slot.h"

#include <gtest/gtest.h>

namespace switchboard::cluster {
namespace {

// Reference values from `CLUSTER KEYSLOT` of redis-server 7.
TEST(KeySlot, MatchesRedis) {
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot("123456789"), 0x31C3 % 16384);  // CRC16/XMODEM check value 0x31C3
}

TEST(KeySlot, HashTags) {
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  EXPECT_EQ(key_slot("socket.io:chat:{lobby}:seq"), key_slot("lobby"));
  EXPECT_EQ(key_slot("foo{}{bar}"), key_slot("foo{}{bar}"));  // empty tag: the whole key
  EXPECT_NE(key_slot("foo{}{bar}"), key_slot("bar"));
  EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));  // up to the first }
}

TEST(RoutingKey, PicksTheKeyArgument) {
  EXPECT_EQ(routing_key({"HSET", "k", "f", "v"}), "k");
  EXPECT_EQ(routing_key({"EVAL", "return 1", "2", "k1", "k2", "a"}), "k1");
  EXPECT_EQ(routing_key({"EVAL", "return 1", "0"}), std::nullopt);
  EXPECT_EQ(routing_key({"SPUBLISH", "socket.io#/#room#", "x"}), "socket.io#/#room#");
  EXPECT_EQ(routing_key({"PUBSUB", "SHARDNUMSUB", "socket.io#/#"}), "socket.io#/#");
  EXPECT_EQ(routing_key({"PUBSUB", "NUMSUB", "c"}), std::nullopt);
  EXPECT_EQ(routing_key({"PUBLISH", "c", "x"}), std::nullopt);
  EXPECT_EQ(routing_key({"TIME"}), std::nullopt);
}

}  // namespace
}  // namespace switchboard::cluster
