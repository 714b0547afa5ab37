#include "http/connection.h"

#include "base/log.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>

namespace switchboard::http {

namespace beast = boost::beast;

response make_response(const request& req, status code, std::string_view content_type, std::string body) {
  response res{code, req.version()};
  res.set(field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

std::optional<std::string_view> framing_problem(const request& req) {
  // Beast reads a body only for a final "chunked" coding, and takes any other Transfer-Encoding
  // as no body at all, so the bytes of that body would be read as the next request (smuggling
  // behind a proxy that reads them as a body). RFC 9112 §6.1: answer 400 and close.
  const auto te = req.find(field::transfer_encoding);
  if (te == req.end()) return std::nullopt;
  if (!beast::iequals(te->value(), "chunked")) return "unsupported Transfer-Encoding: only chunked is accepted";
  if (req.count(field::transfer_encoding) > 1 || req.count(field::content_length) > 0)
    return "a request may not carry both Transfer-Encoding and Content-Length";
  return std::nullopt;
}

tcp::endpoint client_of(const request& req, const tcp::endpoint& peer, const limits& lim) {
  if (lim.trusted_proxies.empty()) return peer;
  if (std::find(lim.trusted_proxies.begin(), lim.trusted_proxies.end(), peer.address()) == lim.trusted_proxies.end())
    return peer;
  const auto it = req.find("x-forwarded-for");
  if (it == req.end()) return peer;
  std::string_view hops = it->value();
  auto last = hops.substr(hops.rfind(',') == std::string_view::npos ? 0 : hops.rfind(',') + 1);
  while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
  while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(last, ec);
  return ec ? peer : tcp::endpoint(address, 0);
}

tcp protocol_of(const tcp_socket& socket) {
  boost::system::error_code ec;
  const auto local = socket.local_endpoint(ec);
  return ec ? tcp::v4() : local.protocol();
}

connection::connection(tcp_socket socket, size_t worker, const request_handler& handler, const limits& lim,
                       tcp::endpoint remote, bool secure, connection_gate& gate, connection_gate::ticket waiting)
    : stream_(std::move(socket)),
      worker_(worker),
      handler_(handler),
      limits_(lim),
      remote_(remote),
      secure_(secure),
      gate_(gate),
      waiting_(std::move(waiting)) {}

void connection::start() { read_request(); }

void connection::read_request() {
  if (!waiting_) {  // a keep-alive connection, idle until its next request
    waiting_ = gate_.enter(remote_.address());
    if (!waiting_) return stream_.close();
  }
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  parser_->body_limit(limits_.max_body_bytes);
  stream_.expires_after(limits_.request_timeout);
  beast_http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->on_request(ec); });
}

void connection::fail_request(status code, std::string_view message) {
  response res{code, 11};
  res.set(field::content_type, "application/json");
  res.set(field::connection, "close");
  res.body() = std::string(R"({"error":")") +
               (code == status::payload_too_large ? "payload_too_large" : "bad_request") + R"(","message":")" +
               std::string(message) + "\"}";
  res.prepare_payload();
  keep_alive_ = false;
  write_response(std::move(res));
}

void connection::on_request(beast::error_code ec) {
  if (ec == beast_http::error::header_limit)
    return fail_request(status::request_header_fields_too_large, "request headers are too large");
  if (ec == beast_http::error::body_limit) return fail_request(status::payload_too_large, "request body is too large");
  if (ec == beast::error::timeout) {
    stream_.close();
    return;
  }
  if (ec == beast_http::error::end_of_stream || ec == boost::asio::error::eof ||
      ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp_socket::shutdown_both, ignored);
    return;
  }
  if (ec) return fail_request(status::bad_request, "malformed HTTP request");
  waiting_.reset();
  if (auto bad = framing_problem(parser_->get())) return fail_request(status::bad_request, *bad);
  stream_.expires_never();
  keep_alive_ = parser_->get().keep_alive();
  const auto client = client_of(parser_->get(), remote_, limits_);
  pending_ = std::make_shared<exchange>(shared_from_this(), parser_->release(), worker_, client, secure_);
  parser_.reset();
  auto ex = pending_;
  handler_(ex);
  if (!released_ && pending_ && !pending_->answered()) watch_while_pending();
}

// A long-poll holds the response. Reading one byte tells us if the client leaves meanwhile;
// HTTP/1.1 clients do not pipeline behind a pending request, so any byte is kept for later.
void connection::watch_while_pending() {
  stream_.socket().async_wait(tcp_socket::wait_read,
                              [self = shared_from_this(), gen = watch_generation_](beast::error_code ec) {
                                if (self->released_ || !self->pending_ || gen != self->watch_generation_) return;
                                if (!ec) {
                                  auto buf = self->buffer_.prepare(4096);
                                  ec.clear();
                                  const size_t n = self->stream_.socket().read_some(buf, ec);
                                  if (!ec && n > 0) {
                                    self->buffer_.commit(n);
                                    if (self->buffer_.size() > self->limits_.max_header_bytes)
                                      ec = boost::asio::error::message_size;
                                    else
                                      return self->watch_while_pending();
                                  }
                                }
                                if (auto p = std::exchange(self->pending_, nullptr)) p->abort();
                                beast::error_code ignored;
                                self->stream_.socket().close(ignored);
                              });
}

void connection::write_response(response res) {
  if (released_ || !stream_.socket().is_open()) return;
  pending_.reset();
  ++watch_generation_;
  // Cancels the disconnect watch, if any.
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
  if (!keep_alive_) res.keep_alive(false);
  auto sp = std::make_shared<response>(std::move(res));
  stream_.expires_after(limits_.request_timeout);
  beast_http::async_write(stream_, *sp, [self = shared_from_this(), sp](beast::error_code ec, size_t) {
    if (ec) return self->stream_.close();
    if (!sp->keep_alive()) return self->close_after_response();
    self->read_request();
  });
}

void connection::close_after_response() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp_socket::shutdown_send, ignored);
  stream_.expires_after(linger_time);  // one deadline for every read that follows
  drain_input();
}

void connection::drain_input() {
  // What is read is dropped: one buffer per thread serves every lingering connection.
  thread_local std::array<char, 4096> sink;
  stream_.async_read_some(boost::asio::buffer(sink), [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->stream_.close();  // the client closed, or the time is up
    self->drain_input();
  });
}

tcp_socket connection::release_socket(std::string& buffered) {
  released_ = true;
  pending_.reset();
  const auto data = buffer_.data();
  buffered.assign(static_cast<const char*>(data.data()), data.size());
  buffer_.consume(buffer_.size());
  stream_.expires_never();
  return stream_.release_socket();
}

}  // namespace switchboard::http
