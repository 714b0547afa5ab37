// Fuzzes what a client sends before Engine.IO or WebSocket start: the HTTP request head (and body)
// of a handshake, a long-poll or an upgrade. The bytes go through Beast's request parser with the
// connection's limits (the http::limits struct; nothing of the connection is linked). A request
// that comes out goes through everything of ours that reads it: the request target (http/url.h),
// the WebSocket handshake and accept key (websocket/handshake.h), the CORS decision under a
// disabled, an allow-list and a wildcard policy (http/cors.h), and the description kept as
// `socket.handshake` (engineio/handshake_info.h).
//
// Properties: the accept key is 28 base64 characters; a valid handshake has a 16-byte key; no
// response header we set carries CR, LF or NUL; an allow-list never reflects an origin it does not
// list; the wildcard answers "*" unless credentialed; the handshake description holds every header
// (names lower-cased) and the target's query.
#include "base/base64.h"
#include "engineio/handshake_info.h"
#include "fuzz_check.h"
#include "http/connection.h"
#include "http/cors.h"
#include "http/url.h"
#include "websocket/handshake.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using fuzz::check;

namespace {

namespace http = switchboard::http;
namespace websocket = switchboard::websocket;
namespace eio = switchboard::engineio;
using http::field;

// The connection's limits; the node sets the body limit to --max-payload, whose default is this one.
const http::limits server_limits;

constexpr std::string_view allowed[] = {"https://app.example.com", "http://localhost:3000"};

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool clean_header_value(std::string_view v) { return v.find_first_of(std::string_view("\r\n\0", 3)) == v.npos; }

void check_response_headers(const http::response& res) {
  for (const auto& f : res) check(clean_header_value(f.value()));
}

void check_accept_key(std::string_view key) {
  const std::string accept = websocket::accept_key(key);
  check(accept.size() == 28 && accept.back() == '=');
  check(std::all_of(accept.begin(), accept.end() - 1, is_base64_char));
  const auto digest = switchboard::base64_decode(accept);
  check(digest && digest->size() == 20);
  const std::string response = websocket::switching_protocols_response(key);
  check(response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
  const std::string tail = "Sec-WebSocket-Accept: " + accept + "\r\n\r\n";
  check(response.size() > tail.size() && response.compare(response.size() - tail.size(), tail.size(), tail) == 0);
}

void check_websocket(const http::request& req) {
  const bool upgrade = websocket::is_upgrade_request(req);
  check(!upgrade || req.method() == http::beast_http::verb::get);
  const std::string_view invalid = websocket::validate_handshake(req);
  const auto key = req[field::sec_websocket_key];
  if (invalid.empty()) {
    check(req.version() >= 11 && req[field::sec_websocket_version] == "13");
    const auto raw = switchboard::base64_decode(key);
    check(raw && raw->size() == 16 && key.size() == 24);
  } else {
    const std::string refusal = websocket::bad_request_response(invalid);
    check(refusal.size() > invalid.size() &&
          refusal.compare(refusal.size() - invalid.size(), invalid.size(), invalid) == 0);
  }
  // The server only answers a valid key, but the computation takes any header value.
  check_accept_key(key);
}

// What the Engine.IO server reads of the target (engineio/server.cpp handle()).
void check_target(const http::request& req) {
  const std::string_view raw = req.target();
  http::target t;
  if (!http::parse_target(raw, t)) return;
  check(t.path.size() <= raw.size());
  for (const auto& [k, v] : t.query) check(k.size() + v.size() <= raw.size());
  for (const char* name : {"transport", "sid", "EIO", "t"}) {
    if (const std::string* v = t.param(name)) check(v->size() < raw.size());
  }
}

bool listed(std::string_view origin) {
  return std::find(std::begin(allowed), std::end(allowed), origin) != std::end(allowed);
}

void check_cors(const http::request& req) {
  const auto origin = req[field::origin];
  const auto host = req[field::host];
  const auto asked = req[field::access_control_request_headers];

  const http::cors_policy off;
  const http::cors_policy list{{std::string(allowed[0]), std::string(allowed[1])}, false};
  const http::cors_policy list_credentials{list.origins, true};
  const http::cors_policy any{{"*"}, false};
  const http::cors_policy any_credentials{{"*"}, true};

  for (const auto* policy : {&off, &list, &list_credentials, &any, &any_credentials}) {
    http::response res;
    http::apply_cors(*policy, req, res);
    check_response_headers(res);
    const auto reflected = res[field::access_control_allow_origin];
    const bool has_acao = res.count(field::access_control_allow_origin) != 0;
    if (!policy->enabled()) {
      check(res.begin() == res.end());
    } else if (policy == &any) {
      check(reflected == "*");
    } else {
      // Reflected, never "*" unless that is the caller's own (unlisted) origin under a credentialed
      // wildcard, and never an origin an allow-list does not hold.
      check(res[field::vary] == "Origin");
      check(has_acao == (!origin.empty() && policy->allows(origin)));
      if (has_acao) check(reflected == origin);
      if (policy != &any_credentials) check(!has_acao || listed(origin));
    }
    check((res[field::access_control_allow_credentials] == "true") == policy->credentials);

    const bool may_upgrade = policy->allows_upgrade(origin, host);
    if (policy == &list || policy == &list_credentials) {
      const auto scheme_end = origin.find("://");
      const bool own = scheme_end != origin.npos && !host.empty() && origin.substr(scheme_end + 3) == host;
      check(may_upgrade == (origin.empty() || listed(origin) || own));
    } else {
      check(may_upgrade);
    }

    if (http::is_preflight(req)) {
      const http::response pre = http::preflight_response(*policy, req);
      check_response_headers(pre);
      check(pre.result() == http::status::no_content && pre.body().empty());
      check(pre[field::content_length] == "0");
      check((pre.count(field::access_control_allow_methods) != 0) == policy->enabled());
      if (policy->enabled() && !asked.empty()) check(pre[field::access_control_allow_headers] == asked);
      if (!policy->enabled()) check(pre.count(field::access_control_allow_origin) == 0);
    }
  }
}

void check_description(const http::request& req) {
  const std::string address = "198.51.100.7";
  const eio::handshake_info info(req, address, 42, true);
  check(info.url() == req.target());
  check(info.address() == address && info.issued_ms() == 42 && info.secure());
  auto f = req.begin();
  for (const auto& [name, value] : info.headers()) {
    check(f != req.end());
    const std::string_view original = f->name_string();
    check(name.size() == original.size() && value == f->value());
    for (size_t i = 0; i < name.size(); ++i) {
      const char c = original[i];
      check(name[i] == (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c));
    }
    ++f;
  }
  check(f == req.end());
  const auto query = info.query();
  http::target t;
  if (http::parse_target(req.target(), t)) {
    check(query.size() == t.query.size());
    for (const auto& [k, v] : query) {
      const std::string* expected = t.param(k);
      check(expected && *expected == v);
    }
  } else {
    check(query.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::beast_http::request_parser<http::beast_http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(server_limits.max_header_bytes));
  parser.body_limit(server_limits.max_body_bytes);
  parser.eager(true);  // as beast_http::async_read, which the connection uses

  boost::beast::error_code ec;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!parser.is_done()) {
    const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec || used == 0) break;
    rest.remove_prefix(used);
  }
  if (ec == http::beast_http::error::need_more) {
    ec = {};
    parser.put_eof(ec);  // the client closed: only a message that needs no more bytes completes
  }
  if (ec || !parser.is_done()) return 0;
  check(parser.get().body().size() <= server_limits.max_body_bytes);

  const http::request req = parser.release();
  check_websocket(req);
  check_target(req);
  check_cors(req);
  check_description(req);
  return 0;
}
