#pragma once
// The character rules for the names a person sees: display names (1–32 code points after
// trimming) and user ids (1–128), neither with control or format characters (Unicode Cc, Cf,
// Zl, Zp: NUL, escapes, bidirectional overrides, zero-width joiners and spaces), which would let
// one name pass for another or rearrange the text around it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::access {

inline constexpr size_t max_name_code_points = 32;
inline constexpr size_t max_user_id_code_points = 128;

// Unicode code points of valid UTF-8 text.
size_t code_points(std::string_view utf8);
// Whether the text is valid UTF-8 free of Cc, Cf, Zl and Zp characters.
bool printable(std::string_view utf8);
// The name trimmed of surrounding spaces, or nullopt when it breaks the rules.
std::optional<std::string> display_name(std::string_view raw);
bool valid_user_id(std::string_view id);

// Room names no client may join or leave: `user:<user>`, each user's own room (the server's to
// address a user), and every name shaped as a socket id (20 characters of base64url, as Node and
// Switchboard make them), so that no client can join a live socket's own room, on this node or
// another, and hear what is sent to that socket alone.
inline constexpr std::string_view user_room_prefix = "user:";
bool reserved_room(std::string_view room);

}  // namespace switchboard::access
