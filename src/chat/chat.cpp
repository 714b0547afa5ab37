#include "chat/chat.h"

#include <chrono>

namespace switchboard::chat {
namespace {

using sio_socket = socketio::socket;

json refusal(std::string_view code, std::string_view message) {
  return json{{"ok", false}, {"error", code}, {"message", message}};
}

// Answers through the ack when there is one, else as an `error` event (DESIGN.md §4).
void refuse(sio_socket& s, const sio_socket::ack_fn& ack, std::string_view code, std::string_view message) {
  if (ack) return ack(json::array({refusal(code, message)}));
  s.emit("error", refusal(code, message));
}

size_t code_points(const std::string& utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

// `"room"` or `{room}`; empty when neither.
std::string room_of(const json& args) {
  if (args.empty()) return {};
  if (args[0].is_string()) return args[0].get<std::string>();
  if (args[0].is_object() && args[0].contains("room") && args[0]["room"].is_string())
    return args[0]["room"].get<std::string>();
  return {};
}

bool in_room(const sio_socket& s, const std::string& room) {
  for (const auto& r : s.rooms()) {
    if (r == room) return true;
  }
  return false;
}

std::string user_of(sio_socket& s) { return s.data().value("user", std::string{}); }

}  // namespace

chat_app::chat_app(socketio::server& io, options opts) : nsp_(io.of("/")), options_(opts) {
  nsp_.use([](sio_socket& s, socketio::namespace_::next_fn next) {
    const auto& auth = s.handshake_data().auth;
    std::string name =
        auth.is_object() && auth.contains("name") && auth["name"].is_string() ? auth["name"].get<std::string>() : "";
    const auto first = name.find_first_not_of(" \t\r\n");
    const auto last = name.find_last_not_of(" \t\r\n");
    name = first == std::string::npos ? "" : name.substr(first, last - first + 1);
    if (name.empty() || code_points(name) > 32) {
      return next(socketio::connect_error{
          "unauthorized", json{{"error", "unauthorized"}, {"message", "auth.name must be 1 to 32 characters"}}});
    }
    s.data()["user"] = name;
    next(std::nullopt);
  });
  nsp_.on_connection([this](sio_socket& s) { on_connection(s); });
}

void chat_app::on_connection(sio_socket& s) {
  s.on("join", [this](sio_socket& self, json args, sio_socket::ack_fn ack) {
    const auto room = room_of(args);
    if (room.empty() || room.size() > 64 || room == self.id())
      return refuse(self, ack, "bad_request", "join needs a room name (1 to 64 bytes)");
    const bool was_in = in_room(self, room);
    self.join(room);
    if (!was_in) nsp_.to(room).emit("presence", json{{"room", room}, {"user", user_of(self)}, {"action", "join"}});
    if (ack)
      ack(json::array({json{{"ok", true}, {"room", room}, {"history", json::array()}, {"members", json::array()}}}));
  });
  s.on("leave", [this](sio_socket& self, json args, sio_socket::ack_fn ack) {
    const auto room = room_of(args);
    if (room.empty() || !in_room(self, room)) return refuse(self, ack, "not_in_room", "you are not in that room");
    self.leave(room);
    nsp_.to(room).emit("presence", json{{"room", room}, {"user", user_of(self)}, {"action", "leave"}});
    if (ack) ack(json::array({json{{"ok", true}}}));
  });
  s.on("message", [this](sio_socket& self, json args, sio_socket::ack_fn ack) {
    if (args.empty() || !args[0].is_object()) return refuse(self, ack, "bad_request", "message needs {room, text}");
    const auto& m = args[0];
    if (!m.contains("room") || !m["room"].is_string() || !m.contains("text") || !m["text"].is_string()) {
      return refuse(self, ack, "bad_request", "message needs {room, text} as strings");
    }
    const auto room = m["room"].get<std::string>();
    const auto text = m["text"].get<std::string>();
    if (!in_room(self, room)) return refuse(self, ack, "not_in_room", "join the room before sending to it");
    if (text.empty()) return refuse(self, ack, "bad_request", "text is empty");
    if (code_points(text) > options_.max_text_code_points)
      return refuse(self, ack, "too_long", "text is over the length limit");
    const auto id = next_id_.fetch_add(1);
    const auto ts =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    nsp_.to(room).emit("message",
                       json{{"id", id}, {"room", room}, {"user", user_of(self)}, {"text", text}, {"ts", ts}});
    if (ack) ack(json::array({json{{"ok", true}, {"id", id}}}));
  });
  s.on("typing", [](sio_socket& self, json args, sio_socket::ack_fn) {
    const auto room = room_of(args);
    if (room.empty() || !in_room(self, room)) return;
    self.to(room).volatile_().emit("typing", json{{"room", room}, {"user", user_of(self)}});
  });
  s.on_disconnect([this](sio_socket& self, std::string_view) {
    for (const auto& room : self.rooms()) {
      if (room != self.id())
        nsp_.to(room).emit("presence", json{{"room", room}, {"user", user_of(self)}, {"action", "leave"}});
    }
  });
}

}  // namespace switchboard::chat
