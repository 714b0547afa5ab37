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

size_t string_pairs::size() const { return static_cast<size_t>(std::distance(begin(), end())); }

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

handshake_info describe_request(const http::request& req) {
  handshake_info info;
  std::string name, packed;
  for (const auto& f : req) {
    name.assign(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    string_pairs::append(packed, name, f.value());
  }
  info.headers = string_pairs(packed);
  http::target t;
  if (http::parse_target(req.target(), t)) {
    packed.clear();
    for (auto& [k, v] : t.query) string_pairs::append(packed, k, v);
    info.query = string_pairs(packed);
  }
  info.url = std::string(req.target());
  return info;
}

}  // namespace switchboard::engineio
