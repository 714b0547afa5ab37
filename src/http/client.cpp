#include "http/client.h"

#include "http/tls_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <optional>

namespace switchboard::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

// A pooled connection older than this is closed rather than reused: backends close idle
// keep-alive connections themselves after a few seconds (Node.js after 5), and a request written
// into one being closed is lost.
constexpr auto reuse_within = std::chrono::seconds(4);

}  // namespace

struct client::connection {
  connection(asio::io_context& io, asio::ssl::context* tls) {
    if (tls) {
      secure.emplace(io, *tls);
    } else {
      plain.emplace(io);
    }
  }
  beast::tcp_stream& tcp_layer() { return plain ? *plain : beast::get_lowest_layer(*secure); }
  void close() {
    beast::error_code ignored;
    tcp_layer().socket().close(ignored);
  }
  template <typename F>
  void with_stream(F&& f) {
    if (plain) return f(*plain);
    f(*secure);
  }

  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  steady::time_point idle_since;
};

struct client::operation {
  explicit operation(asio::io_context& io) : timer(io) {}
  bhttp::request<bhttp::string_body> request;
  done_fn done;
  std::chrono::milliseconds timeout{0};
  asio::steady_timer timer;
  bool finished = false;
  bool may_retry = false;  // sent on a pooled connection: retried once if it was closed under us
  std::shared_ptr<connection> conn;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
};

client::client(asio::io_context& io, fetch_url origin, size_t max_idle)
    : io_(io), origin_(std::move(origin)), max_idle_(max_idle), tls_(verifying_client_context()), resolver_(io) {}

client::~client() {
  for (auto& c : idle_) c->close();
}

void client::post(std::string target, header_list headers, std::string body, std::chrono::milliseconds timeout,
                  done_fn done) {
  auto op = std::make_shared<operation>(io_);
  auto& req = op->request;
  req.method(bhttp::verb::post);
  req.target(target);
  req.version(11);
  const bool default_port = origin_.port == (origin_.tls ? 443 : 80);
  req.set(bhttp::field::host, default_port ? origin_.host : origin_.host + ":" + std::to_string(origin_.port));
  req.set(bhttp::field::user_agent, "switchboard");
  req.set(bhttp::field::content_type, "application/json");
  for (auto& [name, value] : headers) req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();
  op->done = std::move(done);
  op->timeout = timeout;
  op->timer.expires_after(timeout);
  op->timer.async_wait([self = shared_from_this(), op](beast::error_code ec) {
    if (ec || op->finished) return;
    auto conn = op->conn;
    client_response r;
    r.timed_out = true;
    r.error = "no answer within " + std::to_string(op->timeout.count()) + " ms";
    self->finish(op, std::move(r));
    if (conn) conn->close();  // its pending write or read ends, and sees the operation finished
  });
  start(std::move(op));
}

void client::start(std::shared_ptr<operation> op) {
  while (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    if (steady::now() - conn->idle_since > reuse_within || !conn->tcp_layer().socket().is_open()) {
      conn->close();
      continue;
    }
    op->may_retry = true;
    return exchange(std::move(op), std::move(conn));
  }
  open(std::move(op));
}

void client::open(std::shared_ptr<operation> op) {
  resolver_.async_resolve(
      origin_.host, std::to_string(origin_.port),
      [self = shared_from_this(), op](beast::error_code ec, tcp::resolver::results_type endpoints) {
        if (op->finished) return;
        if (ec) return self->finish(op, {false, false, 0, {}, "resolving " + self->origin_.host + ": " + ec.message()});
        auto conn = std::make_shared<connection>(self->io_, self->origin_.tls ? &self->tls_ : nullptr);
        op->conn = conn;
        conn->tcp_layer().async_connect(endpoints, [self, op, conn](beast::error_code e, const tcp::endpoint&) {
          if (op->finished) return;
          const auto where = self->origin_.host + ":" + std::to_string(self->origin_.port);
          if (e) return self->finish(op, {false, false, 0, {}, "connecting to " + where + ": " + e.message()});
          if (!conn->secure) return self->exchange(op, conn);
          expect_host(*conn->secure, self->origin_.host);
          conn->secure->async_handshake(asio::ssl::stream_base::client, [self, op, conn, where](beast::error_code h) {
            if (op->finished) return;
            if (h) return self->finish(op, {false, false, 0, {}, "TLS with " + where + ": " + h.message()});
            self->exchange(op, conn);
          });
        });
      });
}

void client::exchange(std::shared_ptr<operation> op, std::shared_ptr<connection> conn) {
  op->conn = conn;
  op->parser.emplace();
  op->parser->body_limit(max_response_bytes);
  // A pooled connection the backend closed fails at once, before any byte of an answer: the
  // request is sent again on a fresh connection, once.
  const auto failed = [self = shared_from_this(), op, conn](const std::string& what, beast::error_code ec) {
    conn->close();
    if (op->may_retry && !op->parser->got_some()) {
      op->may_retry = false;
      op->conn = nullptr;
      return self->open(op);
    }
    const auto why = ec == bhttp::error::body_limit ? std::string("the answer is over 1 MiB") : what + ec.message();
    self->finish(op, {false, false, 0, {}, why});
  };
  conn->with_stream([&](auto& stream) {
    bhttp::async_write(
        stream, op->request, [self = shared_from_this(), op, conn, &stream, failed](beast::error_code ec, size_t) {
          if (op->finished) return;
          if (ec) return failed("sending the request: ", ec);
          bhttp::async_read(stream, conn->buffer, *op->parser, [self, op, conn, failed](beast::error_code e, size_t) {
            if (op->finished) return;
            if (e) return failed("reading the answer: ", e);
            auto res = op->parser->release();
            const bool reusable = res.keep_alive();
            client_response r{true, false, res.result_int(), std::move(res.body()), {}};
            self->finish(op, std::move(r));
            if (reusable) return self->keep(conn);
            conn->close();
          });
        });
  });
}

void client::finish(const std::shared_ptr<operation>& op, client_response r) {
  if (op->finished) return;
  op->finished = true;
  op->timer.cancel();
  op->conn = nullptr;
  auto done = std::move(op->done);
  done(std::move(r));
}

void client::keep(std::shared_ptr<connection> conn) {
  if (idle_.size() >= max_idle_) return conn->close();
  conn->idle_since = steady::now();
  idle_.push_back(std::move(conn));
}

}  // namespace switchboard::http
