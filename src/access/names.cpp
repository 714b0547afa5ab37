#include "access/names.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace switchboard::access {
namespace {

struct range {
  char32_t first, last;
};

// The code points of general categories Cc, Cf, Zl and Zp (Unicode 15.0), in order. A table of
// 23 ranges rather than ICU: it is all the server needs to know of Unicode here.
constexpr std::array<range, 23> refused{{
    {0x0000, 0x001F},   {0x007F, 0x009F},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},
    {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},
    {0x200B, 0x200F},   {0x2028, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},   {0xFEFF, 0xFEFF},
    {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
    {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
}};

bool is_refused(char32_t c) {
  const auto it =
      std::upper_bound(refused.begin(), refused.end(), c, [](char32_t v, const range& r) { return v < r.first; });
  return it != refused.begin() && c <= std::prev(it)->last;
}

// The next code point of `s` from `i` (advanced past it), or nullopt for invalid UTF-8.
std::optional<char32_t> next_code_point(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return std::nullopt;
  char32_t c = len == 1 ? b0 : b0 & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    c = (c << 6) | (b & 0x3F);
  }
  constexpr std::array<char32_t, 5> least{0, 0, 0x80, 0x800, 0x10000};  // no overlong forms
  if (c < least[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return std::nullopt;
  i += len;
  return c;
}

std::string_view trimmed(std::string_view s) {
  constexpr std::string_view space = " \t\r\n";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

bool within(std::string_view text, size_t most) {
  const size_t n = code_points(text);
  return n >= 1 && n <= most && printable(text);
}

}  // namespace

size_t code_points(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

bool printable(std::string_view utf8) {
  for (size_t i = 0; i < utf8.size();) {
    const auto c = next_code_point(utf8, i);
    if (!c || is_refused(*c)) return false;
  }
  return true;
}

std::optional<std::string> display_name(std::string_view raw) {
  const auto name = trimmed(raw);
  if (!within(name, max_name_code_points)) return std::nullopt;
  return std::string(name);
}

bool valid_user_id(std::string_view id) { return within(id, max_user_id_code_points); }

bool reserved_room(std::string_view room) {
  if (room.starts_with(user_room_prefix)) return true;
  constexpr size_t socket_id_length = 20;
  return room.size() == socket_id_length && std::all_of(room.begin(), room.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

}  // namespace switchboard::access
