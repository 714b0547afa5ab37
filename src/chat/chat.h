#pragma once
// The chat application of DESIGN.md §4 on namespace "/" — first slice: identity from
// `auth.name`, `join`, `leave`, `message` and `typing`, live only (history and presence lists
// come with storage). Written against the public library API only, as any user would.
#include "socketio/server.h"

#include <atomic>

namespace switchboard::chat {

struct options {
  size_t max_text_code_points = 4000;
};

class chat_app {
 public:
  chat_app(socketio::server& io, options opts);

 private:
  void on_connection(socketio::socket& s);

  socketio::namespace_& nsp_;
  options options_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace switchboard::chat
