// Differential fuzzing of protocol::websocket::is_valid_utf8 against a plain RFC 3629 decoder.
// The input is also checked behind 1–15 bytes of ASCII so that the eight-byte ASCII fast path
// meets every byte at every alignment.
#include "protocol/websocket/utf8.h"
#include "fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using fuzz::check;

namespace {

// Decodes code point by code point; rejects overlongs, surrogates, > U+10FFFF and truncation.
bool reference_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07u;
    } else {
      return false;  // continuation byte or 0xF8..0xFF as a lead byte
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<uint8_t>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    static constexpr uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len]) return false;         // overlong
    if (cp > 0x10FFFF) return false;                 // beyond Unicode
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // UTF-16 surrogate
    i += len;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool expected = reference_valid_utf8(input);
  check(switchboard::protocol::websocket::is_valid_utf8(input) == expected);

  const size_t pad = size ? 1 + data[0] % 15 : 1;
  std::string padded(pad, 'a');
  padded.append(input);
  check(switchboard::protocol::websocket::is_valid_utf8(padded) == expected);
  padded.append(pad, 'z');
  check(switchboard::protocol::websocket::is_valid_utf8(padded) == expected);
  return 0;
}
