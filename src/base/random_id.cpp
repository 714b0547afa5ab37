#include "base/random_id.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace switchboard {
namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string random_id() {
  std::array<unsigned char, 15> raw{};
  if (RAND_bytes(raw.data(), raw.size()) != 1) std::abort();  // no entropy: ids would be guessable
  std::string out;
  out.reserve(random_id_length);
  for (size_t i = 0; i < raw.size(); i += 3) {
    const uint32_t v = (uint32_t{raw[i]} << 16) | (uint32_t{raw[i + 1]} << 8) | raw[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  return out;
}

std::string random_id_for_worker(size_t worker) {
  std::string id = random_id();
  id[0] = alphabet[worker % max_id_workers];
  return id;
}

inline_id::inline_id(std::string_view id) {
  if (id.size() != random_id_length)
    throw std::invalid_argument("an inline id has " + std::to_string(random_id_length) + " characters, not " +
                                std::to_string(id.size()));
  std::memcpy(chars_, id.data(), random_id_length);
}

std::optional<size_t> worker_of_id(std::string_view id) {
  if (id.size() != random_id_length) return std::nullopt;
  const auto pos = alphabet.find(id[0]);
  if (pos == std::string_view::npos) return std::nullopt;
  return pos;
}

}  // namespace switchboard
