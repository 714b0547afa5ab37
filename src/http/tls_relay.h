#pragma once
// TLS for clients (`--tls-cert`/`--tls-key`): https and wss on the same port as everything else.
//
// Each accepted connection's TLS ends in a relay on the worker that accepted it: the TLS stream
// (OpenSSL through Asio) on one side, one end of a socketpair on the other. The pair's other end
// is what the HTTP connection reads and writes, as if it were the client's TCP socket. Why a relay
// and not a TLS stream inside the HTTP connection: a WebSocket upgrade moves its socket to the
// session's worker as a bare descriptor (engineio/server.cpp), and an OpenSSL session cannot
// move with a descriptor; the socketpair's end can, and every layer above stays as it is.
// The price: a copy and two system calls more per read and per write, three descriptors and about
// 50 KiB (OpenSSL's and Asio's record buffers, the relay's two) per TLS connection. Where TLS
// traffic is heavy, terminate it at the load balancer (docs/operations.md).
//
// Lifetime: reference counted by its pending operations. Two pumps run while both sides are open:
// client → server (TLS read, socketpair write) and server → client (socketpair read, TLS write),
// each with one operation in flight, so a slow reader on either side holds back the other, as
// TCP would. The client's end of stream half-closes the socketpair; the server's end of stream
// sends close_notify (bounded wait for the client's), then everything closes.
#include "http/types.h"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace switchboard::http {

namespace ssl = boost::asio::ssl;

// A server context from PEM files (certificate chain, private key), TLS 1.2 or newer. Throws
// std::runtime_error with a message naming the file and OpenSSL's reason (start-up only).
std::unique_ptr<ssl::context> make_tls_server_context(const std::string& cert_file, const std::string& key_file);

class tls_relay : public std::enable_shared_from_this<tls_relay> {
 public:
  // `inner` is the socketpair end for the HTTP connection (on the client socket's worker);
  // `remote` the client's address.
  using ready_fn = std::function<void(tcp_socket inner, tcp::endpoint remote)>;

  tls_relay(tcp_socket client, ssl::context& ctx);
  // Handshakes within `timeout`, then calls `ready` and relays; on failure the client is closed
  // and `ready` never runs.
  void start(std::chrono::milliseconds timeout, ready_fn ready);

 private:
  void on_handshake(boost::system::error_code ec, const ready_fn& ready);
  void read_client();
  void read_server();
  void client_ended();
  void server_ended();
  void shut_down_when_idle();
  void close();

  ssl::stream<tcp_socket> tls_;
  boost::asio::local::stream_protocol::socket server_side_;  // our end of the socketpair
  boost::asio::steady_timer timer_;                          // handshake, then close_notify bound
  tcp::endpoint remote_;
  std::array<char, 8192> from_client_{};
  std::array<char, 8192> from_server_{};
  bool client_pump_ = false;  // a TLS read, or the socketpair write of what it read, is in flight
  bool server_pump_ = false;  // a socketpair read, or the TLS write of what it read, is in flight
  bool ending_ = false;       // the server's side ended: no more reads from the client
  bool tls_failed_ = false;   // no close_notify on a broken TLS stream
  bool closed_ = false;
};

}  // namespace switchboard::http
