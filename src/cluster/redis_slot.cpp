#include "cluster/redis_slot.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace switchboard::cluster {
namespace {

// CRC16/XMODEM (polynomial 0x1021), the checksum Redis Cluster uses. Small enough to write here:
// hiredis has no cluster support and the table is the whole algorithm.
constexpr std::array<uint16_t, 256> crc16_table = [] {
  std::array<uint16_t, 256> t{};
  for (uint16_t i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int b = 0; b < 8; ++b) crc = static_cast<uint16_t>(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
    t[i] = crc;
  }
  return t;
}();

uint16_t crc16(std::string_view s) {
  uint16_t crc = 0;
  for (unsigned char c : s) crc = static_cast<uint16_t>((crc << 8) ^ crc16_table[((crc >> 8) ^ c) & 0xff]);
  return crc;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

uint16_t key_slot(std::string_view key) {
  // Only the part inside the first {...} counts, when it is not empty.
  if (const auto open = key.find('{'); open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) key = key.substr(open + 1, close - open - 1);
  }
  return crc16(key) % redis_slot_count;
}

std::optional<std::string_view> routing_key(const std::vector<std::string>& argv) {
  if (argv.size() < 2) return std::nullopt;
  const std::string_view cmd = argv[0];
  if (iequals(cmd, "EVAL") || iequals(cmd, "EVALSHA")) {
    int keys = 0;
    std::from_chars(argv[2].data(), argv[2].data() + argv[2].size(), keys);
    if (keys > 0 && argv.size() > 3) return argv[3];
    return std::nullopt;
  }
  if (iequals(cmd, "PUBSUB")) {
    if (argv.size() > 2 && iequals(argv[1], "SHARDNUMSUB")) return argv[2];  // counted on the owner only
    return std::nullopt;
  }
  if (iequals(cmd, "PUBLISH") || iequals(cmd, "PING") || iequals(cmd, "TIME") || iequals(cmd, "INFO") ||
      iequals(cmd, "CLUSTER") || iequals(cmd, "AUTH") || iequals(cmd, "SELECT") || iequals(cmd, "CLIENT"))
    return std::nullopt;
  return argv[1];  // SPUBLISH channel, HSET key, ZADD key, XADD key…
}

}  // namespace switchboard::cluster
