#pragma once
// HTTP/1.1 POSTs to one origin (http or https) from one event loop, over a pool of keep-alive
// connections: what a node sends its application's backend (hooks, webhooks). Asynchronous: a
// call returns at once and its completion runs on the same io_context, so an event loop is never
// blocked. The certificate is checked against the system's authorities and the host name. A
// connection reused from the pool that turns out closed by the backend (it closes idle ones after
// a few seconds) is retried once on a fresh one, before any answer was read. Not thread-safe:
// one client per event loop.
#include "http/url.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::http {

struct client_response {
  bool answered = false;  // a whole response arrived; otherwise `error` says why not
  bool timed_out = false;
  unsigned status = 0;
  std::string body;
  std::string error;
};

class client : public std::enable_shared_from_this<client> {
 public:
  using header_list = std::vector<std::pair<std::string, std::string>>;
  using done_fn = std::function<void(client_response)>;

  // `origin`: scheme, host and port (its target is the default path of post()). At most
  // `max_idle` connections are kept open between requests.
  client(boost::asio::io_context& io, fetch_url origin, size_t max_idle = 32);
  ~client();

  // POSTs `body` (application/json) to `target` with `headers`; `done` runs on this client's
  // io_context once an answer came or `timeout` passed, never before post() returns.
  void post(std::string target, header_list headers, std::string body, std::chrono::milliseconds timeout, done_fn done);

  size_t idle_connections() const { return idle_.size(); }
  const fetch_url& origin() const { return origin_; }

  static constexpr size_t max_response_bytes = 1 << 20;

 private:
  struct connection;
  struct operation;

  void start(std::shared_ptr<operation> op);
  void open(std::shared_ptr<operation> op);
  void exchange(std::shared_ptr<operation> op, std::shared_ptr<connection> conn);
  void finish(const std::shared_ptr<operation>& op, client_response r);
  void keep(std::shared_ptr<connection> conn);

  boost::asio::io_context& io_;
  fetch_url origin_;
  size_t max_idle_;
  boost::asio::ssl::context tls_;
  boost::asio::ip::tcp::resolver resolver_;
  std::vector<std::shared_ptr<connection>> idle_;  // most recently used last
};

}  // namespace switchboard::http
