#include "websocket/connection.h"

#include "base/log.h"
#include "base/metrics.h"
#include "protocol/websocket/frame.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <iterator>

#include <sys/socket.h>

namespace switchboard::websocket {

namespace ws = protocol::websocket;
using boost::system::error_code;

namespace {
// How long a close may take from our close frame to the client's end of stream: the frame may
// wait behind what the kernel holds for a slow consumer, then the client answers and closes.
constexpr auto close_timeout = std::chrono::seconds(10);

// The frames of one write as an Asio buffer sequence, read straight from the frames in flight:
// no vector of buffers per connection.
class frame_buffers {
 public:
  class const_iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = boost::asio::const_buffer;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = value_type;

    const_iterator() = default;
    explicit const_iterator(const shared_bytes* at) : at_(at) {}
    value_type operator*() const { return {(*at_)->data(), (*at_)->size()}; }
    const_iterator& operator++() {
      ++at_;
      return *this;
    }
    const_iterator operator++(int) { return const_iterator(at_++); }
    const_iterator& operator--() {
      --at_;
      return *this;
    }
    const_iterator operator--(int) { return const_iterator(at_--); }
    friend bool operator==(const_iterator a, const_iterator b) { return a.at_ == b.at_; }

   private:
    const shared_bytes* at_ = nullptr;
  };

  explicit frame_buffers(const std::vector<shared_bytes>& frames) : frames_(&frames) {}
  const_iterator begin() const { return const_iterator(frames_->data()); }
  const_iterator end() const { return const_iterator(frames_->data() + frames_->size()); }

 private:
  const std::vector<shared_bytes>* frames_;
};
}  // namespace

connection::connection(socket_type socket, uint64_t max_message, queue_limits limits)
    : socket_(std::move(socket)), reader_(max_message), limits_(limits) {}

void connection::start(std::string handshake_response, std::string buffered, events* ev) {
  events_ = ev;
  if (!handshake_response.empty()) send(std::move(handshake_response));
  if (!buffered.empty()) {
    tail_ = std::move(buffered);
    const size_t used = reader_.consume(tail_.data(), tail_.size(), *this);
    tail_.erase(0, used);
    if (reader_.failed()) {
      close(reader_.error().code, reader_.error().reason);
      finish("transport error");
    }
  }
  wait_readable();
}

// Allocates from the connection's wait slot when it is free and large enough, else from the heap.
template <class T>
struct connection::slot_allocator {
  using value_type = T;
  wait_slot* slot;

  explicit slot_allocator(wait_slot* s) noexcept : slot(s) {}
  template <class U>
  slot_allocator(const slot_allocator<U>& other) noexcept : slot(other.slot) {}

  T* allocate(size_t n) {
    if (!slot->used && n * sizeof(T) <= sizeof slot->bytes) {
      slot->used = true;
      return reinterpret_cast<T*>(slot->bytes);
    }
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) noexcept {
    if (reinterpret_cast<unsigned char*>(p) == slot->bytes) {
      slot->used = false;
    } else {
      std::allocator<T>().deallocate(p, n);
    }
  }
  template <class U>
  bool operator==(const slot_allocator<U>& other) const noexcept {
    return slot == other.slot;
  }
};

struct connection::readable_handler {
  std::shared_ptr<connection> self;

  using allocator_type = slot_allocator<void>;
  allocator_type get_allocator() const noexcept { return allocator_type(&self->wait_slot_); }
  void operator()(error_code ec) const { self->on_readable(ec); }
};

void connection::wait_readable() {
  // The operation Asio makes of the wait must fit the slot, or every wait would fall back to the heap.
  static_assert(sizeof(boost::asio::detail::reactive_wait_op<readable_handler, socket_type::executor_type>) <=
                sizeof(wait_slot::bytes));
  socket_.async_wait(http::tcp::socket::wait_read, readable_handler{shared_from_this()});
}

