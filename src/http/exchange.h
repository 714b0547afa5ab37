#pragma once
// One HTTP request waiting for its response. The handler may answer it later (a long-poll GET)
// and from another worker than the connection's: `respond` posts the response to the
// connection's worker. If the client drops the connection first, the abort callback runs on the
// worker that registered it. Both sides are guarded by a mutex: this is the long-polling path, not
// the WebSocket hot path.
#include "http/types.h"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <mutex>

namespace switchboard::http {

class connection;

class exchange : public std::enable_shared_from_this<exchange> {
 public:
  exchange(std::shared_ptr<connection> conn, request req, size_t worker, tcp::endpoint remote, bool secure);

  const request& req() const { return req_; }
  request& req() { return req_; }
  size_t worker() const { return worker_; }
  const tcp::endpoint& remote() const { return remote_; }
  bool secure() const { return secure_; }  // over TLS (--tls-cert)

  // Sends the response (once; later calls are ignored). Any thread.
  void respond(response res);
  // `fn` runs on `ctx` if the client goes away before a response. Any thread.
  void on_abort(boost::asio::io_context& ctx, std::function<void()> fn);
  bool answered() const;

  // For protocol upgrades, on the connection's worker only: takes the TCP socket and the bytes
  // read past the request. The connection is finished afterwards.
  tcp_socket take_socket(std::string& buffered);

  // Called by the connection.
  void abort();

 private:
  std::shared_ptr<connection> conn_;
  request req_;
  size_t worker_;
  tcp::endpoint remote_;
  bool secure_;
  mutable std::mutex mutex_;
  bool answered_ = false;
  bool aborted_ = false;
  boost::asio::io_context* abort_ctx_ = nullptr;
  std::function<void()> abort_fn_;
};

using exchange_ptr = std::shared_ptr<exchange>;
using request_handler = std::function<void(exchange_ptr)>;

}  // namespace switchboard::http
