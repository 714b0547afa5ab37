#include "websocket/handshake.h"

#include "base/base64.h"

#include <openssl/sha.h>
#include <boost/algorithm/string/predicate.hpp>

namespace switchboard::websocket {
namespace {

bool header_has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view part = value.substr(0, comma);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    if (boost::algorithm::iequals(part, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool is_upgrade_request(const http::request& req) {
  return req.method() == http::beast_http::verb::get && header_has_token(req[http::field::upgrade], "websocket") &&
         header_has_token(req[http::field::connection], "upgrade");
}

std::string_view validate_handshake(const http::request& req) {
  if (req.version() < 11) return "WebSocket needs HTTP/1.1";
  if (req[http::field::sec_websocket_version] != "13") return "unsupported WebSocket version";
  const auto key = base64_decode(req[http::field::sec_websocket_key]);
  if (!key || key->size() != 16) return "invalid Sec-WebSocket-Key";
  return {};
}

std::string accept_key(std::string_view client_key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(client_key);
  input.append(guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string switching_protocols_response(std::string_view client_key) {
  std::string r =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  r.append(accept_key(client_key)).append("\r\n\r\n");
  return r;
}

std::string bad_request_response(std::string_view message) {
  std::string r = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-type: text/html\r\nContent-Length: ";
  r.append(std::to_string(message.size())).append("\r\n\r\n").append(message);
  return r;
}

}  // namespace switchboard::websocket
