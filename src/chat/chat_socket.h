#pragma once
// What the chat keeps and reads of each socket (chat/chat.h): the state beside it, who it is (its
// data), which rooms it is in, and how a refusal reaches it. Internal to the chat's files.
#include "access/names.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "base/token_bucket.h"
#include "chat/chat.h"
#include "chat/requests.h"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>

namespace switchboard::chat {

using sio_socket = socketio::socket;

// Answers through the ack when there is one, else as an `error` event (docs/design.md#acks-and-refusals).
inline void refuse(sio_socket& s, const sio_socket::ack_fn& ack, const refusal& r) {
  if (r.code == "rate_limited") metrics::add(metrics::counter::rate_limited);
  if (ack) return ack(json::array({r.to_json()}));
  s.emit("error", json::array({r.to_json()}));
}

inline void refuse(sio_socket& s, const sio_socket::ack_fn& ack, std::string code, std::string message) {
  refuse(s, ack, refusal{std::move(code), std::move(message)});
}

inline bool in_room(const sio_socket& s, const std::string& room) {
  if (room == s.id()) return s.in_own_room();
  const auto& joined = s.joined_rooms();
  return std::find(joined.begin(), joined.end(), room) != joined.end();
}

inline std::string user_of(const sio_socket& s) { return s.data().value("user", std::string{}); }

// The display name; kept in the socket's data only where it differs from the user id.
inline std::string name_of(const sio_socket& s) {
  const auto& data = s.data();
  if (const auto name = data.find("name"); name != data.end() && name->is_string()) return name->get<std::string>();
  return user_of(s);
}

// The user's own room, which every socket of the user is in (the API emits to a user through it).
inline std::string user_room(const std::string& user) { return std::string(access::user_room_prefix) + user; }

// The rooms a socket joined itself: its user room is not one of them.
inline size_t joined_by_request(const sio_socket& s) {
  const auto& joined = s.joined_rooms();
  return static_cast<size_t>(
      std::count_if(joined.begin(), joined.end(), [](const std::string& r) { return !access::reserved_room(r); }));
}

struct chat_app::socket_state {
  // What a token (or the connect hook) said of the socket, kept only where it said something.
  struct token_grant {
    std::vector<std::string> rooms;                     // the `rooms` claim (the hook's `rooms`)
    std::optional<int64_t> expires_at;                  // `exp`
    std::unique_ptr<boost::asio::steady_timer> expiry;  // armed once connected
  };

  // The rates are the options' (--rate-limit, --event-rate-limit), passed to every take().
  socket_state(const rate_limit& message_rate, const rate_limit& event_rate)
      : bucket(message_rate), events(event_rate) {}
  token_count bucket;  // `message`, `typing` and relayed events
  token_count events;  // every event
  std::unique_ptr<token_grant> token;

  // Messages waiting for the message hook, in the order they were sent: one at a time is asked
  // about, so they are stored in that order whatever order the backend answers in. Made on the
  // socket's first message (an idle socket holds none).
  struct queued_message {
    std::string room;
    std::string text;
    sio_socket::ack_fn ack;
  };
  static constexpr size_t max_queued_messages = 32;
  std::unique_ptr<std::deque<queued_message>> hook_queue;
};

}  // namespace switchboard::chat
