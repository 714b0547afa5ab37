#pragma once
// The Socket.IO side of one Engine.IO session: decodes packets, routes them to the socket of their
// namespace, runs connection middlewares, and closes the connection when no namespace is joined
// within the connect timeout. Lives on the session's worker; the session holds it, and after
// `on_close` it touches the session no more.
#include "engineio/session.h"
#include "fanout/adapter.h"
#include "protocol/socketio/decoder.h"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <vector>

namespace switchboard::socketio {

class namespace_;
class server;
class socket;

class client final : public engineio::session_handler, public std::enable_shared_from_this<client> {
 public:
  client(server& srv, engineio::session& session);
  ~client() override;

  void start();
  void on_message(std::string&& data, bool binary) override;
  void on_close(std::string_view reason) override;

  // Used by sockets.
  void send(const protocol::socketio::packet& p, bool droppable = false);
  void send(const fanout::broadcast_packet& encoded, bool droppable = false);
  void remove(socket& s);
  // Ends the connection: every socket sees `reason`.
  void close(std::string_view reason);
  // Server-side `disconnect(true)`: every namespace is told (DISCONNECT), then the connection ends.
  void disconnect_all();
  size_t worker() const { return worker_; }
  server& srv() { return server_; }
  // "websocket" or "polling"; "" once the connection closed.
  std::string_view transport() const;

 private:
  void on_packet(protocol::socketio::packet&& p);
  void connect(const std::string& nsp, json auth);
  void connect_new(namespace_& nsp, json auth);
  // Connection state recovery: the session of `pid` back, with what it missed after `offset`;
  // a new socket when the adapter no longer has them. The middlewares run for it as for a new
  // socket (Node skips them by default, which lets an expired identity back in).
  void recover(namespace_& nsp, json auth, std::string pid, std::string offset);
  void start_assembly(protocol::socketio::decoder&& d, std::chrono::milliseconds within);
  // `missed`: a recovering socket's missed packets, sent when every middleware let it in.
  void run_middlewares(std::shared_ptr<socket> s, size_t index,
                       std::shared_ptr<const fanout::missed_packets> missed = nullptr);
  void accept(std::shared_ptr<socket> s, const fanout::missed_packets* missed = nullptr);
  std::shared_ptr<socket> find(const std::string& nsp) const;

  server& server_;
  engineio::session* session_;  // null after on_close
  size_t worker_;
  // Only while a binary packet waits for its attachments (then freed: the decoder and its
  // deadline are some 250 bytes of every connection, and most never send binary).
  struct assembly;
  std::unique_ptr<assembly> assembling_;
  std::vector<std::shared_ptr<socket>> sockets_;  // connected, one per namespace
  // CONNECTs a middleware refused on this connection; the next one past the limit closes it.
  static constexpr uint8_t max_refused_connects = 10;
  uint8_t refused_connects_ = 0;
  // Until the first namespace is joined (then freed: a timer is 112 bytes of every connection).
  std::unique_ptr<boost::asio::steady_timer> connect_timer_;
};

}  // namespace switchboard::socketio
