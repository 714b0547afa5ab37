#pragma once
// One Engine.IO session (docs/engine.io-protocol/v4-current.md) on one worker, for its whole life.
//
// Owns: the active transport (a long-polling buffer with at most one pending GET, or a WebSocket
// connection), the WebSocket being probed during an upgrade, and its heartbeat deadline: a hook in
// one of its worker's two deadline lists (deadline_list.h), not a timer of its own. Invariants:
// at most one pending GET; while a probe has answered `3probe`, GETs are answered with a noop and
// packets wait for the WebSocket; after `close` nothing is delivered to the handler. The server's
// per-worker table holds the only long-lived reference; handlers run on the session's worker and
// may call `send` and `close` but must not block.
#include "base/random_id.h"
#include "engineio/deadline_list.h"
#include "engineio/handshake_info.h"
#include "engineio/options.h"
#include "engineio/outgoing.h"
#include "http/exchange.h"
#include "websocket/connection.h"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::engineio {

class server;

class session_handler {
 public:
  virtual ~session_handler() = default;
  virtual void on_message(std::string&& data, bool binary) = 0;
  // The session is over; `reason` as Node names it ("transport close", "ping timeout", …).
  virtual void on_close(std::string_view reason) = 0;
};

enum class transport_kind { polling, websocket };

class session final : public std::enable_shared_from_this<session>,
                      private websocket::connection::events,
                      private deadline_list::hook {
 public:
  // `id`: as random_id_for_worker makes it.
  session(server& srv, std::string_view id, size_t worker, transport_kind transport,
          std::shared_ptr<const handshake_info> info);
  ~session();

  std::string_view id() const { return id_.view(); }
  size_t worker() const { return worker_; }
  transport_kind transport() const { return transport_; }
  const std::shared_ptr<const handshake_info>& handshake() const { return info_; }
  bool is_open() const { return !closed_; }

  void set_handler(std::shared_ptr<session_handler> h) { handler_ = std::move(h); }
  session_handler* handler() const { return handler_.get(); }

  // Queues a packet for the client. Droppable (volatile) packets are dropped while the queue is
  // over its soft bound.
  websocket::send_result send(const outgoing_ptr& packet, bool droppable = false);
  // Ends the session from the server side.
  void close(std::string_view reason = "forced close");

  // Transport plumbing, called by the server on this session's worker.
  void start(http::exchange_ptr handshake_get);  // polling: answers with the open packet
  void start(std::shared_ptr<websocket::connection> ws, std::string response, std::string buffered);
  void on_poll_get(http::exchange_ptr ex);
  void on_poll_post(http::exchange_ptr ex);
  void on_upgrade(std::shared_ptr<websocket::connection> ws, std::string response, std::string buffered);

  // Called by the server's deadline lists when this session's heartbeat deadline passes.
  static void on_deadline(deadline_list::hook& h) { static_cast<session&>(h).on_heartbeat(); }

 private:
  struct probe_events final : websocket::connection::events {
    session* owner = nullptr;
    void on_ws_message(bool binary, std::string&& payload) override {
      owner->on_probe_message(binary, std::move(payload));
    }
    void on_ws_closed(std::string_view) override { owner->on_probe_closed(); }
  };

  std::string open_packet() const;
  void on_packet(protocol::engineio::packet&& p);
  void on_ws_message(bool binary, std::string&& payload) override;
  void on_ws_closed(std::string_view reason) override;
  void on_probe_message(bool binary, std::string&& payload);
  void on_probe_closed();
  void schedule_ping();
  void on_heartbeat();
  void schedule_poll_flush();
  void flush_poll();
  void answer_get(http::exchange_ptr& ex, std::string body);
  std::string take_poll_payload();
  void teardown(std::string_view reason);

  server& server_;
  inline_id id_;
  size_t worker_;
  transport_kind transport_;
  std::shared_ptr<const handshake_info> info_;
  std::shared_ptr<session_handler> handler_;
  bool awaiting_pong_ = false;
  bool closed_ = false;
  probe_events probe_events_;

  // What only a long-polling session needs: allocated for a session that starts on polling, freed
  // when it upgrades. A WebSocket session, most of them, holds none of it (docs/design.md#performance-model).
  struct polling_state {
    std::vector<outgoing_ptr> buffer;
    size_t buffered_bytes = 0;
    http::exchange_ptr pending_get;
    bool flush_posted = false;
    // The WebSocket being probed during an upgrade, and the bound on the upgrade.
    std::shared_ptr<websocket::connection> probe;
    std::unique_ptr<boost::asio::steady_timer> upgrade_timer;
    bool probed = false;
    // A closed polling session whose id stays known for one more GET: after a client's close
    // packet (that GET, racing the POST, gets a noop "6", for at most linger_time), or after a
    // server close with packets still queued (they go out, then "1"). Empty: forgotten at once.
    std::string linger_reply;
    std::unique_ptr<boost::asio::steady_timer> linger_timer;  // only while lingering
  };
  static constexpr std::chrono::milliseconds linger_time{100};
  std::unique_ptr<polling_state> polling_;     // null for a WebSocket session
  std::shared_ptr<websocket::connection> ws_;  // the active WebSocket
};

}  // namespace switchboard::engineio
