#include "base/json_write.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace switchboard {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// The length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one (overlong
// forms, surrogates and code points past U+10FFFF included, as RFC 3629 defines valid UTF-8).
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t lead = byte(i);
  const size_t left = s.size() - i;
  const auto cont = [&](size_t k) { return (byte(i + k) & 0xc0) == 0x80; };
  if (lead >= 0xc2 && lead <= 0xdf) return left >= 2 && cont(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    if (lead == 0xe0 && byte(i + 1) < 0xa0) return 0;   // overlong
    if (lead == 0xed && byte(i + 1) >= 0xa0) return 0;  // a surrogate
    return 3;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    if (lead == 0xf0 && byte(i + 1) < 0x90) return 0;   // overlong
    if (lead == 0xf4 && byte(i + 1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const size_t n = utf8_sequence(s, i)) {
        i += n;
        continue;
      }
    }
    out.append(s.substr(plain, i - plain));
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(hex_digits[c >> 4]);
          out.push_back(hex_digits[c & 0xf]);
        } else {
          out.append("\xef\xbf\xbd");  // U+FFFD for one byte that starts no valid sequence
        }
    }
    plain = ++i;
  }
  out.append(s.substr(plain));
  out.push_back('"');
}

template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out.append(buf, end);
}

// Writes `items` separated by commas, each with `write`.
template <class Range, class Write>
void append_joined(std::string& out, const Range& items, Write write) {
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.push_back(',');
    first = false;
    write(item);
  }
}

}  // namespace

// ECMAScript's Number::toString(x): the shortest digits that read back as x (std::to_chars gives
// them, as JavaScript engines do), placed by the decimal exponent n: plain digits up to n = 21,
// "0.000ddd" down to n = -5, exponent notation outside ("1e+21", "1.5e-7").
void append_js_number(std::string& out, double value) {
  if (std::isnan(value)) return out.append("NaN"), void();
  if (std::isinf(value)) return out.append(value < 0 ? "-Infinity" : "Infinity"), void();
  if (value == 0) return out.push_back('0');  // -0 too
  if (value < 0) {
    out.push_back('-');
    value = -value;
  }
  char buf[40];
  const auto end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific).ptr;
  // buf is "d[.ddd]e±XX".
  const std::string_view sci(buf, static_cast<size_t>(end - buf));
  const size_t e = sci.find('e');
  std::string digits(1, sci[0]);
  if (e > 1) digits.append(sci.substr(2, e - 2));
  int exponent = 0;
  const char* exp_begin = sci.data() + e + 1;
  if (*exp_begin == '+') ++exp_begin;
  std::from_chars(exp_begin, sci.data() + sci.size(), exponent);
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (k <= n && n <= 21) {
    out.append(digits).append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<size_t>(n)).append(".").append(digits, static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out.append("0.").append(static_cast<size_t>(-n), '0').append(digits);
  } else {
    out.push_back(digits[0]);
    if (k > 1) out.append(".").append(digits, 1);
    out.append(n - 1 >= 0 ? "e+" : "e-");
    append_integer(out, n - 1 >= 0 ? n - 1 : 1 - n);
  }
}

void append_json(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      out.append("null");
      return;
    case json::value_t::boolean:
      out.append(value.get<bool>() ? "true" : "false");
      return;
    case json::value_t::number_integer:
      append_integer(out, value.get<int64_t>());
      return;
    case json::value_t::number_unsigned:
      append_integer(out, value.get<uint64_t>());
      return;
    case json::value_t::number_float: {
      const double d = value.get<double>();
      if (!std::isfinite(d)) return out.append("null"), void();  // as JSON.stringify
      append_js_number(out, d);
      return;
    }
    case json::value_t::string:
      append_string(out, value.get_ref<const std::string&>());
      return;
    case json::value_t::array: {
      out.push_back('[');
      append_joined(out, value, [&out](const json& element) { append_json(out, element); });
      out.push_back(']');
      return;
    }
    case json::value_t::object: {
      out.push_back('{');
      append_joined(out, value.items(), [&out](const auto& member) {
        append_string(out, member.key());
        out.push_back(':');
        append_json(out, member.value());
      });
      out.push_back('}');
      return;
    }
    case json::value_t::binary: {
      // Not JSON at all; written as nlohmann writes it, for a value that escaped the attachment
      // placeholders (Socket.IO replaces every binary value before the text is written).
      out.append("{\"bytes\":[");
      append_joined(out, value.get_binary(),
                    [&out](uint8_t byte) { append_integer(out, static_cast<unsigned>(byte)); });
      out.append("],\"subtype\":");
      if (value.get_binary().has_subtype()) {
        append_integer(out, static_cast<unsigned>(value.get_binary().subtype()));
      } else {
        out.append("null");
      }
      out.push_back('}');
      return;
    }
  }
}

std::string to_json(const json& value) {
  std::string out;
  append_json(out, value);
  return out;
}

}  // namespace switchboard
