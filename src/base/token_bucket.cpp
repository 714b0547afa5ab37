#include "base/token_bucket.h"

#include <charconv>
#include <cmath>

namespace switchboard {
namespace {
bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && std::isfinite(out) && out >= 0;
}
}  // namespace

bool parse_rate_limit(std::string_view text, rate_limit& out) {
  const auto colon = text.find(':');
  rate_limit r;
  if (!parse_number(text.substr(0, colon), r.per_second)) return false;
  if (colon == std::string_view::npos) {
    r.burst = std::max(1.0, r.per_second);
  } else if (!parse_number(text.substr(colon + 1), r.burst) || r.burst < 1) {
    return false;
  }
  out = r;
  return true;
}

}  // namespace switchboard
