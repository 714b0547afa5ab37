#pragma once
// The Engine.IO server: answers every HTTP request under `options.path` — handshakes, long-polling
// GET/POST, WebSocket upgrades — with Node engine.io's statuses and error bodies, and keeps the
// sessions. Each worker has its own session table, touched only on that worker; a session id
// names its worker, so a request that arrives elsewhere is posted to the owner.
#include "base/loop_group.h"
#include "engineio/errors.h"
#include "engineio/session.h"

#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>

namespace switchboard::engineio {

class server {
 public:
  using connection_handler = std::function<void(session&)>;

  server(loop_group& loops, options opts);
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  const options& opts() const { return options_; }
  loop_group& loops() { return loops_; }

  // Called on the session's worker for every new session, before its first packet; it normally
  // installs a session_handler.
  void on_connection(connection_handler handler) { on_connection_ = std::move(handler); }

  bool matches(std::string_view path) const;
  // Entry point for a request under the path; runs on the connection's worker.
  void handle(http::exchange_ptr ex);

  // Sessions open on all workers.
  size_t session_count() const { return session_count_.load(std::memory_order_relaxed); }
  // Closes every session (on each worker) with `reason`.
  void close_all(std::string_view reason);
  // Closes about `n` open sessions, spread over the workers: one batch of a drain.
  void close_some(size_t n, std::string_view reason);

  // Used by sessions.
  void forget(const session& s);
  // The worker's heartbeat deadlines: ping interval, and ping timeout (see deadline_list.h).
  deadline_list& ping_interval_list(size_t worker) { return workers_[worker]->ping_interval; }
  deadline_list& ping_timeout_list(size_t worker) { return workers_[worker]->ping_timeout; }
  // Answers with the CORS headers of the configuration.
  void respond(http::exchange& ex, http::response res) const;

 private:
  // On worker `w`: closes up to `quota` of its open sessions.
  void close_on_worker(size_t w, size_t quota, std::string_view reason);

  struct worker_state {
    worker_state(boost::asio::io_context& ctx, const options& o)
        : ping_interval(ctx, o.ping_interval, session::on_deadline),
          ping_timeout(ctx, o.ping_timeout, session::on_deadline) {}
    // Declared before the sessions, so destroyed after them: a session unlinks its hook as it goes.
    deadline_list ping_interval;
    deadline_list ping_timeout;
    // Keyed by a view of the session's own id: no second copy of every id.
    std::unordered_map<std::string_view, std::shared_ptr<session>> sessions;
  };

  void handle_on_owner(http::exchange_ptr ex, std::string sid);
  void handle_upgrade_on_owner(std::string sid, http::tcp protocol, int fd, std::string buffered, http::request req);
  void handshake(http::exchange_ptr ex, bool upgrade);
  std::shared_ptr<const handshake_info> describe(const http::exchange& ex) const;
  void fail(http::exchange& ex, error_code code, bool upgrade) const;
  void register_session(const std::shared_ptr<session>& s);

  loop_group& loops_;
  options options_;
  connection_handler on_connection_;
  std::vector<std::unique_ptr<worker_state>> workers_;  // not movable: the lists' timers hold them
  std::atomic<size_t> session_count_{0};
};

// Writes a raw response on a socket and closes it (refused upgrades).
void write_and_close(http::tcp_socket socket, std::string response);

}  // namespace switchboard::engineio
