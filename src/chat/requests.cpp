#include "chat/requests.h"

#include "access/names.h"

namespace switchboard::chat {
namespace {

refusal bad_request(std::string message) { return refusal{"bad_request", std::move(message)}; }

bool valid_room(const std::string& room) { return !room.empty() && room.size() <= max_room_bytes; }

// `"room"` or `{room}`; empty when neither.
std::string room_of(const json& args) {
  if (!args.is_array() || args.empty()) return {};
  if (args[0].is_string()) return args[0].get<std::string>();
  if (args[0].is_object()) {
    const auto it = args[0].find("room");
    if (it != args[0].end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

bool first_is_object(const json& args) { return args.is_array() && !args.empty() && args[0].is_object(); }

// A positive integer field of `o`; nullopt when absent, false when present but not one.
bool positive_field(const json& o, const char* key, std::optional<uint64_t>& out) {
  const auto it = o.find(key);
  if (it == o.end() || it->is_null()) return true;
  if (!it->is_number_integer() || it->get<int64_t>() <= 0) return false;
  out = it->get<uint64_t>();
  return true;
}

}  // namespace

bool is_chat_event(std::string_view event) {
  return event == "join" || event == "leave" || event == "message" || event == "typing" || event == "history" ||
         event == "presence" || event == "error";
}

std::optional<refusal> read_join(const json& args, std::string& room) {
  room = room_of(args);
  if (!valid_room(room)) return bad_request("join needs a room name of 1 to 64 bytes: \"room\" or {room}");
  return std::nullopt;
}

std::optional<refusal> read_leave(const json& args, std::string& room) {
  room = room_of(args);
  if (!valid_room(room)) return bad_request("leave needs a room name: \"room\" or {room}");
  return std::nullopt;
}

std::optional<refusal> read_message(const json& args, message_request& out) {
  if (!first_is_object(args)) return bad_request("message needs {room, text}");
  const auto& m = args[0];
  const auto room_it = m.find("room");
  const auto text_it = m.find("text");
  if (room_it == m.end() || !room_it->is_string() || text_it == m.end() || !text_it->is_string())
    return bad_request("message needs {room, text} as strings");
  out.room = room_it->get<std::string>();
  out.text = text_it->get<std::string>();
  if (!valid_room(out.room)) return bad_request("room must be 1 to 64 bytes");
  return std::nullopt;
}

std::optional<refusal> check_message_text(const std::string& text, size_t max_code_points) {
  if (text.empty()) return bad_request("text is empty");
  if (access::code_points(text) > max_code_points)
    return refusal{"too_long", "text is over the limit of " + std::to_string(max_code_points) + " characters"};
  return std::nullopt;
}

std::optional<refusal> read_typing(const json& args, std::string& room) {
  room = room_of(args);
  if (!valid_room(room) || !first_is_object(args))
    return bad_request("typing needs {room} with a room name of 1 to 64 bytes");
  return std::nullopt;
}

std::optional<refusal> read_history(const json& args, history_request& out) {
  if (!first_is_object(args)) return bad_request("history needs {room, before?, limit?}");
  out.room = room_of(args);
  if (!valid_room(out.room)) return bad_request("history needs a room name of 1 to 64 bytes");
  if (!positive_field(args[0], "before", out.before) || !positive_field(args[0], "limit", out.limit))
    return bad_request("before and limit must be positive integers");
  return std::nullopt;
}

std::optional<refusal> read_relayed(std::string_view event, const json& args, std::string& room) {
  if (!first_is_object(args)) return bad_request(std::string(event) + " needs {room, ...}");
  room = room_of(args);
  if (!valid_room(room)) return bad_request(std::string(event) + " needs a room name of 1 to 64 bytes");
  return std::nullopt;
}

}  // namespace switchboard::chat
