#include "engineio/handshake_info.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using namespace switchboard::engineio;

namespace {

std::vector<std::pair<std::string, std::string>> all(const string_pairs& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : p) out.emplace_back(name, value);
  return out;
}

}  // namespace

TEST(StringPairs, KeepsOrderAndBytes) {
  std::string packed;
  string_pairs::append(packed, "host", "localhost:3000");
  string_pairs::append(packed, "empty", "");
  string_pairs::append(packed, std::string("nul\0name", 8), "v");
  const std::string long_value(300, 'x');  // a length over 127 takes two bytes
  string_pairs::append(packed, "cookie", long_value);
  const string_pairs p(packed);
  EXPECT_FALSE(p.empty());
  EXPECT_EQ(p.size(), 4u);
  EXPECT_EQ(
      all(p),
      (std::vector<std::pair<std::string, std::string>>{
          {"host", "localhost:3000"}, {"empty", ""}, {std::string("nul\0name", 8), "v"}, {"cookie", long_value}}));
}

TEST(StringPairs, EmptyAndCopies) {
  const string_pairs none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.size(), 0u);
  EXPECT_TRUE(none.begin() == none.end());
  std::string packed;
  string_pairs::append(packed, "a", "1");
  string_pairs p(packed);
  const string_pairs copy = p;
  p = string_pairs();
  EXPECT_EQ(all(copy), (std::vector<std::pair<std::string, std::string>>{{"a", "1"}}));
  EXPECT_TRUE(p.empty());
}

TEST(HandshakeInfo, HeadersLowerCasedInOrderQueryDecodedUrlAddressKept) {
  switchboard::http::request req{switchboard::http::beast_http::verb::get, "/socket.io/?EIO=4&transport=polling&q=a+b",
                                 11};
  req.set("Host", "localhost:3000");
  req.insert("X-Custom-Header", "One");
  req.insert("x-custom-header", "Two");
  const handshake_info info(req, "10.0.0.7", 1234, true);
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : info.headers()) headers.emplace_back(name, value);
  EXPECT_EQ(headers, (std::vector<std::pair<std::string, std::string>>{
                         {"host", "localhost:3000"}, {"x-custom-header", "One"}, {"x-custom-header", "Two"}}));
  EXPECT_EQ(info.headers().size(), 3u);
  auto query = info.query();
  std::sort(query.begin(), query.end());
  EXPECT_EQ(query,
            (std::vector<std::pair<std::string, std::string>>{{"EIO", "4"}, {"q", "a b"}, {"transport", "polling"}}));
  EXPECT_EQ(info.url(), "/socket.io/?EIO=4&transport=polling&q=a+b");
  EXPECT_EQ(info.address(), "10.0.0.7");
  EXPECT_EQ(info.issued_ms(), 1234);
  EXPECT_TRUE(info.secure());
}

TEST(HandshakeInfo, BadTargetHasNoQuery) {
  const switchboard::http::request req{switchboard::http::beast_http::verb::get, "/socket.io/?EIO=%zz", 11};
  const handshake_info info(req, "", 0, false);
  EXPECT_TRUE(info.query().empty());
  EXPECT_TRUE(info.headers().empty());
  EXPECT_EQ(info.headers().begin(), info.headers().end());
  EXPECT_EQ(info.url(), "/socket.io/?EIO=%zz");
  EXPECT_TRUE(info.address().empty());
  EXPECT_FALSE(info.secure());
}
