#pragma once
// Who may do what in a room: the `[[rooms]]` rules of the config file, first match wins, and the
// defaults for a room no rule matches (anyone joins; only members read history and send;
// presence on; no member limit). Immutable once read; shared by every worker. Pure.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::access {

enum class join_rule { anyone, token, hook, nobody };
enum class history_rule { members, anyone };
enum class send_rule { members, nobody };

struct room_rule {
  std::string match;  // an exact name, or a prefix ending in '*'
  join_rule join = join_rule::anyone;
  history_rule history = history_rule::members;
  send_rule send = send_rule::members;
  bool presence = true;
  size_t max_members = 0;  // distinct users; 0: no limit
};

// Whether `room` matches `pattern`: equal, or starting with the pattern's text before a final '*'.
bool room_matches(std::string_view pattern, std::string_view room);
// A pattern is 1 to 64 bytes, with '*' only at its end.
bool valid_room_pattern(std::string_view pattern);

// Parsers of the rules' values, for the config file: nullopt for anything else.
std::optional<join_rule> parse_join_rule(std::string_view text);
std::optional<history_rule> parse_history_rule(std::string_view text);
std::optional<send_rule> parse_send_rule(std::string_view text);

class room_rules {
 public:
  room_rules() = default;
  explicit room_rules(std::vector<room_rule> rules) : rules_(std::move(rules)) {}

  // The first rule that matches, else the defaults.
  const room_rule& for_room(std::string_view room) const;
  bool empty() const { return rules_.empty(); }
  const std::vector<room_rule>& rules() const { return rules_; }

  // Whether a user whose token grants `granted` patterns may join under a `token` rule.
  static bool granted(const std::vector<std::string>& granted, std::string_view room);

 private:
  std::vector<room_rule> rules_;
};

}  // namespace switchboard::access
