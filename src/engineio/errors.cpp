#include "engineio/errors.h"

namespace switchboard::engineio {

std::string_view error_message(error_code code) {
  switch (code) {
    case error_code::unknown_transport:
      return "Transport unknown";
    case error_code::unknown_sid:
      return "Session ID unknown";
    case error_code::bad_handshake_method:
      return "Bad handshake method";
    case error_code::bad_request:
      return "Bad request";
    case error_code::forbidden:
      return "Forbidden";
    case error_code::unsupported_protocol_version:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

http::response error_response(const http::request& req, error_code code) {
  std::string body = "{\"code\":";
  body.append(std::to_string(static_cast<int>(code)))
      .append(",\"message\":\"")
      .append(error_message(code))
      .append("\"}");
  return http::make_response(req, code == error_code::forbidden ? http::status::forbidden : http::status::bad_request,
                             "application/json", std::move(body));
}

}  // namespace switchboard::engineio
