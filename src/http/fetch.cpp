#include "http/fetch.h"

#include "http/tls_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace switchboard::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// The exchange on a connected stream, plain or TLS: one request, one response.
template <typename Stream>
void exchange(Stream& stream, const fetch_url& url, size_t max_body, fetch_result& out) {
  auto req = std::make_shared<bhttp::request<bhttp::empty_body>>(bhttp::verb::get, url.target, 11);
  req->set(bhttp::field::host, url.host);
  req->set(bhttp::field::user_agent, "switchboard");
  req->set(bhttp::field::accept, "application/json");
  bhttp::async_write(stream, *req, [&stream, &out, max_body, req](beast::error_code ec, size_t) {
    if (ec) {
      out.error = "sending the request: " + ec.message();
      return;
    }
    auto buffer = std::make_shared<beast::flat_buffer>();
    auto parser = std::make_shared<bhttp::response_parser<bhttp::string_body>>();
    parser->body_limit(max_body);
    bhttp::async_read(stream, *buffer, *parser, [&out, buffer, parser](beast::error_code e, size_t) {
      if (e) {
        out.error =
            e == bhttp::error::body_limit ? "the response is too large" : "reading the response: " + e.message();
        return;
      }
      auto res = parser->release();
      out.status = res.result_int();
      out.body = std::move(res.body());
      out.ok = out.status == 200;
      if (!out.ok) out.error = "the server answered HTTP " + std::to_string(out.status);
    });
  });
}

}  // namespace

fetch_result fetch(const fetch_url& url, std::chrono::milliseconds timeout, size_t max_body_bytes) {
  fetch_result out;
  asio::io_context io;
  tcp::resolver resolver(io);
  auto tls = verifying_client_context();
  beast::tcp_stream plain(io);
  beast::ssl_stream<beast::tcp_stream> secure(io, tls);
  beast::tcp_stream& tcp_layer = url.tls ? beast::get_lowest_layer(secure) : plain;
  tcp_layer.expires_after(timeout);  // one deadline for the whole fetch
  out.error = "no answer within " + std::to_string(timeout.count()) + " ms";
  resolver.async_resolve(url.host, std::to_string(url.port), [&](beast::error_code ec, tcp::resolver::results_type r) {
    if (ec) {
      out.error = "resolving " + url.host + ": " + ec.message();
      return;
    }
    tcp_layer.async_connect(r, [&](beast::error_code e, const tcp::endpoint&) {
      if (e) {
        out.error = "connecting to " + url.host + ": " + e.message();
        return;
      }
      if (!url.tls) return exchange(plain, url, max_body_bytes, out);
      expect_host(secure, url.host);
      secure.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code h) {
        if (h) {
          out.error = "TLS with " + url.host + ": " + h.message();
          return;
        }
        exchange(secure, url, max_body_bytes, out);
      });
    });
  });
  io.run_for(timeout + std::chrono::seconds(1));
  return out;
}

}  // namespace switchboard::http
