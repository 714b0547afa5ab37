#include "engineio/handshake_info.h"

#include "http/url.h"

#include <cctype>
#include <cstring>

namespace switchboard::engineio {

void string_pairs::append(std::string& packed, std::string_view name, std::string_view value) {
  for (const std::string_view s : {name, value}) {
    // The length as a base-128 varint, then the bytes.
    for (size_t n = s.size();; n >>= 7) {
      packed.push_back(static_cast<char>((n & 0x7f) | (n > 0x7f ? 0x80 : 0)));
      if (n <= 0x7f) break;
    }
    packed.append(s);
  }
}

string_pairs::string_pairs(std::string_view packed) {
  if (packed.empty()) return;
  const auto n = static_cast<uint32_t>(packed.size());
  block_ = std::make_unique_for_overwrite<char[]>(sizeof n + n);
  std::memcpy(block_.get(), &n, sizeof n);
  std::memcpy(block_.get() + sizeof n, packed.data(), n);
}

std::string_view string_pairs::packed() const {
  if (!block_) return {};
  uint32_t n;
  std::memcpy(&n, block_.get(), sizeof n);
  return {block_.get() + sizeof n, n};
}

void string_pairs::const_iterator::read() {
  if (p_ == end_) {
    at_ = nullptr;
    return;
  }
  at_ = p_;
  std::string_view parts[2];
  for (auto& part : parts) {
    size_t n = 0;
    for (int shift = 0;; shift += 7) {
      const auto byte = static_cast<unsigned char>(*p_++);
      n |= static_cast<size_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    part = std::string_view(p_, n);
    p_ += n;
  }
  current_ = {parts[0], parts[1]};
}

handshake_info::handshake_info(const http::request& req, std::string_view address, int64_t issued_ms, bool secure)
    : secure_(secure), issued_ms_(issued_ms) {
  std::string packed, name;
  string_pairs::append(packed, "url", req.target());
  string_pairs::append(packed, "address", address);
  headers_at_ = static_cast<uint32_t>(packed.size());
  for (const auto& f : req) {
    name.assign(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    string_pairs::append(packed, name, f.value());
  }
  packed_ = string_pairs(packed);
}

std::string_view handshake_info::url() const { return (*packed_.begin()).second; }

std::string_view handshake_info::address() const { return (*std::next(packed_.begin())).second; }

handshake_info::pairs handshake_info::query() const {
  http::target t;
  if (!http::parse_target(url(), t)) return {};
  return {t.query.begin(), t.query.end()};
}

}  // namespace switchboard::engineio