void connection::on_readable(error_code ec) {
  thread_local std::array<char, 64 * 1024> scratch;
  size_t n = 0;
  if (!ec) {
    // recv with MSG_DONTWAIT, not Asio's read_some: that needs the socket put in non-blocking
    // mode first, one more system call per connection.
    const ssize_t got = ::recv(socket_.native_handle(), scratch.data(), scratch.size(), MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return wait_readable();
    if (got < 0) {
      ec = error_code(errno, boost::system::system_category());
    } else if (got == 0) {
      ec = boost::asio::error::eof;
    } else {
      n = static_cast<size_t>(got);
    }
  }
  if (ec) {  // the client's end of stream, an error, or the socket closed here
    finish(ec == boost::asio::error::eof ? "transport close" : "transport error");
    return shutdown_socket();
  }
  metrics::add(metrics::counter::bytes_in, static_cast<int64_t>(n));
  // Closing: what the client still sends is read and dropped until its end of stream (or the
  // close timeout). Closing the socket with unread bytes would send a reset, which can destroy
  // our close frame before the client has read it.
  if (finished_ || reader_.closed() || reader_.failed()) return wait_readable();
  if (tail_.empty()) {
    const size_t used = reader_.consume(scratch.data(), n, *this);
    if (used < n && !reader_.failed() && !reader_.closed()) tail_.assign(scratch.data() + used, n - used);
  } else {
    tail_.append(scratch.data(), n);
    const size_t used = reader_.consume(tail_.data(), tail_.size(), *this);
    tail_.erase(0, used);
    // An emptied tail gives its block back: a frame split across reads once must not leave a
    // buffer of its size on the connection for the rest of its life.
    if (tail_.empty()) std::string().swap(tail_);
  }
  if (reader_.failed()) {
    SB_LOG(debug, "event=ws_protocol_error reason=\"" << reader_.error().reason << "\"");
    close(reader_.error().code, reader_.error().reason);
    finish("transport error");
  } else if (reader_.closed()) {
    finish("transport close");
  }
  wait_readable();
}

void connection::on_message(bool binary, std::string&& payload) {
  if (!closing_ && events_) events_->on_ws_message(binary, std::move(payload));
}

void connection::on_ping(std::string_view payload) {
  if (!closing_) send(ws::encode_frame(ws::opcode::pong, payload));
}

void connection::on_pong(std::string_view) {}

void connection::on_close(uint16_t code, std::string_view) {
  // Echo the close (RFC 6455 §5.5.1), with the peer's code when it gave one.
  close(code == ws::close_no_status ? uint16_t{ws::close_normal} : code);
}

send_result connection::send(shared_bytes frame, bool droppable) {
  if (closing_ || finished_) return send_result::closed;
  if (droppable && queued_bytes_ > limits_.soft_bytes) {
    metrics::add(metrics::counter::dropped_packets);
    return send_result::dropped;
  }
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
  if (queued_bytes_ > limits_.hard_bytes) {
    SB_LOG(info, "event=slow_consumer queued_bytes=" << queued_bytes_);
    metrics::add(metrics::counter::slow_consumer_disconnects);
    // What is queued goes; a close frame with the reason goes after what the kernel already holds,
    // so a client that reads again learns why (1008). One that does not is cut off after a grace.
    queue_.clear();
    queued_bytes_ = 0;
    close(ws::close_policy_violation, "send queue over its limit: the client reads too slowly");
    // The owner hears of it on the next turn, not from inside this send: the sender may be a
    // broadcast walking a room, which the closing socket would leave under its feet.
    boost::asio::post(socket_.get_executor(), [self = shared_from_this()] { self->finish("transport error"); });
    return send_result::closed;
  }
  schedule_flush();
  return send_result::queued;
}

void connection::close(uint16_t code, std::string_view reason) {
  if (closing_ || finished_) return;
  auto frame = make_shared_bytes(ws::encode_frame(ws::opcode::close, ws::encode_close_payload(code, reason)));
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
  closing_ = true;
  close_timer_ = std::make_unique<boost::asio::steady_timer>(socket_.get_executor(), close_timeout);
  close_timer_->async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->shutdown_socket();
  });
  schedule_flush();
}

void connection::schedule_flush() {
  if (writing_ || flush_posted_) return;
  flush_posted_ = true;
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] { self->flush(); });
}

void connection::flush() {
  flush_posted_ = false;
  if (writing_ || !socket_.is_open()) return;
  if (queue_.empty()) {
    // Idle: the queue's blocks go back (see the header), or every connection would keep the
    // capacity of its biggest burst for life.
    std::vector<shared_bytes>().swap(queue_);
    std::vector<shared_bytes>().swap(inflight_);
    // Our close frame is out: end of stream after it, then the client's end of stream closes the
    // socket (on_readable), or the close timeout does.
    if (closing_) {
      error_code ignored;
      socket_.shutdown(http::tcp::socket::shutdown_send, ignored);
    }
    return;
  }
  writing_ = true;
  inflight_.swap(queue_);
  boost::asio::async_write(socket_, frame_buffers(inflight_),
                           [self = shared_from_this()](error_code ec, size_t written) {
                             self->writing_ = false;
                             self->queued_bytes_ -= std::min(self->queued_bytes_, written);
                             metrics::add(metrics::counter::bytes_out, static_cast<int64_t>(written));
                             self->inflight_.clear();
                             if (ec) {
                               self->shutdown_socket();
                               return self->finish("transport error");
                             }
                             self->flush();
                           });
}

// Closing alone ends the connection (the descriptor is nobody else's); a shutdown before it
// would be one more system call per connection, failing when the client has already gone.
void connection::shutdown_socket() {
  error_code ignored;
  if (close_timer_) close_timer_->cancel();
  socket_.close(ignored);
}

void connection::finish(std::string_view reason) {
  if (finished_) return;
  finished_ = true;
  if (!closing_) shutdown_socket();
  if (auto* ev = std::exchange(events_, nullptr)) ev->on_ws_closed(reason);
}

}  // namespace switchboard::websocket
