#pragma once
// What every outbound TLS connection of the server checks (http/fetch.h, http/client.h): the
// certificate against the system's authorities, and that it names the host asked for (sent as
// SNI).
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <string>

namespace switchboard::http {

boost::asio::ssl::context verifying_client_context();
// Before the handshake: SNI for `host`, and a certificate that does not name it is refused.
void expect_host(boost::beast::ssl_stream<boost::beast::tcp_stream>& stream, const std::string& host);

}  // namespace switchboard::http
