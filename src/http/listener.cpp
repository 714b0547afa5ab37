#include "http/listener.h"

#include "base/log.h"
#include "base/metrics.h"

#include <boost/asio/ip/address.hpp>
#include <iostream>

namespace switchboard::http {

listener::listener(loop_group& loops, const request_handler& handler, const limits& lim, ssl::context* tls)
    : loops_(loops),
      handler_(handler),
      limits_(lim),
      tls_(tls),
      gate_(std::make_shared<connection_gate>(lim.max_waiting_per_address)),
      pause_timer_(loops.context(0)) {}

void listener::listen(const std::string& host, uint16_t port) {
  const tcp::endpoint ep(boost::asio::ip::make_address(host), port);
  acceptor_ = std::make_unique<tcp::acceptor>(loops_.context(0));
  acceptor_->open(ep.protocol());
  acceptor_->set_option(tcp::acceptor::reuse_address(true));
  acceptor_->bind(ep);
  acceptor_->listen(4096);
  port_ = acceptor_->local_endpoint().port();
  accept();
}

int listener::listen_and_announce(const std::string& host, uint16_t port) {
  try {
    listen(host, port);
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::address_in_use) {
      std::cerr << "port " << port << " is already in use on " << host << "; choose another with --port\n";
    } else if (e.code() == boost::asio::error::invalid_argument) {
      std::cerr << "--host: \"" << host << "\" is not an IP address to listen on\n";
      return 2;
    } else {
      std::cerr << "cannot listen on " << host << ":" << port << ": " << e.code().message() << "\n";
    }
    return 1;
  }
  std::cout << "listening on " << (tls_ ? "https" : "http") << "://" << host << ":" << port_ << std::endl;
  return 0;
}

void listener::close() {
  loops_.post(0, [this] {
    boost::system::error_code ec;
    if (acceptor_) acceptor_->close(ec);
  });
}

// The new socket is created on the next worker's io_context and its connection starts there.
void listener::accept() {
  const size_t worker = next_worker_++ % loops_.size();
  acceptor_->async_accept(loops_.context(worker), [this, worker](boost::system::error_code ec, tcp_socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) {
      boost::system::error_code ignored;
      const auto remote = socket.remote_endpoint(ignored);
      auto waiting = full_ && full_(gate_->waiting()) ? connection_gate::ticket{} : gate_->enter(remote.address());
      if (!waiting) {
        // Full, or too many waiting connections from that address: the descriptor goes back now.
        metrics::add(metrics::counter::connections_refused);
        socket.close(ignored);
      } else {
        socket.set_option(tcp::no_delay(true), ignored);
        loops_.post(worker, [this, worker, socket = std::move(socket), waiting = std::move(waiting)]() mutable {
          start_connection(std::move(socket), worker, std::move(waiting));
        });
      }
    } else {
      SB_LOG(warn, "event=accept_failed error=\"" << ec.message() << "\"");
      if (ec == boost::asio::error::no_descriptors || ec == boost::asio::error::no_buffer_space ||
          ec == boost::asio::error::no_memory) {
        // Out of descriptors or memory: accepting again at once would fail again at once, in a
        // busy loop. The waiting connections stay in the backlog until some close.
        pause_timer_.expires_after(accept_pause);
        return pause_timer_.async_wait([this](boost::system::error_code e) {
          if (!e && acceptor_->is_open()) accept();
        });
      }
    }
    if (acceptor_->is_open()) accept();
  });
}

// On the connection's worker. A TLS client has until the request timeout to finish its handshake.
void listener::start_connection(tcp_socket socket, size_t worker, connection_gate::ticket waiting) {
  auto place = std::make_shared<connection_gate::ticket>(std::move(waiting));
  const auto open = [this, worker, place](tcp_socket s, tcp::endpoint remote) {
    std::make_shared<connection>(std::move(s), worker, handler_, limits_, remote, tls_ != nullptr, *gate_,
                                 std::move(*place))
        ->start();
  };
  if (tls_) return std::make_shared<tls_relay>(std::move(socket), *tls_)->start(limits_.request_timeout, open);
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  open(std::move(socket), remote);
}

}  // namespace switchboard::http
