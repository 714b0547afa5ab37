#pragma once
// Turns the client's byte stream into WebSocket messages (RFC 6455 §5.4–5.5): reassembles
// fragments, lets control frames interleave, checks UTF-8 of text messages and the message size
// limit. Pure: the caller owns the socket and the unparsed tail of the stream.
//
// State: the fragments of the message in progress (empty when none) and a sticky error. After an
// error or a close frame the reader consumes nothing more. Handler callbacks must not destroy the
// reader.
#include "protocol/websocket/frame.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace switchboard::protocol::websocket {

class reader {
 public:
  struct handler {
    virtual void on_message(bool binary, std::string&& payload) = 0;
    virtual void on_ping(std::string_view payload) = 0;
    virtual void on_pong(std::string_view payload) = 0;
    virtual void on_close(uint16_t code, std::string_view reason) = 0;

   protected:
    ~handler() = default;
  };

  explicit reader(uint64_t max_message) : max_message_(max_message) {}

  // Consumes every complete frame at the front of `data`, unmasking payloads in place, and returns
  // the number of bytes used; the rest is an incomplete frame to present again with more bytes.
  size_t consume(char* data, size_t size, handler& h);

  bool failed() const { return failed_; }
  const parse_error& error() const { return error_; }
  bool closed() const { return closed_; }

 private:
  bool fail(uint16_t code, std::string_view reason);

  uint64_t max_message_;
  // The fragments of a message so far; allocated only while one assembles (most messages come in
  // one frame, and an idle connection should hold no buffer).
  std::unique_ptr<std::string> fragments_;
  bool fragments_binary_ = false;
  bool failed_ = false;
  bool closed_ = false;
  parse_error error_;
};

}  // namespace switchboard::protocol::websocket
