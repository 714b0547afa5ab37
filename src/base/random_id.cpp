#include "base/random_id.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace switchboard {
namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// OpenSSL's RAND_bytes checks for a fork on every call, a getpid system call: two per connection
// (its session's id and its socket's), on a path where every system call counts. Ids take their
// bytes from a per-thread block drawn from it 4 KiB at a time instead; bytes handed out are wiped
// from the block, and a forked child starts with an empty one, so that parent and child never
// hand out the same bytes.
struct random_block {
  std::array<unsigned char, 4096> bytes{};
  size_t used = bytes.size();
};
thread_local random_block block;

void forget_block_after_fork() { block.used = block.bytes.size(); }
const int fork_handler_registered = pthread_atfork(nullptr, nullptr, forget_block_after_fork);

void take_random(unsigned char* out, size_t n) {
  if (block.bytes.size() - block.used < n) {
    // No entropy: ids would be guessable.
    if (RAND_bytes(block.bytes.data(), static_cast<int>(block.bytes.size())) != 1) std::abort();
    block.used = 0;
  }
  std::memcpy(out, block.bytes.data() + block.used, n);
  OPENSSL_cleanse(block.bytes.data() + block.used, n);
  block.used += n;
}

}  // namespace

std::string random_id() {
  (void)fork_handler_registered;
  std::array<unsigned char, 15> raw{};
  take_random(raw.data(), raw.size());
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
