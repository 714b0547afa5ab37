#pragma once
// The HTTP server API of docs/design.md#http-api under /api/: publish to a room or everyone; emit
// to a room, a user or a socket, with acknowledgements; disconnect, join and leave sockets; the
// sockets, rooms, a room's history and members. Answers JSON, errors as {error, message} with the documented statuses.
// Handlers run on the request's worker; the per-address rate limit is shared by all workers.
#include "base/shared_rate_limiter.h"
#include "http/exchange.h"
#include "server/api_gate.h"
#include "server/config.h"
#include "server/idempotency.h"
#include "server/publish_request.h"
#include "socketio/server.h"
#include "storage/history.h"
#include "storage/presence.h"

#include <atomic>

namespace switchboard::server {

// Whether a Content-Type names JSON (application/json, with or without parameters).
bool is_json_content_type(std::string_view ct);

class api {
 public:
  // `auth_failures` counts refused keys per address (server/api_gate.h).
  api(socketio::server& io, storage::history_store& history, storage::presence_directory& directory, const config& c,
      const std::atomic<bool>& draining, shared_rate_limiter& auth_failures, idempotency_keys& idempotency);

  static bool matches(std::string_view raw_path) { return raw_path == "/api" || raw_path.starts_with("/api/"); }
  // Answers a request whose path `matches`.
  void handle(const http::exchange_ptr& ex, std::string_view raw_path);

 private:
  void publish(const http::exchange_ptr& ex);
  // Emits the entries whose key is not a repeat (`repeat[i]`), in order, and answers.
  void publish_fresh(const http::exchange_ptr& ex, std::vector<publish_request>& batch, bool array,
                     const std::vector<bool>& repeat);
  // The routes about sockets (server/api_sockets.cpp).
  void emit(const http::exchange_ptr& ex);
  void disconnect(const http::exchange_ptr& ex);
  void membership(const http::exchange_ptr& ex, bool join);
  void sockets(const http::exchange_ptr& ex);
  // True when the body is JSON; else answers 415.
  bool json_body(const http::exchange_ptr& ex);
  // An emit with acknowledgements asks each socket in turn: this many at most.
  static constexpr size_t max_acked_sockets = 10'000;
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
  idempotency_keys& idempotency_;
};

}  // namespace switchboard::server
