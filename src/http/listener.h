#pragma once
// Accepts TCP connections and spreads them over the workers round-robin; a connection stays on
// its worker for life. One acceptor (on worker 0), not one per worker with SO_REUSEPORT: that
// would let a second process of the same user bind the same port silently instead of failing.
// With a TLS context every connection passes through a TLS relay first (http/tls_relay.h).
#include "base/loop_group.h"
#include "http/connection.h"
#include "http/tls_relay.h"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::http {

class listener {
 public:
  // `tls`: null for plain HTTP; otherwise it must outlive the listener and its connections.
  listener(loop_group& loops, const request_handler& handler, const limits& lim, ssl::context* tls = nullptr);

  // Binds and starts accepting; port 0 picks a free port. Throws
  // boost::system::system_error on failure (start-up only).
  void listen(const std::string& host, uint16_t port);
  // listen(), then the one line `listening on http://HOST:PORT` (https with TLS) on standard
  // output, flushed (docs/design.md#configuration). On failure it explains on standard error and returns the
  // process exit code: 1 when the address cannot be bound (port in use, say), 2 for an invalid
  // host. 0 on success.
  int listen_and_announce(const std::string& host, uint16_t port);
  uint16_t port() const { return port_; }
  // Closes each new connection at once while `full(waiting)` is true, `waiting` being the
  // connections that wait for a request (connection_gate.h). Set before listen().
  void refuse_when(std::function<bool(size_t waiting)> full) { full_ = std::move(full); }
  // Stops accepting; open connections are left alone.
  void close();

 private:
  void accept();
  void start_connection(tcp_socket socket, size_t worker, connection_gate::ticket waiting);

  loop_group& loops_;
  const request_handler& handler_;
  const limits& limits_;
  ssl::context* tls_;
  std::shared_ptr<connection_gate> gate_;
  std::function<bool(size_t)> full_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  // After running out of descriptors, accepting resumes after this pause (worker 0's timer).
  static constexpr std::chrono::milliseconds accept_pause{100};
  boost::asio::steady_timer pause_timer_;
  size_t next_worker_ = 0;
  uint16_t port_ = 0;
};

}  // namespace switchboard::http
