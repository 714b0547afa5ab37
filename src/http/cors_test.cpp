#include "http/cors.h"

#include <gtest/gtest.h>

using namespace switchboard::http;

namespace {
request with_origin(std::string_view origin) {
  request req{beast_http::verb::get, "/socket.io/", 11};
  if (!origin.empty()) req.set(field::origin, origin);
  return req;
}
}  // namespace

TEST(Cors, DisabledAddsNothing) {
  cors_policy p;
  response res;
  apply_cors(p, with_origin("http://a.example"), res);
  EXPECT_EQ(res.count(field::access_control_allow_origin), 0u);
}

TEST(Cors, WildcardAllowsAnyOrigin) {
  cors_policy p{{"*"}, false};
  response res;
  apply_cors(p, with_origin("http://a.example"), res);
  EXPECT_EQ(res[field::access_control_allow_origin], "*");
}

TEST(Cors, AllowListReflectsOnlyListedOrigins) {
  cors_policy p{{"http://a.example"}, true};
  response ok, refused;
  apply_cors(p, with_origin("http://a.example"), ok);
  apply_cors(p, with_origin("http://evil.example"), refused);
  EXPECT_EQ(ok[field::access_control_allow_origin], "http://a.example");
  EXPECT_EQ(ok[field::access_control_allow_credentials], "true");
  EXPECT_EQ(refused.count(field::access_control_allow_origin), 0u);
}

TEST(Cors, PreflightIs204WithMethodsAndHeaders) {
  cors_policy p{{"*"}, false};
  request req{beast_http::verb::options, "/socket.io/", 11};
  req.set(field::origin, "http://a.example");
  req.set(field::access_control_request_headers, "content-type");
  auto res = preflight_response(p, req);
  EXPECT_EQ(res.result(), status::no_content);
  EXPECT_EQ(res[field::access_control_allow_headers], "content-type");
  EXPECT_EQ(res[field::access_control_allow_methods], "GET,HEAD,PUT,PATCH,POST,DELETE");
  EXPECT_EQ(res[field::content_length], "0");
}

TEST(Cors, UpgradesFollowTheAllowList) {
  const cors_policy none;
  EXPECT_TRUE(none.allows_upgrade("http://evil.example", "chat.example:3000"));
  const cors_policy any{{"*"}, false};
  EXPECT_TRUE(any.allows_upgrade("http://evil.example", "chat.example:3000"));
  const cors_policy list{{"https://app.example"}, false};
  EXPECT_TRUE(list.allows_upgrade("https://app.example", "chat.example:3000"));
  EXPECT_TRUE(list.allows_upgrade("", "chat.example:3000")) << "no Origin: not a browser";
  EXPECT_TRUE(list.allows_upgrade("http://chat.example:3000", "chat.example:3000")) << "the server's own page";
  EXPECT_FALSE(list.allows_upgrade("http://evil.example", "chat.example:3000"));
  EXPECT_FALSE(list.allows_upgrade("https://app.example.evil", "chat.example:3000"));
  EXPECT_FALSE(list.allows_upgrade("http://chat.example:3001", "chat.example:3000"));
  EXPECT_FALSE(list.allows_upgrade("null", "chat.example:3000"));
  EXPECT_FALSE(list.allows_upgrade("http://x", "")) << "no Host: nothing to compare with";
}
