#pragma once
// The HTTP server API of docs/design.md#http-api under /api/: publish to a room or everyone, rooms, a room's
// history and members. Answers JSON, errors as {error, message} with the documented statuses.
// Handlers run on the request's worker; the per-address rate limit is shared by all workers.
#include "base/shared_rate_limiter.h"
#include "http/exchange.h"
#include "server/api_gate.h"
#include "server/config.h"
#include "socketio/server.h"
#include "storage/history.h"
#include "storage/presence.h"

#include <atomic>

namespace switchboard::server {

class api {
 public:
  // `auth_failures` counts refused keys per address (server/api_gate.h).
  api(socketio::server& io, storage::history_store& history, storage::presence_directory& directory, const config& c,
      const std::atomic<bool>& draining, shared_rate_limiter& auth_failures);

  static bool matches(std::string_view raw_path) { return raw_path == "/api" || raw_path.starts_with("/api/"); }
  // Answers a request whose path `matches`.
  void handle(const http::exchange_ptr& ex, std::string_view raw_path);

 private:
  void publish(const http::exchange_ptr& ex);
  void history(const http::exchange_ptr& ex, const std::string& room);
  void members(const http::exchange_ptr& ex, const std::string& room);
  void rooms(const http::exchange_ptr& ex);
  // Answers 404 unless the room has members or stored messages; else calls `known()`.
  void unless_unknown(const http::exchange_ptr& ex, const std::string& room, std::function<void()> known);
  bool over_rate_limit(const http::exchange_ptr& ex);
  // Answers 401 or 429 unless the caller may use the API.
  bool refused_by_gate(const http::exchange_ptr& ex);
  // A refusal as JSON {error, message}, with Retry-After and WWW-Authenticate where they belong.
  void refuse(const http::exchange_ptr& ex, const gate_refusal& r) const;
  void answer(const http::exchange_ptr& ex, http::status code, const json& body) const;
  void fail(const http::exchange_ptr& ex, http::status code, std::string_view error, std::string_view message) const;

  socketio::server& io_;
  storage::history_store& history_;
  storage::presence_directory& directory_;
  api_gate gate_;
  shared_rate_limiter rate_;  // by client address
  const std::atomic<bool>& draining_;
};

}  // namespace switchboard::server
