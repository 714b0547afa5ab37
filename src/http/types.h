#pragma once
// The HTTP message types every layer above speaks (Beast's, with in-memory string bodies).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace switchboard::http {

namespace beast_http = boost::beast::http;
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;
using status = beast_http::status;
using field = beast_http::field;
using tcp = boost::asio::ip::tcp;
// A connection's socket, bound to its worker's io_context by type rather than through Asio's
// type-erased executor: it and every operation pending on it are smaller, and an upgraded
// WebSocket keeps this very socket on the same worker, with no descriptor released and assigned
// again (four system calls per connection: epoll_ctl DEL and ADD, ioctl, getsockname).
using tcp_socket = boost::asio::basic_stream_socket<tcp, boost::asio::io_context::executor_type>;

// A complete response with a body and its content type; keep-alive follows the request.
response make_response(const request& req, status code, std::string_view content_type, std::string body);

// The protocol (v4 or v6) of a connected socket, for re-opening its descriptor elsewhere. A TLS
// client's socket is a socketpair end (tls_relay.h), which may have no TCP address: v4 then.
tcp protocol_of(const tcp_socket& socket);

}  // namespace switchboard::http
