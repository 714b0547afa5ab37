#pragma once
// The rules of `--bridge CHANNEL=EVENT` and `--relay EVENT=CHANNEL|stream:NAME` (docs/design.md#cluster), and
// what a bridge makes of a payload, pure: parsed at start-up (server/config) and on every bridged
// message, apart from the Redis connection that bridge.h and relay.h drive.
#include "base/json.h"

#include <string>
#include <string_view>

namespace switchboard::cluster {

struct bridge_rule {
  std::string channel;
  std::string event;
};

// "CHANNEL=EVENT". False with a message a user can act on.
bool parse_bridge_rule(std::string_view text, bridge_rule& out, std::string& error);

// The argument a payload becomes: the JSON value it holds, or the payload as a string when it is
// not JSON (or not valid UTF-8 JSON text, or nested deeper than a client's argument may be).
json bridge_argument(std::string_view payload);

struct relay_rule {
  std::string event;
  std::string target;  // channel or stream name
  bool stream = false;
};

// "EVENT=CHANNEL" or "EVENT=stream:NAME". False with a message a user can act on.
bool parse_relay_rule(std::string_view text, relay_rule& out, std::string& error);

}  // namespace switchboard::cluster
