#include "http/connection.h"

#include <gtest/gtest.h>

namespace switchboard::http {
namespace {

request with(std::initializer_list<std::pair<std::string, std::string>> headers) {
  request req{beast_http::verb::post, "/", 11};
  for (const auto& [name, value] : headers) req.insert(name, value);
  return req;
}

TEST(RequestFraming, OnlyChunkedAloneIsAcceptedAsATransferEncoding) {
  EXPECT_FALSE(framing_problem(with({})));
  EXPECT_FALSE(framing_problem(with({{"Content-Length", "3"}})));
  EXPECT_FALSE(framing_problem(with({{"Transfer-Encoding", "chunked"}})));
  EXPECT_FALSE(framing_problem(with({{"Transfer-Encoding", "Chunked"}})));
  EXPECT_TRUE(framing_problem(with({{"Transfer-Encoding", "xchunked"}})));
  EXPECT_TRUE(framing_problem(with({{"Transfer-Encoding", "gzip, chunked"}})));
  EXPECT_TRUE(framing_problem(with({{"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})));
  EXPECT_TRUE(framing_problem(with({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}})));
}

TEST(ClientAddress, ATrustedProxysLastForwardedHopIsTheClient) {
  const tcp::endpoint proxy(boost::asio::ip::make_address("127.0.0.1"), 5000);
  const tcp::endpoint stranger(boost::asio::ip::make_address("203.0.113.9"), 5000);
  limits lim;
  const auto req = with({{"X-Forwarded-For", "6.6.6.6, 198.51.100.7"}});
  EXPECT_EQ(client_of(req, proxy, lim), proxy);  // no trusted proxy: the peer
  lim.trusted_proxies.push_back(proxy.address());
  EXPECT_EQ(client_of(req, proxy, lim).address(), boost::asio::ip::make_address("198.51.100.7"));
  EXPECT_EQ(client_of(req, stranger, lim), stranger);  // anyone else's header is not believed
  EXPECT_EQ(client_of(with({}), proxy, lim), proxy);
  EXPECT_EQ(client_of(with({{"X-Forwarded-For", "not an address"}}), proxy, lim), proxy);
  EXPECT_EQ(client_of(with({{"X-Forwarded-For", " 2001:db8::1 "}}), proxy, lim).address(),
            boost::asio::ip::make_address("2001:db8::1"));
}

}  // namespace
}  // namespace switchboard::http
