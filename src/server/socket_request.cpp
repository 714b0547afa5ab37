#include "server/socket_request.h"

#include "access/names.h"
#include "base/json_parse.h"
#include "protocol/socketio/packet.h"

#include <initializer_list>

namespace switchboard::server {
namespace {

constexpr size_t max_room_bytes = 64;
constexpr size_t max_except_bytes = 512;  // a user: room holds a user id of up to 128 code points

bool fail(std::string& error, std::string why) {
  error = std::move(why);
  return false;
}

bool parse_object(std::string_view body, json& out, std::string& error) {
  out = parse_json_within(body, protocol::socketio::max_nesting_depth);
  if (out.is_object()) return true;
  return fail(error, "the body must be a JSON object, nested at most " +
                         std::to_string(protocol::socketio::max_nesting_depth) + " deep");
}

bool room_name(const json& v) {
  return v.is_string() && !v.get_ref<const std::string&>().empty() &&
         v.get_ref<const std::string&>().size() <= max_room_bytes;
}

// Exactly one of `kinds` among the keys of `from`, its value a room name, a user id or a socket id.
bool read_selection(const json& from, std::initializer_list<const char*> kinds, socket_selection& out,
                    std::string& error) {
  std::string names;
  size_t found = 0;
  for (const char* kind : kinds) {
    names += (names.empty() ? "" : ", ") + std::string(kind);
    const auto it = from.find(kind);
    if (it == from.end() || it->is_null()) continue;
    ++found;
    const bool user = std::string_view(kind) == "user";
    const bool ok = user ? it->is_string() && access::valid_user_id(it->get_ref<const std::string&>()) : room_name(*it);
    if (!ok)
      return fail(error, std::string(kind) + (user ? " must be a user id: 1 to 128 printable characters"
                                                   : " must be a string of 1 to 64 bytes"));
    out = {kind, it->get<std::string>()};
  }
  if (found != 1) return fail(error, "name exactly one of " + names);
  return true;
}

}  // namespace

std::string socket_selection::room() const {
  return kind == "user" ? std::string(access::user_room_prefix) + value : value;
}

bool read_emit_request(std::string_view body, emit_request& out, std::string& error) {
  json j;
  if (!parse_object(body, j, error)) return false;
  out = emit_request{};
  const auto to = j.find("to");
  if (to == j.end() || !to->is_object()) return fail(error, "to must be an object: {room}, {user} or {socket}");
  if (!read_selection(*to, {"room", "user", "socket"}, out.to, error)) return fail(error, "to: " + error);
  if (const auto except = j.find("except"); except != j.end() && !except->is_null()) {
    const json list = except->is_array() ? *except : json::array({*except});
    if (list.size() > max_except) return fail(error, "except holds at most " + std::to_string(max_except) + " rooms");
    for (const auto& e : list) {
      if (!e.is_string() || e.get_ref<const std::string&>().empty() ||
          e.get_ref<const std::string&>().size() > max_except_bytes)
        return fail(error, "except must be a room, a socket id or user:<user>, or a list of them");
      out.except.push_back(e.get<std::string>());
    }
  }
  const auto event = j.find("event");
  if (event == j.end() || !event->is_string() || event->get_ref<const std::string&>().empty())
    return fail(error, "event must be a non-empty string");
  if (protocol::socketio::is_reserved_event(event->get_ref<const std::string&>()))
    return fail(error, "event is a reserved Socket.IO event name");
  out.event = event->get<std::string>();
  if (const auto data = j.find("data"); data != j.end()) out.args.push_back(std::move(*data));
  if (const auto t = j.find("ack_timeout_ms"); t != j.end() && !t->is_null()) {
    if (!t->is_number_integer() || t->get<int64_t>() < 1 || t->get<int64_t>() > max_ack_timeout_ms)
      return fail(error, "ack_timeout_ms must be a whole number of 1 to " + std::to_string(max_ack_timeout_ms));
    out.ack_timeout = std::chrono::milliseconds(t->get<int64_t>());
  }
  return true;
}

bool read_membership_request(std::string_view body, membership_request& out, std::string& error) {
  json j;
  if (!parse_object(body, j, error)) return false;
  out = membership_request{};
  if (!read_selection(j, {"user", "socket"}, out.who, error)) return false;
  const auto room = j.find("room");
  if (room == j.end() || !room_name(*room)) return fail(error, "room must be a string of 1 to 64 bytes");
  if (access::reserved_room(room->get_ref<const std::string&>()))
    return fail(error, "room is a reserved name (a user: room or a socket id)");
  out.room = room->get<std::string>();
  return true;
}

bool read_disconnect_request(std::string_view body, socket_selection& out, std::string& error) {
  json j;
  if (!parse_object(body, j, error)) return false;
  return read_selection(j, {"user", "socket", "room"}, out, error);
}

}  // namespace switchboard::server
