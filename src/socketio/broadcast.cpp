#include "socketio/broadcast.h"

#include "base/metrics.h"
#include "socketio/encode.h"
#include "socketio/namespace.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <mutex>

namespace switchboard::socketio {

broadcast_operator broadcast_operator::to(std::string room) const {
  auto b = *this;
  b.opts_.rooms.push_back(std::move(room));
  return b;
}

broadcast_operator broadcast_operator::except(std::string room) const {
  auto b = *this;
  b.opts_.except.push_back(std::move(room));
  return b;
}

broadcast_operator broadcast_operator::volatile_() const {
  auto b = *this;
  b.opts_.is_volatile = true;
  return b;
}

broadcast_operator broadcast_operator::local() const {
  auto b = *this;
  b.opts_.local = true;
  return b;
}

void broadcast_operator::emit(std::string_view event, json args) const {
  protocol::socketio::packet p;
  p.type = protocol::socketio::packet_type::event;
  p.nsp = nsp_->name();
  p.data = event_data(event, std::move(args));
  auto encoded = encode_packet(p);
  encoded.data = std::move(*p.data);
  auto packet = std::make_shared<const fanout::broadcast_packet>(std::move(encoded));
  metrics::add(metrics::counter::broadcasts);
  nsp_->adapter().broadcast(std::move(packet), std::make_shared<const fanout::broadcast_options>(opts_));
}

namespace {

// Drawn from a range a socket's own acknowledgement ids (counted from 0 per socket) never reach,
// and below 2^53 so JavaScript clients read them exactly.
std::atomic<uint64_t> broadcast_ack_ids{uint64_t{1} << 40};

// Gathers counts and answers from any thread; completes once on the emitting worker.
struct ack_collector : std::enable_shared_from_this<ack_collector> {
  ack_collector(boost::asio::io_context& ctx, broadcast_operator::ack_results_fn fn) : timer(ctx), cb(std::move(fn)) {}

  void expect(size_t n) {
    std::lock_guard lock(mutex);
    expected_reporters = static_cast<int64_t>(n);
    check();
  }
  void count(size_t clients) {
    std::lock_guard lock(mutex);
    ++reporters;
    expected_clients += clients;
    check();
  }
  void response(json r) {
    std::lock_guard lock(mutex);
    if (finished) return;
    responses.push_back(std::move(r));
    check();
  }
  // Under the mutex.
  void check() {
    if (finished || expected_reporters < 0 || reporters < expected_reporters || responses.size() < expected_clients)
      return;
    finish(false);
  }
  void finish(bool timed_out) {
    finished = true;
    boost::asio::post(timer.get_executor(), [self = shared_from_this(), timed_out] {
      self->timer.cancel();
      json r;
      {
        std::lock_guard lock(self->mutex);
        r = std::move(self->responses);
      }
      if (self->cb) std::exchange(self->cb, nullptr)(timed_out, std::move(r));
    });
  }

  std::mutex mutex;
  boost::asio::steady_timer timer;
  broadcast_operator::ack_results_fn cb;  // emitting worker only
  int64_t expected_reporters = -1;        // unknown until the adapter says
  int64_t reporters = 0;
  size_t expected_clients = 0;
  json responses = json::array();
  bool finished = false;
};

}  // namespace

uint64_t next_broadcast_ack_id() { return broadcast_ack_ids.fetch_add(1, std::memory_order_relaxed); }

void broadcast_operator::emit_with_ack(std::string_view event, json args, std::chrono::milliseconds timeout,
                                       ack_results_fn cb) const {
  const uint64_t id = next_broadcast_ack_id();
  protocol::socketio::packet p;
  p.type = protocol::socketio::packet_type::event;
  p.nsp = nsp_->name();
  p.id = id;
  p.data = event_data(event, std::move(args));
  auto encoded = encode_packet(p);
  encoded.data = std::move(*p.data);
  metrics::add(metrics::counter::broadcasts);

  auto collector = std::make_shared<ack_collector>(nsp_->loops().context(loop_group::current()), std::move(cb));
  collector->timer.expires_after(timeout);
  collector->timer.async_wait([collector](boost::system::error_code ec) {
    if (ec) return;
    std::lock_guard lock(collector->mutex);
    if (!collector->finished) collector->finish(true);
  });
  auto handlers = std::make_shared<fanout::ack_handlers>();
  handlers->expect = [collector](size_t n) { collector->expect(n); };
  handlers->count = [collector](size_t n) { collector->count(n); };
  handlers->response = [collector](json r) { collector->response(std::move(r)); };
  nsp_->adapter().broadcast_with_ack(std::make_shared<const fanout::broadcast_packet>(std::move(encoded)),
                                     std::make_shared<const fanout::broadcast_options>(opts_), id, std::move(handlers),
                                     timeout);
}

}  // namespace switchboard::socketio
