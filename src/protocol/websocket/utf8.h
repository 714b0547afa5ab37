#pragma once
// Strict UTF-8 validation as RFC 6455 §8.1 requires for text messages (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF). Hand-written: a 40-line DFA beats pulling in ICU.
#include <string_view>

namespace switchboard::protocol::websocket {

bool is_valid_utf8(std::string_view text);

}  // namespace switchboard::protocol::websocket
