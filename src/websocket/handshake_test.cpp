#include "websocket/handshake.h"

#include <gtest/gtest.h>

using namespace switchboard;

TEST(Handshake, AcceptKeyFromRfc6455Example) {
  EXPECT_EQ(websocket::accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, RecognisesAndValidatesUpgrades) {
  http::request req{http::beast_http::verb::get, "/socket.io/?EIO=4&transport=websocket", 11};
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "keep-alive, Upgrade");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_TRUE(websocket::is_upgrade_request(req));
  EXPECT_TRUE(websocket::validate_handshake(req).empty());
  req.set(http::field::sec_websocket_version, "8");
  EXPECT_FALSE(websocket::validate_handshake(req).empty());
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "short");
  EXPECT_FALSE(websocket::validate_handshake(req).empty());
  req.set(http::field::connection, "keep-alive");
  EXPECT_FALSE(websocket::is_upgrade_request(req));
}

TEST(Handshake, SwitchingProtocolsCarriesTheAcceptKey) {
  const auto r = websocket::switching_protocols_response("dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(r.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(r.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n");
}
