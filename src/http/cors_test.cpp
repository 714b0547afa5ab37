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
