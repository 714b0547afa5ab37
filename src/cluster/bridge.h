#pragma once
// Bridge channels (DESIGN.md §7): `--bridge CHANNEL=EVENT` subscribes the plain Redis channel
// CHANNEL; every payload published there is emitted as EVENT to every client of the default
// namespace, so anything that can run `PUBLISH` reaches users. Every node subscribes the channel
// itself, so each delivers to its own clients only (a local broadcast, never re-published).
#include "cluster/redis_link.h"
#include "socketio/namespace.h"

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
// not JSON (or not valid UTF-8 JSON text).
json bridge_argument(std::string_view payload);

// Before the link starts. Payloads over `max_bytes` are dropped with a warning (clients would
// refuse them anyway: they are over the payload limit).
void attach_bridge(redis_link& link, socketio::namespace_& nsp, bridge_rule rule, size_t max_bytes);

}  // namespace switchboard::cluster
