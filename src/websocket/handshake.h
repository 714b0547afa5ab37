#pragma once
// The server side of the RFC 6455 §4.2 opening handshake.
#include "http/types.h"

#include <string>
#include <string_view>

namespace switchboard::websocket {

// Whether the request asks for a WebSocket upgrade (GET, `Upgrade: websocket`, `Connection: upgrade`).
bool is_upgrade_request(const http::request& req);

// Empty when the request is a valid version-13 handshake; otherwise why not.
std::string_view validate_handshake(const http::request& req);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
std::string accept_key(std::string_view client_key);

// The full `101 Switching Protocols` response, ready to write.
std::string switching_protocols_response(std::string_view client_key);

// A raw `400 Bad Request` that ends an upgrade attempt, as Node's engine.io writes it.
std::string bad_request_response(std::string_view message);

}  // namespace switchboard::websocket
