#pragma once
// One upgraded WebSocket connection on one worker.
//
// Owns the TCP socket, the frame reader and the send queue. Reading waits for readability and then
// reads into a per-thread buffer, so an idle connection holds no read buffer; only an incomplete
// frame is kept (`tail_`). Sending queues shared, pre-encoded frames (header included) and writes
// everything queued in one gathered write per loop turn, one write in flight at a time. The queue
// has two byte bounds: past `soft` droppable frames are dropped, past `hard` the connection is
// closed as a slow consumer.
//
// Memory (docs/design.md#performance-model, "small idle connections"): the tail is released as soon as it is empty,
// the send queue's blocks as soon as a write leaves it empty, so an idle connection holds no buffer
// at all. That costs one small allocation per write, next to the write's system call.
//
// The owner receives events through `events`; it must call `detach()` before it goes away.
// Callbacks may call `send`/`close` but must not destroy the connection (it is reference counted).
#include "base/bytes.h"
#include "http/types.h"
#include "protocol/websocket/reader.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <vector>

namespace switchboard::websocket {

struct queue_limits {
  size_t soft_bytes = 1 << 20;
  size_t hard_bytes = 8 << 20;
};

enum class send_result { queued, dropped, closed };

class connection final : public std::enable_shared_from_this<connection>, private protocol::websocket::reader::handler {
 public:
  struct events {
    virtual void on_ws_message(bool binary, std::string&& payload) = 0;
    // The transport is gone; `reason` is an Engine.IO close reason ("transport close", "transport error").
    virtual void on_ws_closed(std::string_view reason) = 0;

   protected:
    ~events() = default;
  };

  // The HTTP connection's socket itself, bound to its worker's io_context by type (http/types.h):
  // 40 bytes smaller with every operation pending on it than with a type-erased executor, which
  // every idle connection pays for its whole life (docs/design.md#performance-model, "small idle connections").
  using socket_type = http::tcp_socket;

  connection(socket_type socket, uint64_t max_message, queue_limits limits);

  // Writes `handshake_response` first, then reads frames; `buffered` are bytes already read
  // past the HTTP request.
  void start(std::string handshake_response, std::string buffered, events* ev);
  void set_events(events* ev) { events_ = ev; }
  void detach() { events_ = nullptr; }

  send_result send(shared_bytes frame, bool droppable = false);
  send_result send(std::string frame) { return send(make_shared_bytes(std::move(frame))); }
  // Sends a close frame after what is queued, then ends the stream; the socket closes at the
  // client's end of stream, or 10 s after this call at the latest (a client that never reads).
  void close(uint16_t code, std::string_view reason = {});

  size_t queued_bytes() const { return queued_bytes_; }
  bool is_closing() const { return closing_; }

 private:
  void wait_readable();
  void on_readable(boost::system::error_code ec);
  void schedule_flush();
  void flush();
  void finish(std::string_view reason);
  void shutdown_socket();

  void on_message(bool binary, std::string&& payload) override;
  void on_ping(std::string_view payload) override;
  void on_pong(std::string_view payload) override;
  void on_close(uint16_t code, std::string_view reason) override;

  // The memory of the wait for readability, which a connection has pending all its life, inside
  // the connection (80 bytes: Asio's operation for this handler). Asio would allocate it anew for
  // every wait, from its per-thread cache unless a handler's own posts took that first, else from
  // the heap in whatever hole there was then: a join storm scattered them over pages it could not
  // give back (joined idle clients 2.06 → 1.92 KiB).
  struct wait_slot {
    alignas(void*) unsigned char bytes[80];
    bool used = false;
  };
  template <class T>
  struct slot_allocator;
  struct readable_handler;

  socket_type socket_;
  wait_slot wait_slot_;
  protocol::websocket::reader reader_;
  queue_limits limits_;
  events* events_ = nullptr;
  std::string tail_;                                        // an incomplete frame, when the last read ended inside one
  std::vector<shared_bytes> queue_;                         // frames waiting for the next write
  std::vector<shared_bytes> inflight_;                      // the frames of the write in flight
  std::unique_ptr<boost::asio::steady_timer> close_timer_;  // armed by close(): bounds the close handshake
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool flush_posted_ = false;
  bool closing_ = false;   // no more sends; close frame queued
  bool finished_ = false;  // events_ told, socket done
};

}  // namespace switchboard::websocket
