#pragma once
// Redis Cluster key slots (CRC16/XMODEM of the key, or of its `{hash tag}`, modulo 16384), as in
// the cluster specification; and which argument of a command is the key that routes it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::cluster {

inline constexpr uint16_t redis_slot_count = 16384;

uint16_t key_slot(std::string_view key);

// The key (or shard channel) that decides which node runs `argv`; nullopt for commands any node
// may run (PUBLISH, which the cluster bus spreads, PUBSUB NUMSUB, TIME…).
std::optional<std::string_view> routing_key(const std::vector<std::string>& argv);

}  // namespace switchboard::cluster
