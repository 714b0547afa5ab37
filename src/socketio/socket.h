#pragma once
// A Socket.IO socket: one client's connection to one namespace, on the worker of its Engine.IO
// session. Holds its event handlers, the acknowledgements it waits for (each with a timer) and
// `data` for the application. Rooms live in the namespace's adapter (the socket is a
// fanout::member). After disconnect it sends nothing and its handlers are not called again.
#include "base/compact_string.h"
#include "base/packed_json.h"
#include "engineio/session.h"
#include "fanout/adapter.h"
#include "socketio/broadcast.h"
#include "socketio/namespace.h"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace switchboard::socketio {

class client;

class handshake {
 public:
  handshake(std::shared_ptr<const engineio::handshake_info> i, json auth)
      : info(std::move(i)), auth_(auth.is_object() && auth.empty() ? json() : auth) {}

  std::shared_ptr<const engineio::handshake_info> info;  // headers, query, address, url, time
  // The CONNECT payload (Node's socket.handshake.auth); {} when the client sent none. Unpacked
  // on each call: read it once.
  json auth() const { return auth_.is_null() ? json::object() : auth_.value(); }

 private:
  packed_json auth_;  // null for none or {}: most clients send none
};

class socket final : public fanout::member, public std::enable_shared_from_this<socket> {
 public:
  // Answers a client's acknowledgement request; empty when the client asked for none. The same
  // handler types as the namespace's shared ones.
  using ack_fn = namespace_::ack_fn;
  using event_handler = namespace_::socket_event_handler;
  using disconnect_handler = namespace_::socket_disconnect_handler;
  // `timed_out` is true when no acknowledgement came in time (or the socket disconnected).
  using ack_result_fn = std::function<void(bool timed_out, json args)>;

  socket(namespace_& nsp, client& c, std::string_view id, handshake hs);
  ~socket();

  std::string_view id() const { return id_.view(); }
  std::string_view own_room() const override { return id_.view(); }
  // Node's socket.rooms: its own room (its id) first while connected, then the rooms it joined.
  std::vector<std::string> rooms() const;
  namespace_& nsp() const { return *nsp_; }
  const handshake& handshake_data() const { return handshake_; }
  // Its connection's transport now: "websocket" or "polling" ("" once closed).
  std::string_view transport() const;
  // The name of the server it is connected to (options::node_name).
  const std::string& node_name() const;
  // Node's socket.data, for the application: null until set. Kept packed (it lives as long as
  // the socket and is read rarely): data() unpacks a copy, set_data replaces it.
  json data() const { return data_.value(); }
  void set_data(const json& data) { data_ = packed_json(data); }
  bool connected() const { return connected_; }
  // With connection state recovery: the private id the client presents to recover (empty when
  // off), and whether this socket is one recovered with its id, rooms, data and missed packets.
  std::string_view pid() const { return pid_.view(); }
  void set_pid(std::string_view pid) { pid_ = pid; }
  bool recovered() const { return holding_ != nullptr || recovered_; }

  // This socket's own handlers; handlers every socket shares belong on the namespace
  // (namespace_::on_socket_event), which costs no memory per socket.
  void on(std::string event, event_handler h);
  void on_disconnect(disconnect_handler h);
  // The application's state for this socket, for the namespace's shared handlers; null until set.
  void set_context(std::shared_ptr<void> c) { context_ = std::move(c); }
  template <class T>
  T* context() const {
    return static_cast<T*>(context_.get());
  }

  // Emits to this client; `args` is the array of arguments after the event name.
  void emit(std::string_view event, json args = json::array());
  void emit_with_ack(std::string_view event, json args, std::chrono::milliseconds timeout, ack_result_fn cb);

  void join(const std::string& room);
  void leave(const std::string& room);
  // Whether the socket joined `room` (its own id room is not one it joined).
  bool in_joined_room(const std::string& room) const;

  // To everyone in `room` (or everyone) except this socket.
  broadcast_operator to(std::string room) const;
  broadcast_operator broadcast() const;

  // Server-side disconnect: `close` also ends the underlying connection (every namespace).
  void disconnect(bool close = false);
  // Ends the underlying Engine.IO connection without a DISCONNECT packet: the client sees
  // "transport close" and reconnects by itself.
  void close_transport();

  // Recovery, before on_connected: takes `s`'s data and rooms and holds what the rooms receive
  // until on_connected; `send_missed` sends what it missed (before the CONNECT reply, as Node);
  // `abandon_recovery` undoes it when the missed packets cannot be had.
  void begin_recovery(const fanout::recovery_session& s);
  void send_missed(const fanout::missed_packets& missed);
  void abandon_recovery();

  // From the client.
  void on_connected();
  void on_event(json data, std::optional<uint64_t> id);
  void on_ack(uint64_t id, json args);
  void on_closed(std::string_view reason);
  // Tells the client this namespace is disconnected (a DISCONNECT packet), nothing more.
  void send_disconnect();
  void deliver(const fanout::broadcast_packet& packet, bool is_volatile) override;
  void deliver_with_ack(const fanout::broadcast_packet& packet, uint64_t ack_id,
                        std::function<void(json)> on_ack) override;

 private:
  struct pending_ack {
    ack_result_fn cb;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  // Sends a packet from a recovery log unless this socket already has it or a later one.
  void send_logged(const fanout::broadcast_packet& packet, bool is_volatile);

  namespace_* nsp_;
  client* client_;
  compact_string id_;   // inline: every socket has one
  compact_string pid_;  // the same, with recovery on
  handshake handshake_;
  packed_json data_;
  bool connected_ = false;
  bool recovered_ = false;
  // The newest logged packet sent: after a recovery, the live copies of what the missed packets
  // already gave are skipped.
  fanout::log_position position_;
  std::unique_ptr<std::vector<fanout::broadcast_packet_ptr>> holding_;  // while recovering
  uint64_t next_ack_id_ = 0;
  // A socket's own handlers and the acknowledgements it waits for are allocated on first use:
  // most sockets have neither (docs/design.md#performance-model, small idle connections).
  struct own_handlers {
    std::unordered_map<std::string, event_handler> events;
    std::vector<disconnect_handler> disconnects;
  };
  std::unordered_map<uint64_t, pending_ack>& awaited_acks();
  std::unique_ptr<own_handlers> own_;
  std::shared_ptr<void> context_;
  std::unique_ptr<std::unordered_map<uint64_t, pending_ack>> acks_;
};

}  // namespace switchboard::socketio
