#pragma once
// What a client's chat event asks for (docs/design.md#chat-events), read from its arguments, pure: the room,
// text or page it names, or the refusal it gets when they are malformed. What depends on the
// socket (its rooms, its rate limit) and on storage is chat_app's; these run first, on every
// event a client sends, and are fuzzed.
#include "base/json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::chat {

// The events of the contract; a relay cannot take one of them.
bool is_chat_event(std::string_view event);

// Rooms are 1 to 64 bytes.
inline constexpr size_t max_room_bytes = 64;

struct refusal {
  std::string code;  // bad_request, too_long
  std::string message;

  json to_json() const { return json{{"ok", false}, {"error", code}, {"message", message}}; }
};

// Each reader takes the event's arguments (a JSON array) and returns nullopt when they are
// well formed (filling `out`), else the refusal.

// join: `"room"` or `{room}`.
std::optional<refusal> read_join(const json& args, std::string& room);
// leave: `"room"` or `{room}`.
std::optional<refusal> read_leave(const json& args, std::string& room);

struct message_request {
  std::string room;
  std::string text;
};
// message: `{room, text}` as strings. The text is checked by check_message_text, after the
// membership check (a non-member hears `not_in_room` first).
std::optional<refusal> read_message(const json& args, message_request& out);
// Not empty, at most `max_code_points` Unicode code points.
std::optional<refusal> check_message_text(const std::string& text, size_t max_code_points);

// typing: `{room}`.
std::optional<refusal> read_typing(const json& args, std::string& room);

struct history_request {
  std::string room;
  std::optional<uint64_t> before;  // message id
  std::optional<uint64_t> limit;
};
// history: `{room, before?, limit?}`, before and limit positive integers.
std::optional<refusal> read_history(const json& args, history_request& out);

// A relayed EVENT (options::relays): `{room, ...}`; the whole object is the job's data.
std::optional<refusal> read_relayed(std::string_view event, const json& args, std::string& room);

}  // namespace switchboard::chat
