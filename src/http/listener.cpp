#include "http/listener.h"

#include "base/log.h"

#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <iostream>

namespace switchboard::http {

listener::listener(loop_group& loops, const request_handler& handler, const limits& lim)
    : loops_(loops), handler_(handler), limits_(lim) {}

void listener::listen(const std::string& host, uint16_t port) {
  const auto address = boost::asio::ip::make_address(host);
  for (size_t w = 0; w < loops_.size(); ++w) {
    auto acc = std::make_unique<tcp::acceptor>(loops_.context(w));
    const tcp::endpoint ep(address, port_ ? port_ : port);
    acc->open(ep.protocol());
    acc->set_option(tcp::acceptor::reuse_address(true));
    const int one = 1;
    if (::setsockopt(acc->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      throw boost::system::system_error(errno, boost::system::system_category(), "SO_REUSEPORT");
    }
    acc->bind(ep);
    acc->listen(4096);
    port_ = acc->local_endpoint().port();
    acceptors_.push_back(std::move(acc));
  }
  for (size_t w = 0; w < acceptors_.size(); ++w) accept(w);
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
  std::cout << "listening on http://" << host << ":" << port_ << std::endl;
  return 0;
}

void listener::close() {
  for (size_t w = 0; w < acceptors_.size(); ++w) {
    loops_.post(w, [acc = acceptors_[w].get()] {
      boost::system::error_code ec;
      acc->close(ec);
    });
  }
}

void listener::accept(size_t worker) {
  acceptors_[worker]->async_accept([this, worker](boost::system::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) {
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<connection>(std::move(socket), worker, handler_, limits_)->start();
    } else {
      SB_LOG(warn, "event=accept_failed error=\"" << ec.message() << "\"");
    }
    if (acceptors_[worker]->is_open()) accept(worker);
  });
}

}  // namespace switchboard::http
