#include "access/room_rules.h"

namespace switchboard::access {
namespace {

constexpr size_t max_pattern_bytes = 64;  // as a room name

const room_rule defaults{};

}  // namespace

bool room_matches(std::string_view pattern, std::string_view room) {
  if (pattern.ends_with('*')) return room.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == room;
}

bool valid_room_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > max_pattern_bytes) return false;
  const auto star = pattern.find('*');
  return star == std::string_view::npos || star == pattern.size() - 1;
}

std::optional<join_rule> parse_join_rule(std::string_view text) {
  if (text == "anyone") return join_rule::anyone;
  if (text == "token") return join_rule::token;
  if (text == "hook") return join_rule::hook;
  if (text == "nobody") return join_rule::nobody;
  return std::nullopt;
}

std::optional<history_rule> parse_history_rule(std::string_view text) {
  if (text == "members") return history_rule::members;
  if (text == "anyone") return history_rule::anyone;
  return std::nullopt;
}

std::optional<send_rule> parse_send_rule(std::string_view text) {
  if (text == "members") return send_rule::members;
  if (text == "nobody") return send_rule::nobody;
  return std::nullopt;
}

const room_rule& room_rules::for_room(std::string_view room) const {
  for (const auto& r : rules_) {
    if (room_matches(r.match, room)) return r;
  }
  return defaults;
}

bool room_rules::granted(const std::vector<std::string>& granted, std::string_view room) {
  for (const auto& pattern : granted) {
    if (valid_room_pattern(pattern) && room_matches(pattern, room)) return true;
  }
  return false;
}

}  // namespace switchboard::access
