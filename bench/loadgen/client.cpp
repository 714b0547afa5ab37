#include "bench/loadgen/client.h"

#include "base/base64.h"
#include "bench/loadgen/clock.h"
#include "bench/loadgen/packet_scan.h"
#include "bench/loadgen/ws_frames.h"

#include <openssl/sha.h>

#include <boost/asio/write.hpp>

#include <charconv>
#include <cstring>

namespace switchboard::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr size_t initial_read_buffer = 4096;
constexpr size_t max_upgrade_response = 16 * 1024;
// Linux: pick the source port at connect() time from the whole 4-tuple, not at bind() time, so one
// source address serves many destinations (ip(7) IP_BIND_ADDRESS_NO_PORT).
constexpr int ip_bind_address_no_port = 24;
using bind_address_no_port = asio::detail::socket_option::boolean<IPPROTO_IP, ip_bind_address_no_port>;

std::string websocket_accept(std::string_view key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(key);
  input.append(guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

bool header_has(std::string_view headers, std::string_view name, std::string_view value) {
  // Case-insensitive header name, exact value: enough for the accept key.
  size_t pos = 0;
  while ((pos = headers.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    if (headers.size() - pos < name.size() + 1) return false;
    if (strncasecmp(headers.data() + pos, name.data(), name.size()) != 0 || headers[pos + name.size()] != ':') continue;
    auto v = headers.substr(pos + name.size() + 1);
    v = v.substr(0, v.find("\r\n"));
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v == value;
  }
  return false;
}

}  // namespace

client::client(asio::io_context& io, const target& to, asio::ip::address_v4 source, uint32_t index, listener& l)
    : io_(io),
      to_(to),
      source_(source),
      index_(index),
      listener_(l),
      socket_(io),
      mask_state_(index * 2654435761u + 1) {}

uint32_t client::next_mask() {
  // xorshift32: masking keys need not be secret from ourselves, only varied (RFC 6455 §5.3).
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  return mask_state_;
}

void client::start() {
  state_ = state::connecting;
  boost::system::error_code ec;
  socket_.open(tcp::v4(), ec);
  if (!ec) socket_.set_option(bind_address_no_port(true), ec);
  if (!ec) socket_.bind(tcp::endpoint(source_, 0), ec);
  if (ec) return finish(false, "bind: " + ec.message());
  socket_.async_connect(to_.endpoint, [this, gen = generation_](const boost::system::error_code& e) {
    if (gen == generation_) on_connect(e);
  });
}

void client::restart() {
  ++generation_;
  boost::system::error_code ignored;
  socket_.close(ignored);
  socket_ = tcp::socket(io_);
  in_used_ = 0;
  fragments_.clear();
  out_.clear();
  writing_buf_.clear();
  writing_ = false;
  next_ack_id_ = 0;
  start();
}

void client::on_connect(const boost::system::error_code& ec) {
  if (ec) return finish(false, "connect: " + ec.message());
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  state_ = state::upgrading;
  uint32_t raw[4] = {next_mask(), next_mask(), next_mask(), next_mask()};
  const auto key = base64_encode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
  accept_key_ = websocket_accept(key);
  out_.append("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ");
  out_.append(to_.host_header);
  out_.append(
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: ");
  out_.append(key);
  out_.append("\r\n\r\n");
  flush();
  read_more();
}

void client::read_more() {
  if (in_.size() - in_used_ < 1024) in_.resize(std::max(initial_read_buffer, in_.size() * 2));
  socket_.async_read_some(asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
                          [this, gen = generation_](const boost::system::error_code& ec, size_t n) {
                            if (gen != generation_) return;
                            if (ec) {
                              if (state_ == state::closing) return finish(true, "closed");
                              return finish(false, "read: " + ec.message());
                            }
                            on_read(n);
                          });
}

void client::on_read(size_t n) {
  in_used_ += n;
  const auto gen = generation_;
  if (state_ == state::upgrading) {
    if (!handle_upgrade_response()) return;
    if (state_ == state::upgrading) return read_more();  // the response's headers are not all here yet
  }
  if (gen != generation_ || state_ == state::closed) return;
  handle_frames();
  if (gen != generation_ || state_ == state::closed) return;
  read_more();
}

bool client::handle_upgrade_response() {
  const std::string_view data(in_.data(), in_used_);
  const auto end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in_used_ > max_upgrade_response) finish(false, "upgrade response too long");
    return state_ != state::closed;
  }
  const auto headers = data.substr(0, end + 2);
  if (!headers.starts_with("HTTP/1.1 101")) {
    finish(false, "upgrade refused: " + std::string(headers.substr(0, headers.find('\r'))));
    return false;
  }
  if (!header_has(headers, "Sec-WebSocket-Accept", accept_key_)) {
    finish(false, "upgrade: wrong Sec-WebSocket-Accept");
    return false;
  }
  const size_t used = end + 4;
  std::memmove(in_.data(), in_.data() + used, in_used_ - used);
  in_used_ -= used;
  state_ = state::opening;
  return true;
}

void client::handle_frames() {
  const int64_t now = now_ns();
  const auto gen = generation_;
  size_t pos = 0;
  while (pos < in_used_) {
    server_frame f;
    const auto status = parse_server_frame(std::string_view(in_.data() + pos, in_used_ - pos), f);
    if (status == frame_status::error) return finish(false, "bad frame from server");
    if (status == frame_status::need_more) break;
    const uint64_t whole = f.header_length + f.payload_length;
    if (in_used_ - pos < whole) {
      if (in_.size() < whole + 1024) in_.resize(whole + 1024);  // room for the rest of this frame
      break;
    }
    const std::string_view payload(in_.data() + pos + f.header_length, f.payload_length);
    pos += whole;
    if (f.op == opcode::continuation || !f.fin) {
      if (f.op != opcode::continuation) {
        fragments_.clear();
        fragments_op_ = static_cast<uint8_t>(f.op);
      }
      fragments_.append(payload);
      if (f.fin) handle_frame(fragments_op_, fragments_, now);
    } else {
      handle_frame(static_cast<uint8_t>(f.op), payload, now);
    }
    if (gen != generation_ || state_ == state::closed) return;
  }
  std::memmove(in_.data(), in_.data() + pos, in_used_ - pos);
  in_used_ -= pos;
}

void client::handle_frame(uint8_t op, std::string_view payload, int64_t now) {
  switch (static_cast<opcode>(op)) {
    case opcode::text:
      return handle_engineio(payload, now);
    case opcode::ping:
      return send_frame(static_cast<uint8_t>(opcode::pong), payload);
    case opcode::close:
      if (state_ == state::closing) return finish(true, "closed");
      send_frame(static_cast<uint8_t>(opcode::close), payload.substr(0, 2));
      return finish(false, "server closed the WebSocket");
    default:
      return;  // binary and pong frames carry nothing the benchmark uses
  }
}

void client::handle_engineio(std::string_view text, int64_t now) {
  if (text.empty()) return;
  switch (text[0]) {
    case '0': {  // open: connect the namespace with our name
      if (state_ != state::opening) return;
      state_ = state::namespace_connecting;
      if (!to_.connect_auth.empty()) return send_packet("0" + to_.connect_auth);
      char buf[64] = "0{\"name\":\"bench-";
      const size_t prefix = std::strlen(buf);
      auto* p = std::to_chars(buf + prefix, buf + sizeof buf - 2, index_).ptr;
      *p++ = '"';
      *p++ = '}';
      return send_packet(std::string_view(buf, static_cast<size_t>(p - buf)));
    }
    case '2':  // ping → pong, with the same data
      append_masked_frame(out_, opcode::text, "3", text.substr(1), next_mask());
      return flush();
    case '1':
      return finish(false, "Engine.IO close from server");
    case '4':
      break;
    default:
      return;  // noop, upgrade: nothing to do on a plain WebSocket session
  }
  const auto packet = text.substr(1);
  if (packet.empty()) return;
  switch (packet[0]) {
    case '0':
      if (state_ != state::namespace_connecting) return;
      state_ = state::connected;
      return listener_.on_connected(*this);
    case '2':
      return listener_.on_event(*this, packet, now);
    case '3': {
      uint64_t id = 0;
      std::string_view args;
      if (parse_ack(packet, id, args)) listener_.on_ack(*this, id, args);
      return;
    }
    case '4':
      return finish(false, "connect_error: " + std::string(packet.substr(1, 200)));
    case '1':
      return finish(false, "disconnected by the server");
    default:
      return;
  }
}

void client::send_packet(std::string_view packet) {
  append_masked_frame(out_, opcode::text, "4", packet, next_mask());
  if (!writing_) flush();
}

uint64_t client::emit_with_ack(std::string_view array) {
  const uint64_t id = next_ack_id_++;
  char head[24] = "42";
  auto* p = std::to_chars(head + 2, head + sizeof head, id).ptr;
  append_masked_frame(out_, opcode::text, std::string_view(head, static_cast<size_t>(p - head)), array, next_mask());
  if (!writing_) flush();
  return id;
}

void client::send_frame(uint8_t op, std::string_view payload) {
  append_masked_frame(out_, static_cast<opcode>(op), payload, next_mask());
  if (!writing_) flush();
}

void client::flush() {
  if (writing_ || out_.empty()) return;
  std::swap(out_, writing_buf_);
  out_.clear();
  writing_ = true;
  asio::async_write(socket_, asio::buffer(writing_buf_),
                    [this, gen = generation_](const boost::system::error_code& ec, size_t) {
                      if (gen != generation_) return;
                      writing_ = false;
                      if (ec) {
                        if (state_ == state::closing || state_ == state::closed) return;
                        return finish(false, "write: " + ec.message());
                      }
                      flush();
                    });
}

void client::close() {
  if (state_ == state::closed || state_ == state::closing) return;
  if (state_ == state::idle || state_ == state::connecting || state_ == state::upgrading) {
    return finish(true, "closed before the upgrade");
  }
  state_ = state::closing;
  const char code[2] = {static_cast<char>(1000 >> 8), static_cast<char>(1000 & 0xFF)};
  send_frame(static_cast<uint8_t>(opcode::close), std::string_view(code, 2));
}

void client::finish(bool clean, std::string_view reason) {
  if (state_ == state::closed) return;
  state_ = state::closed;
  boost::system::error_code ignored;
  socket_.close(ignored);
  listener_.on_closed(*this, clean, reason);
}

}  // namespace switchboard::bench
