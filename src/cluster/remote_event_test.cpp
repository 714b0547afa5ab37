#include "cluster/remote_event.h"

#include <gtest/gtest.h>

namespace switchboard::cluster {
namespace {

TEST(RemoteOptions, ReadsRoomsExceptAndVolatile) {
  const auto o = options_of(json{{"rooms", {"a", 7}}, {"except", {"b"}}, {"flags", {{"volatile", true}}}});
  EXPECT_EQ(o.rooms, (std::vector<std::string>{"a", "7"}));
  EXPECT_EQ(o.except, (std::vector<std::string>{"b"}));
  EXPECT_TRUE(o.is_volatile);
  EXPECT_TRUE(o.local);
}

TEST(RemoteOptions, AreLocalEvenWhenNotAnObject) {
  // Found by fuzz_classic_message: `[uid, packet, "text"]` gave options that were not local.
  EXPECT_TRUE(options_of(json("text")).local);
  EXPECT_TRUE(options_of(json()).local);
  EXPECT_TRUE(options_of(json::array()).local);
}

TEST(RemoteEvent, IsTheEventOfThisNamespaceWithNotepackValuesNormalized) {
  json packet{{"type", 2}, {"data", {"ev", json::binary({0x01}, 0)}}, {"nsp", "/"}};
  const auto p = remote_event(packet, "/");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p->data, json::array({"ev", nullptr}));  // notepack's undefined
  EXPECT_FALSE(remote_event(packet, "/admin"));
  EXPECT_FALSE(remote_event(json{{"data", json::array()}}, "/"));
  EXPECT_FALSE(remote_event(json::array(), "/"));
}

}  // namespace
}  // namespace switchboard::cluster
