#pragma once
// Accepts TCP connections on every worker. Each worker has its own acceptor bound to the same
// address with SO_REUSEPORT, so the kernel spreads new connections across workers and a
// connection stays on the worker that accepted it.
#include "base/loop_group.h"
#include "http/connection.h"

#include <string>
#include <vector>

namespace switchboard::http {

class listener {
 public:
  listener(loop_group& loops, const request_handler& handler, const limits& lim);

  // Binds every worker's acceptor; port 0 picks a free port (all workers share it). Throws
  // boost::system::system_error on failure (start-up only).
  void listen(const std::string& host, uint16_t port);
  // listen(), then the one line `listening on http://HOST:PORT` on standard output, flushed
  // (DESIGN.md §6). On failure it explains on standard error and returns the process exit code:
  // 1 when the address cannot be bound (port in use, say), 2 for an invalid host. 0 on success.
  int listen_and_announce(const std::string& host, uint16_t port);
  uint16_t port() const { return port_; }
  // Stops accepting; open connections are left alone.
  void close();

 private:
  void accept(size_t worker);

  loop_group& loops_;
  const request_handler& handler_;
  const limits& limits_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  uint16_t port_ = 0;
};

}  // namespace switchboard::http
