#pragma once
// One HTTP/1.1 client connection on one worker: reads requests with Beast's parser (header and
// body limits, a read timeout), hands each to the request handler as an exchange and writes the
// response; keep-alive; one request at a time. While a response is pending (long-polling) it
// watches the socket so that a client that goes away aborts the exchange.
#include "http/connection_gate.h"
#include "http/exchange.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <optional>
#include <vector>

namespace switchboard::http {

struct limits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1'000'000;
  std::chrono::milliseconds request_timeout{30'000};  // headers and body must arrive within it
  // Connections one client address may hold while they wait for a request (connection_gate.h);
  // 0: no limit.
  size_t max_waiting_per_address = 0;
  // Proxies whose X-Forwarded-For is believed: a request from one of them is taken to come from
  // the address the proxy appended last (its own client), for every per-address limit and for
  // socket.handshake.address. Empty: the peer address is the client's.
  std::vector<boost::asio::ip::address> trusted_proxies;
};

// The client a request is from: the peer, or, when the peer is a trusted proxy, the last address
// of its X-Forwarded-For (the one that proxy appended; earlier ones are the client's say-so).
tcp::endpoint client_of(const request& req, const tcp::endpoint& peer, const limits& lim);

// Why a parsed request's framing cannot be trusted (a Transfer-Encoding other than chunked, or
// both Transfer-Encoding and Content-Length), or nullopt.
std::optional<std::string_view> framing_problem(const request& req);

class connection : public std::enable_shared_from_this<connection> {
 public:
  // `remote` is the client's address: the socket's peer, or the TLS relay's client (http/tls_relay.h);
  // `secure`: the client speaks TLS to the relay.
  // `waiting`: this connection's place in `gate` until its first request has arrived; between
  // requests it takes one again, and closes when it cannot.
  connection(tcp_socket socket, size_t worker, const request_handler& handler, const limits& lim, tcp::endpoint remote,
             bool secure, connection_gate& gate, connection_gate::ticket waiting);
  void start();

  boost::asio::any_io_executor get_executor() { return stream_.get_executor(); }

  // Called through the exchange, on this connection's worker.
  void write_response(response res);
  tcp_socket release_socket(std::string& buffered);

 private:
  void read_request();
  void on_request(boost::beast::error_code ec);
  void watch_while_pending();
  void fail_request(status code, std::string_view message);
  // After the last response the client may still be sending (a body refused as too large).
  // Closing with its bytes unread makes the kernel reset the connection, and a reset can destroy
  // the response before the client reads it: so the server stops sending, reads and drops what
  // still comes for at most `linger_time` (nginx's lingering close), then closes.
  void close_after_response();
  void drain_input();
  static constexpr std::chrono::seconds linger_time{3};

  boost::beast::basic_stream<tcp, boost::asio::io_context::executor_type> stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  size_t worker_;
  const request_handler& handler_;
  const limits& limits_;
  tcp::endpoint remote_;
  bool secure_;
  connection_gate& gate_;
  connection_gate::ticket waiting_;
  std::shared_ptr<exchange> pending_;
  bool keep_alive_ = true;
  bool released_ = false;
  unsigned watch_generation_ = 0;  // a stale disconnect watch must not abort a newer request
};

}  // namespace switchboard::http
