#pragma once
// Standard base64 (RFC 4648 §4, padded): Engine.IO's `b<base64>` binary packets on long-polling and
// the WebSocket accept key. Built on OpenSSL's block coder.
#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

std::string base64_encode(std::string_view bytes);
// nullopt when the input is not canonical padded base64.
std::optional<std::string> base64_decode(std::string_view text);
// The URL-safe alphabet without padding (RFC 4648 §5), as JSON Web Tokens and keys use it;
// nullopt for any other character, padding included.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace switchboard
