#pragma once
// A socket as Node's fetchSockets() describes it, on this node or on any server of a cluster:
// {id, handshake, rooms, data}, and where Switchboard knows them `node` (the server's name) and
// `transport`, which Node's servers ignore. The same JSON travels in REMOTE_FETCH answers.
#include "base/json.h"

#include <string>
#include <vector>

namespace switchboard::socketio {

class socket;

// On the socket's worker.
json describe(socket& s);

// What fetch_sockets() returns for each selected socket, wherever it is connected. To act on it,
// use its id as a room: `nsp.to(r.id).emit(...)`, `nsp.in(r.id).sockets_join(...)`.
struct remote_socket {
  std::string id;
  json handshake;  // {headers, time, address, xdomain, secure, issued, url, query, auth}
  std::vector<std::string> rooms;
  json data;
  std::string node;       // "" from a server that does not say (Node's)
  std::string transport;  // websocket or polling; "" likewise
};

// From one description; false when it lacks an id (garbage from another server).
bool parse_remote_socket(const json& j, remote_socket& out);

}  // namespace switchboard::socketio
