#pragma once
// One Socket.IO v5 client (namespace "/") over Engine.IO v4 over WebSocket, the way the official
// client talks when told `transports: ["websocket"]`: TCP connect from a chosen source address,
// HTTP upgrade, Engine.IO open, CONNECT with auth {"name":"bench-<index>"}, then events and acks.
// It answers Engine.IO pings and WebSocket pings, and closes with the WebSocket close handshake.
//
// Owns its socket, a read buffer (grown to the largest frame seen, then kept) and two write
// buffers: `out_` collects frames while one gathered write of `writing_buf_` is in flight, so there
// is exactly one write per socket at a time and no allocation per frame once warmed up.
// Lives on one io_context thread for life; all calls come from that thread. A generation number
// makes completions of a previous connection (after restart()) harmless.
// Listener callbacks may send, close or restart the client, but must not destroy it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::bench {

struct target {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host_header;  // "HOST:PORT"
  // The CONNECT's auth as JSON (e.g. {"token":"…"} for a server that wants tokens); empty:
  // {"name":"bench-<index>"}.
  std::string connect_auth;
};

class client {
 public:
  enum class state { idle, connecting, upgrading, opening, namespace_connecting, connected, closing, closed };

  struct listener {
    // The namespace CONNECT was accepted.
    virtual void on_connected(client& c) = 0;
    // An EVENT packet, e.g. `2["message",{…}]` (Socket.IO text, without Engine.IO's leading 4).
    // `received_ns` is when the read that carried it completed.
    virtual void on_event(client& c, std::string_view packet, int64_t received_ns) = 0;
    // An ACK: its id and the arguments' JSON text.
    virtual void on_ack(client& c, uint64_t id, std::string_view args) = 0;
    // The connection ended: `clean` after a completed close handshake that this side started.
    virtual void on_closed(client& c, bool clean, std::string_view reason) = 0;

   protected:
    ~listener() = default;
  };

  client(boost::asio::io_context& io, const target& to, boost::asio::ip::address_v4 source, uint32_t index,
         listener& l);

  void start();
  // Closes whatever is open, forgets the old connection and starts a fresh one.
  void restart();
  // The source address of the next start().
  void set_source(boost::asio::ip::address_v4 source) { source_ = source; }
  // One Engine.IO message carrying a Socket.IO packet: `packet` is e.g. `21["join","bench"]`.
  void send_packet(std::string_view packet);
  // Sends `2<id>[…]` with a fresh ack id and returns that id; `array` is the event's JSON array.
  uint64_t emit_with_ack(std::string_view array);
  // WebSocket close handshake (1000); on_closed(clean = true) once the server answers.
  void close();

  state current() const { return state_; }
  uint32_t index() const { return index_; }
  void* user = nullptr;  // the scenario's per-client record

 private:
  void on_connect(const boost::system::error_code& ec);
  void read_more();
  void on_read(size_t n);
  bool handle_upgrade_response();
  void handle_frames();
  void handle_frame(uint8_t op, std::string_view payload, int64_t now);
  void handle_engineio(std::string_view text, int64_t now);
  void send_frame(uint8_t op, std::string_view payload);
  void flush();
  void finish(bool clean, std::string_view reason);
  uint32_t next_mask();

  boost::asio::io_context& io_;
  const target& to_;
  boost::asio::ip::address_v4 source_;
  uint32_t index_;
  listener& listener_;
  boost::asio::ip::tcp::socket socket_;
  state state_ = state::idle;
  uint32_t generation_ = 0;
  uint32_t mask_state_;
  uint64_t next_ack_id_ = 0;
  std::string accept_key_;  // expected Sec-WebSocket-Accept
  std::vector<char> in_;    // unparsed bytes at [0, in_used_)
  size_t in_used_ = 0;
  std::string fragments_;  // a fragmented message in progress (servers here rarely fragment)
  uint8_t fragments_op_ = 0;
  std::string out_;          // frames waiting for the next write
  std::string writing_buf_;  // frames of the write in flight
  bool writing_ = false;
};

}  // namespace switchboard::bench
