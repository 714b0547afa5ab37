#include "cluster/redis_url.h"

#include <gtest/gtest.h>

namespace switchboard::cluster {
namespace {

TEST(redis_url, parses_host_port_credentials_and_db) {
  redis_endpoint e;
  std::string error;
  ASSERT_TRUE(parse_redis_url("redis://127.0.0.1:6380", e, error)) << error;
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.db, 0);
  ASSERT_TRUE(parse_redis_url("redis://u:p%40ss@redis.local:7000/3", e, error)) << error;
  EXPECT_EQ(e.user, "u");
  EXPECT_EQ(e.password, "p@ss");
  EXPECT_EQ(e.host, "redis.local");
  EXPECT_EQ(e.db, 3);
  ASSERT_TRUE(parse_redis_url("redis://:secret@h", e, error)) << error;
  EXPECT_EQ(e.user, "");
  EXPECT_EQ(e.password, "secret");
  EXPECT_EQ(e.port, 6379);
  ASSERT_TRUE(parse_redis_url("redis://[::1]:6379/", e, error)) << error;
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.describe(), "::1:6379");
}

TEST(redis_url, refuses_what_is_not_a_redis_url) {
  redis_endpoint e;
  std::string error;
  for (const char* bad : {"", "http://h:1", "redis://", "redis://h:0", "redis://h:70000", "redis://h:x",
                          "redis://h:1/db", "redis://[::1", "redis://u:%zz@h"}) {
    EXPECT_FALSE(parse_redis_url(bad, e, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(redis_url, rediss_means_tls) {
  redis_endpoint e;
  std::string error;
  ASSERT_TRUE(parse_redis_url("rediss://:secret@cache.example.com:6380/2", e, error)) << error;
  EXPECT_TRUE(e.tls);
  EXPECT_EQ(e.host, "cache.example.com");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.password, "secret");
  EXPECT_EQ(e.db, 2);
  ASSERT_TRUE(parse_redis_url("redis://h:1", e, error));
  EXPECT_FALSE(e.tls);
  EXPECT_FALSE(parse_redis_url("redisss://h:1", e, error));
  EXPECT_NE(error.find("rediss://"), std::string::npos);
}

}  // namespace
}  // namespace switchboard::cluster
