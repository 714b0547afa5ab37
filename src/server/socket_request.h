#pragma once
// The bodies of the API's requests about sockets (docs/design.md#http-api), pure: which sockets
// (`{room}`, `{user}` or `{socket}`, each a room the sockets are in: a user's sockets are in
// `user:<user>`, a socket in its own id), and what to do with them. Read before anything is done,
// and fuzzed.
#include "base/json.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::server {

struct socket_selection {
  std::string kind;  // room, user or socket
  std::string value;
  // The room whose sockets these are.
  std::string room() const;
};

// POST /api/emit {to, except?, event, data?, ack_timeout_ms?}
struct emit_request {
  socket_selection to;
  std::vector<std::string> except;  // rooms; a socket id or user:<user> excepts one socket or user
  std::string event;
  json args = json::array();
  std::optional<std::chrono::milliseconds> ack_timeout;
};
inline constexpr size_t max_except = 100;
inline constexpr int64_t max_ack_timeout_ms = 60'000;
bool read_emit_request(std::string_view body, emit_request& out, std::string& error);

// POST /api/join and /api/leave {user | socket, room}
struct membership_request {
  socket_selection who;
  std::string room;
};
bool read_membership_request(std::string_view body, membership_request& out, std::string& error);

// POST /api/disconnect {user | socket | room}
bool read_disconnect_request(std::string_view body, socket_selection& out, std::string& error);

}  // namespace switchboard::server
