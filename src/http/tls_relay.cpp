#include "http/tls_relay.h"

#include "base/log.h"

#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace switchboard::http {

using boost::system::error_code;

namespace {
// How long the client has to answer our close_notify before the connection is cut.
constexpr auto close_notify_wait = std::chrono::seconds(1);
}  // namespace

std::unique_ptr<ssl::context> make_tls_server_context(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec)
    throw std::runtime_error("--tls-cert " + cert_file + ": cannot load a PEM certificate chain (" + ec.message() +
                             ")");
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  const bool mismatch = ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
  if (ec && !mismatch)
    throw std::runtime_error("--tls-key " + key_file + ": cannot load a PEM private key (" + ec.message() + ")");
  if (mismatch || SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    throw std::runtime_error("--tls-key " + key_file + ": the key does not match the certificate in --tls-cert " +
                             cert_file);
  return ctx;
}

tls_relay::tls_relay(tcp_socket client, ssl::context& ctx)
    : tls_(std::move(client), ctx), server_side_(tls_.get_executor()), timer_(tls_.get_executor()) {
  error_code ignored;
  remote_ = tls_.next_layer().remote_endpoint(ignored);
}

void tls_relay::start(std::chrono::milliseconds timeout, ready_fn ready) {
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->close();  // the handshake fails with operation_aborted
  });
  tls_.async_handshake(ssl::stream_base::server, [self = shared_from_this(), ready = std::move(ready)](
                                                     error_code ec) mutable { self->on_handshake(ec, ready); });
}

void tls_relay::on_handshake(error_code ec, const ready_fn& ready) {
  timer_.cancel();
  if (ec || closed_) {
    SB_LOG(debug, "event=tls_handshake_failed address=" << remote_.address().to_string() << " error=\"" << ec.message()
                                                        << "\"");
    return close();
  }
  boost::asio::local::stream_protocol::socket peer(tls_.get_executor());
  boost::asio::local::connect_pair(server_side_, peer, ec);
  if (ec) {
    SB_LOG(warn, "event=tls_socketpair_failed error=\"" << ec.message() << "\"");
    return close();
  }
  // The HTTP layer speaks TCP sockets; a socketpair end serves for everything it does with one
  // (read, write, wait, shutdown), and the client's address comes alongside.
  tcp_socket inner(tls_.get_executor());
  inner.assign(remote_.protocol(), peer.release(), ec);
  if (ec) return close();
  client_pump_ = server_pump_ = true;
  read_client();
  read_server();
  ready(std::move(inner), remote_);
}

void tls_relay::read_client() {
  if (ending_) return client_ended();
  tls_.async_read_some(boost::asio::buffer(from_client_), [self = shared_from_this()](error_code ec, size_t n) {
    if (ec) {
      // close_notify arrives as eof; a bare TCP close as stream_truncated; operation_aborted when
      // the server's side ended first. Anything else is a broken stream.
      if (ec != boost::asio::error::eof && ec != boost::asio::error::operation_aborted) self->tls_failed_ = true;
      return self->client_ended();
    }
    boost::asio::async_write(self->server_side_, boost::asio::buffer(self->from_client_, n),
                             [self](error_code wec, size_t) {
                               if (wec) return self->client_ended();
                               self->read_client();
                             });
  });
}

void tls_relay::read_server() {
  server_side_.async_read_some(boost::asio::buffer(from_server_), [self = shared_from_this()](error_code ec, size_t n) {
    if (ec) return self->server_ended();
    boost::asio::async_write(self->tls_, boost::asio::buffer(self->from_server_, n), [self](error_code wec, size_t) {
      if (wec) {
        self->tls_failed_ = true;
        return self->server_ended();
      }
      self->read_server();
    });
  });
}

// The client will send no more: the HTTP side reads end of stream and finishes its responses.
void tls_relay::client_ended() {
  client_pump_ = false;
  error_code ignored;
  server_side_.shutdown(boost::asio::socket_base::shutdown_send, ignored);
  shut_down_when_idle();
}

// The HTTP side closed: stop reading the client (a pending TLS read is cancelled), then say so.
void tls_relay::server_ended() {
  server_pump_ = false;
  ending_ = true;
  error_code ignored;
  if (client_pump_) tls_.next_layer().cancel(ignored);
  shut_down_when_idle();
}

// Once neither pump is in flight: close_notify (it needs the stream to itself), bounded, then close.
void tls_relay::shut_down_when_idle() {
  if (client_pump_ || server_pump_ || closed_) return;
  if (tls_failed_) return close();
  timer_.expires_after(close_notify_wait);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->close();
  });
  tls_.async_shutdown([self = shared_from_this()](error_code) { self->close(); });
}

void tls_relay::close() {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  timer_.cancel();
  server_side_.close(ignored);
  tls_.next_layer().shutdown(tcp_socket::shutdown_both, ignored);
  tls_.next_layer().close(ignored);
}

}  // namespace switchboard::http
