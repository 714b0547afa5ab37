#pragma once
// Chat history (docs/design.md#chat-events): messages per room with ids that increase per room. Calls never
// block the caller; each completion runs on the io_context the caller names (its own worker), so
// the caller touches its sockets from their own thread. A message is reported stored only once it
// is committed.
#include "base/json.h"

#include <boost/asio/io_context.hpp>

#include <algorithm>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::storage {

struct message {
  uint64_t id = 0;
  std::string room;
  std::string user;
  std::string text;
  int64_t ts = 0;    // ms since the Unix epoch
  std::string name;  // the display name; empty where it is the user id (open mode, most tokens)
};

// The display name of the message's sender.
inline const std::string& display_name(const message& m) { return m.name.empty() ? m.user : m.name; }

// The message as clients and the API see it: {id, room, user, name, text, ts}.
inline json to_json(const message& m) {
  return json{{"id", m.id},     {"room", m.room}, {"user", m.user}, {"name", display_name(m)},
              {"text", m.text}, {"ts", m.ts}};
}

struct history_query {
  static constexpr size_t default_limit = 50;
  static constexpr size_t max_limit = 200;

  std::string room;
  std::optional<uint64_t> before;  // only ids below this one
  size_t limit = default_limit;

  // A page as docs/design.md#chat-events asks for one: `limit` defaults to 50 and is capped at 200.
  static history_query page(std::string room, std::optional<uint64_t> before, std::optional<uint64_t> limit) {
    return {std::move(room), before, static_cast<size_t>(std::min<uint64_t>(limit.value_or(default_limit), max_limit))};
  }
};

class history_store {
 public:
  // `stored` is empty when storage failed; `error` then says why.
  using append_done = std::function<void(std::optional<message> stored, std::string error)>;
  // Newest first. `ok` is false when storage failed.
  using read_done = std::function<void(bool ok, std::vector<message> messages)>;

  virtual ~history_store() = default;
  // Assigns the id (the room's next) and commits `m`; `m.id` is ignored.
  virtual void append(message m, boost::asio::io_context& reply_on, append_done done) = 0;
  virtual void read(history_query q, boost::asio::io_context& reply_on, read_done done) = 0;
  // Finishes every request already made (commits pending appends) and stops taking new ones.
  virtual void close() = 0;
};

}  // namespace switchboard::storage
