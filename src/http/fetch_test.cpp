#include "http/fetch.h"

#include <gtest/gtest.h>

namespace switchboard::http {
namespace {

TEST(FetchUrl, ReadsSchemeHostPortAndTarget) {
  auto u = parse_fetch_url("https://id.example/.well-known/jwks.json");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "id.example");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/.well-known/jwks.json");
  u = parse_fetch_url("http://127.0.0.1:8080");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/");
  u = parse_fetch_url("http://[::1]:81/k?v=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/k?v=1");
  u = parse_fetch_url("http://h?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->target, "/?x=1");
}

TEST(FetchUrl, RefusesWhatItCannotFetch) {
  for (const char* bad : {"ftp://h/", "h/x", "http://", "http://:80/", "http://u:p@h/", "http://h:0/",
                          "http://h:99999/", "http://h:x/", "http://h/#frag", "http://[::1/", "http://[::1]x/"})
    EXPECT_FALSE(parse_fetch_url(bad)) << bad;
}

TEST(Fetch, TellsWhyWhenNothingAnswers) {
  // Port 1 on loopback: nothing listens there.
  const auto r = fetch(*parse_fetch_url("http://127.0.0.1:1/"), std::chrono::milliseconds(2000), 1000);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("connecting"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace switchboard::http
