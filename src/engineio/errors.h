#pragma once
// The HTTP error answers of Node's engine.io (`Server.errors`), byte for byte.
#include "http/types.h"

namespace switchboard::engineio {

enum class error_code {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

std::string_view error_message(error_code code);
// 400 (403 for `forbidden`) with `{"code":N,"message":"..."}`.
http::response error_response(const http::request& req, error_code code);

}  // namespace switchboard::engineio
