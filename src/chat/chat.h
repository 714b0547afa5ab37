#pragma once
// The chat application of docs/design.md on namespace "/": identity from `auth` (a name, or a JWT;
// checked again on every CONNECT, a recovered one included), `join`, `leave`, `message`,
// `typing` and `history`, presence. Written against the public
// library API only, as any user would. Lives on every worker: a handler runs on its socket's
// worker; storage answers are posted back to that worker; presence is shared (and locked).
#include "access/identity.h"
#include "access/jwt_keyring.h"
#include "access/room_rules.h"
#include "base/shared_rate_limiter.h"
#include "base/token_bucket.h"
#include "chat/requests.h"
#include "hooks/answers.h"
#include "hooks/backend.h"
#include "socketio/server.h"
#include "storage/history.h"
#include "storage/presence.h"

#include <functional>
#include <map>
#include <string_view>

namespace switchboard::chat {

// Hands a job to workers (a Redis relay in a cluster); `done` runs on any thread with an empty
// error once the job was taken, else why not.
using relay_fn = std::function<void(const json& job, std::function<void(const std::string& error)> done)>;

struct options {
  size_t max_text_code_points = 4000;
  rate_limit rate{20, 40};            // `message`, `typing` and relayed events per socket
  rate_limit event_rate{50, 100};     // client events of any kind per socket
  size_t max_rooms_per_socket = 100;  // 0: no limit
  // Null: open mode, the identity is `auth.name`. Otherwise `auth.token` under this policy; a
  // socket is disconnected (transport close) once its token's `exp` and the leeway have passed.
  std::shared_ptr<const access::jwt_keyring> jwt;
  access::room_rules rooms;  // who may join, read and send where
  // Refused tokens per client address (--auth-failure-limit), shared with the API; null: no limit.
  shared_rate_limiter* auth_failures = nullptr;
  // Relayed client events: EVENT {room, ...} from a member of room becomes the job
  // {id, event, user, room, data, ts}, acknowledged {ok, id} once a worker queue took it.
  std::map<std::string, relay_fn> relays;
  // The application's backend hooks (docs/design.md#backend-hooks); null: none.
  const hooks::backend* backend = nullptr;
  std::string node_id;  // named in hook requests
};

class chat_app {
 public:
  // `presence` is this node's (presence events are decided here); `directory` answers `members`,
  // for the whole cluster when there is one.
  chat_app(socketio::server& io, storage::history_store& history, storage::presence& presence,
           storage::presence_directory& directory, options opts);

 private:
  struct socket_state;
  using sio_socket = socketio::socket;
  using ack_fn = sio_socket::ack_fn;

  // The connect middleware: who the socket is, or its refusal. `fetched_keys`: the key set was
  // just fetched again for this socket's unknown kid.
  void identify(sio_socket& s, socketio::namespace_::next_fn next, bool fetched_keys);
  // Who the socket is, asked of the backend (--auth-hook).
  void identify_by_hook(sio_socket& s, socketio::namespace_::next_fn next);
  // Sets the socket's identity (and the backend's data for it) once it is known.
  void admit_identity(sio_socket& s, access::identity who, json app_data, const socketio::namespace_::next_fn& next);
  void on_connection(sio_socket& s);
  void close_when_token_expires(sio_socket& s, socket_state& st, int64_t expires_at);
  void on_join(sio_socket& s, socket_state& st, const json& args, ack_fn ack);
  // Why the room's rule keeps this socket out, or nullopt.
  std::optional<refusal> join_refusal(const socket_state& st, const access::room_rule& rule,
                                      const std::string& room) const;
  // The join hook's answer for a `join = "hook"` room, then admit_join.
  void ask_join_hook(sio_socket& s, const std::string& room, ack_fn ack);
  // A join the room's rule allows, still bound by the room and member limits.
  void admit_join(sio_socket& s, const std::string& room, ack_fn ack);
  void enter(sio_socket& s, const std::string& room, ack_fn ack);
  // The join ack: the room's last messages and, where presence is on, who is there.
  void answer_join(const std::string& room, ack_fn ack);
  void on_leave(sio_socket& s, const json& args, const ack_fn& ack);
  void on_message(sio_socket& s, socket_state& st, const json& args, ack_fn ack);
  // The message hook's answer (allowed, refused, rewritten), then store_message; one message of a
  // socket at a time, in the order sent.
  void ask_message_hook(sio_socket& s, socket_state& st, std::string room, std::string text, ack_fn ack);
  void ask_next_message(sio_socket& s, socket_state& st);
  void answer_message_hook(sio_socket& s, const hooks::answer& a, std::string room, std::string text, ack_fn ack);
  void store_message(sio_socket& s, std::string room, std::string text, ack_fn ack);
  void on_rpc(sio_socket& s, socket_state& st, const std::string& event, hooks::hook& hook, json args, ack_fn ack);
  // An RPC answer's actions for this socket, all of them checked already.
  void apply_rpc_actions(sio_socket& s, const std::vector<hooks::rpc_action>& actions);
  hooks::hook* connect_hook() const { return options_.backend ? options_.backend->connect() : nullptr; }
  hooks::hook* message_hook() const { return options_.backend ? options_.backend->message() : nullptr; }
  hooks::webhooks* webhooks() const { return options_.backend ? options_.backend->webhooks() : nullptr; }
  // The request fields every hook about a socket carries: user, name, socket, and the backend's data.
  json hook_body(const sio_socket& s) const;
  void on_typing(sio_socket& s, socket_state& st, const json& args, const ack_fn& ack);
  void on_history(sio_socket& s, const json& args, ack_fn ack);
  void on_relayed(sio_socket& s, socket_state& st, const std::string& event, const relay_fn& relay, const json& args,
                  ack_fn ack);
  void on_disconnect(sio_socket& s);
  // The user's first socket entered (or last left) the room on this node: a presence event,
  // once per cluster.
  // `room_changed_here`: the room was empty on this node before (or is now).
  void presence_changed(const std::string& room, const std::string& user, const std::string& name, bool present,
                        bool room_changed_here);
  void on_room_change(sio_socket& s, const std::string& room, bool joined);
  boost::asio::io_context& this_worker();

  socketio::server& io_;
  socketio::namespace_& nsp_;
  storage::history_store& history_;
  storage::presence& presence_;
  storage::presence_directory& directory_;
  options options_;
};

}  // namespace switchboard::chat
