#pragma once
// What each hook's answer means (docs/design.md#backend-hooks), read from the backend's JSON and
// checked before anything is done with it: an answer that breaks its shape is unusable as a
// whole (the client hears `unavailable`, nothing is half-applied). Pure: the fuzz target
// fuzz_hook_answers reads backends' answers with it.
#include "access/identity.h"
#include "base/json.h"
#include "hooks/answer.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace switchboard::hooks {

// A refusal the backend chose, as the client sees it: `error` a code, `message` for people.
struct verdict_refusal {
  std::string error;
  std::string message;
};

// connect: 200 {user, name?, rooms?, data?}, or 401 / 403 {message?}.
struct connect_verdict {
  access::identity who;
  json data;  // the backend's `data` for the socket; null when it gave none
  std::optional<verdict_refusal> refused;
};
std::optional<connect_verdict> read_connect_answer(const answer& a, std::string& error);

// join: 200 {allow, message?}.
struct join_verdict {
  bool allow = false;
  std::string message;
};
std::optional<join_verdict> read_join_answer(const answer& a, std::string& error);

// message: 200 {allow:true, text?} or {allow:false, error?, message?}.
struct message_verdict {
  std::optional<std::string> text;  // a rewritten text
  std::optional<verdict_refusal> refused;
};
std::optional<message_verdict> read_message_answer(const answer& a, std::string& error);

// rpc: 200 {reply?, actions?}.
struct emit_action {
  std::string to_kind;  // room, user or socket
  std::string to;
  std::string event;
  std::optional<json> data;
};
struct join_action {
  std::string room;
};
struct leave_action {
  std::string room;
};
struct disconnect_action {};
using rpc_action = std::variant<emit_action, join_action, leave_action, disconnect_action>;
struct rpc_verdict {
  std::optional<json> reply;
  std::vector<rpc_action> actions;
};
inline constexpr size_t max_rpc_actions = 100;
std::optional<rpc_verdict> read_rpc_answer(const answer& a, std::string& error);

}  // namespace switchboard::hooks
