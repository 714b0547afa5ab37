#include "hooks/answers.h"

#include "access/names.h"
#include "access/room_rules.h"
#include "protocol/socketio/packet.h"

#include <algorithm>

namespace switchboard::hooks {
namespace {

constexpr size_t max_room_bytes = 64;
constexpr size_t max_message_bytes = 500;
constexpr size_t max_code_bytes = 32;

bool fail(std::string& error, std::string why) {
  error = std::move(why);
  return false;
}

// The answer must be a 200 (or, where the hook allows it, a refusal); anything else is the
// hook's failure, already described.
bool answered(const answer& a, std::string& error) {
  if (a.result == outcome::ok) return true;
  if (a.result == outcome::refused) return fail(error, "the backend answered HTTP " + std::to_string(a.status));
  return fail(error, a.error);
}

// The backend's words for people: a printable string of bounded size, else `fallback`.
std::string message_of(const json& body, std::string fallback) {
  const auto m = body.find("message");
  if (m == body.end() || !m->is_string()) return fallback;
  const auto& text = m->get_ref<const std::string&>();
  if (text.empty() || text.size() > max_message_bytes || !access::printable(text)) return fallback;
  return text;
}

// A refusal code the client can switch on: 1 to 32 of a-z and '_'.
bool valid_code(const std::string& code) {
  return !code.empty() && code.size() <= max_code_bytes &&
         std::all_of(code.begin(), code.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

bool valid_room(const json& v) {
  return v.is_string() && !v.get_ref<const std::string&>().empty() &&
         v.get_ref<const std::string&>().size() <= max_room_bytes;
}

const json* member(const json& body, const char* key) {
  const auto it = body.find(key);
  return it == body.end() ? nullptr : &*it;
}

bool read_emit(const json& e, emit_action& out, std::string& error) {
  if (!e.is_object()) return fail(error, "emit must be an object {to, event, data?}");
  const json* to = member(e, "to");
  if (!to || !to->is_object() || to->size() != 1)
    return fail(error, "emit.to must be an object with one of room, user or socket");
  const auto first = to->begin();
  const std::string& kind = first.key();
  const json& target = first.value();
  const bool user = kind == "user";
  if (user ? !(target.is_string() && access::valid_user_id(target.get_ref<const std::string&>()))
           : (kind != "room" && kind != "socket") || !valid_room(target))
    return fail(error, "emit.to must be {room} or {socket} (1 to 64 bytes) or {user} (a user id)");
  const json* event = member(e, "event");
  if (!event || !event->is_string() || event->get_ref<const std::string&>().empty() ||
      protocol::socketio::is_reserved_event(event->get_ref<const std::string&>()))
    return fail(error, "emit.event must be a non-empty string that is not a reserved Socket.IO event");
  out.to_kind = kind;
  out.to = target.get<std::string>();
  out.event = event->get<std::string>();
  if (const json* data = member(e, "data")) out.data = *data;
  return true;
}

bool read_action(const json& a, rpc_action& out, std::string& error) {
  if (!a.is_object() || a.size() != 1)
    return fail(error, "each action must be an object with one key: emit, join, leave or disconnect");
  const auto first = a.begin();
  const std::string& key = first.key();
  const json& value = first.value();
  if (key == "emit") {
    emit_action e;
    if (!read_emit(value, e, error)) return false;
    out = std::move(e);
    return true;
  }
  if (key == "join" || key == "leave") {
    if (!valid_room(value)) return fail(error, key + " must name a room (1 to 64 bytes)");
    if (access::reserved_room(value.get_ref<const std::string&>()))
      return fail(error, key + ": a user's room or a socket id is not a room to " + key);
    if (key == "join") {
      out = join_action{value.get<std::string>()};
    } else {
      out = leave_action{value.get<std::string>()};
    }
    return true;
  }
  if (key == "disconnect") {
    if (value != json(true)) return fail(error, "disconnect must be true");
    out = disconnect_action{};
    return true;
  }
  return fail(error, "unknown action " + key + " (emit, join, leave or disconnect)");
}

}  // namespace

std::optional<connect_verdict> read_connect_answer(const answer& a, std::string& error) {
  connect_verdict v;
  if (a.result == outcome::refused) {
    const bool forbidden = a.status == 403;
    v.refused = verdict_refusal{forbidden ? "forbidden" : "unauthorized",
                                message_of(a.body, forbidden ? "the application does not let you in"
                                                             : "the application does not know who you are")};
    return v;
  }
  if (!answered(a, error)) return std::nullopt;
  const json* user = member(a.body, "user");
  if (!user || !user->is_string() || !access::valid_user_id(user->get_ref<const std::string&>())) {
    error = "user must be a string of 1 to 128 printable characters";
    return std::nullopt;
  }
  v.who.user = user->get<std::string>();
  v.who.name = v.who.user;
  if (const json* name = member(a.body, "name"); name && !name->is_null()) {
    const auto shown = name->is_string() ? access::display_name(name->get_ref<const std::string&>()) : std::nullopt;
    if (!shown) {
      error = "name must be a string of 1 to 32 printable characters";
      return std::nullopt;
    }
    v.who.name = *shown;
  }
  if (const json* rooms = member(a.body, "rooms"); rooms && !rooms->is_null()) {
    if (!rooms->is_array()) {
      error = "rooms must be a list of room patterns";
      return std::nullopt;
    }
    for (const auto& r : *rooms) {
      if (!r.is_string() || !access::valid_room_pattern(r.get_ref<const std::string&>())) {
        error = "rooms must be a list of room patterns (a name, or a prefix ending in *)";
        return std::nullopt;
      }
      v.who.rooms.push_back(r.get<std::string>());
    }
  }
  if (const json* data = member(a.body, "data")) v.data = *data;
  return v;
}

std::optional<join_verdict> read_join_answer(const answer& a, std::string& error) {
  if (!answered(a, error)) return std::nullopt;
  const json* allow = member(a.body, "allow");
  if (!allow || !allow->is_boolean()) {
    error = "allow must be true or false";
    return std::nullopt;
  }
  return join_verdict{allow->get<bool>(), message_of(a.body, "the application does not let you into this room")};
}

std::optional<message_verdict> read_message_answer(const answer& a, std::string& error) {
  if (!answered(a, error)) return std::nullopt;
  const json* allow = member(a.body, "allow");
  if (!allow || !allow->is_boolean()) {
    error = "allow must be true or false";
    return std::nullopt;
  }
  message_verdict v;
  if (!allow->get<bool>()) {
    const json* code = member(a.body, "error");
    std::string c = code && code->is_string() ? code->get<std::string>() : "forbidden";
    if (!valid_code(c)) c = "forbidden";
    v.refused = verdict_refusal{c, message_of(a.body, "the application refused this message")};
    return v;
  }
  if (const json* text = member(a.body, "text"); text && !text->is_null()) {
    if (!text->is_string()) {
      error = "text must be a string";
      return std::nullopt;
    }
    v.text = text->get<std::string>();
  }
  return v;
}

std::optional<rpc_verdict> read_rpc_answer(const answer& a, std::string& error) {
  if (!answered(a, error)) return std::nullopt;
  rpc_verdict v;
  if (const json* reply = member(a.body, "reply")) v.reply = *reply;
  if (const json* actions = member(a.body, "actions"); actions && !actions->is_null()) {
    if (!actions->is_array() || actions->size() > max_rpc_actions) {
      error = "actions must be a list of at most " + std::to_string(max_rpc_actions) + " actions";
      return std::nullopt;
    }
    for (const auto& item : *actions) {
      rpc_action act;
      if (!read_action(item, act, error)) return std::nullopt;
      v.actions.push_back(std::move(act));
    }
  }
  return v;
}

}  // namespace switchboard::hooks
