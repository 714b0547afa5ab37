#include "socketio/broadcast.h"

#include "base/metrics.h"
#include "socketio/encode.h"
#include "socketio/namespace.h"
#include "socketio/socket.h"

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

void broadcast_operator::emit(std::string_view event, json args) const { emit(event, std::move(args), {}); }

void broadcast_operator::emit(std::string_view event, json args, std::function<void()> sent) const {
  metrics::add(metrics::counter::broadcasts);
  auto& adapter = nsp_->adapter();
  auto opts = std::make_shared<const fanout::broadcast_options>(opts_);
  if (adapter.keeps_recovery_log() && !opts_.is_volatile) {
    fanout::adapter::sent_fn on_sent;
    if (sent) {
      on_sent = [&loops = nsp_->loops(), worker = loop_group::current(), sent = std::move(sent)]() mutable {
        loops.post(worker, std::move(sent));
      };
    }
    return adapter.broadcast_recoverable(
        event_data(event, std::move(args)), std::move(opts),
        [&nsp = nsp_->name()](json data) { return encode_event(nsp, std::move(data)); }, std::move(on_sent));
  }
  adapter.broadcast(
      std::make_shared<const fanout::broadcast_packet>(encode_event(nsp_->name(), event_data(event, std::move(args)))),
      std::move(opts));
  if (sent) sent();
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

namespace {

// Runs `each(socket)` on every worker for this node's sockets that `opts` selects and, when
// given, `done(results)` once with the non-null results of every worker (on the last worker to
// finish). Sockets are collected first: joining, leaving or disconnecting changes the index.
void for_each_selected(namespace_& nsp, const fanout::broadcast_options& opts, std::function<json(socket&)> each,
                       std::function<void(json)> done) {
  struct tally {
    std::mutex mutex;
    json results = json::array();
    size_t left;
  };
  auto t = std::make_shared<tally>();
  t->left = nsp.loops().size();
  for (size_t w = 0; w < nsp.loops().size(); ++w) {
    nsp.loops().post(w, [&nsp, w, opts, each, done, t] {
      std::vector<std::shared_ptr<socket>> selected;
      nsp.adapter().for_each_local(
          w, opts, [&](fanout::member& m) { selected.push_back(static_cast<socket&>(m).shared_from_this()); });
      json mine = json::array();
      for (auto& s : selected) {
        json r = each(*s);
        if (!r.is_null()) mine.push_back(std::move(r));
      }
      std::lock_guard lock(t->mutex);
      for (auto& r : mine) t->results.push_back(std::move(r));
      if (--t->left == 0 && done) done(std::move(t->results));
    });
  }
}

}  // namespace

void broadcast_operator::sockets_join(std::vector<std::string> rooms) const {
  for_each_selected(
      *nsp_, opts_,
      [rooms](socket& s) {
        for (const auto& r : rooms) s.join(r);
        return json();
      },
      nullptr);
  if (!opts_.local) nsp_->adapter().remote_join(opts_, rooms);
}

void broadcast_operator::sockets_leave(std::vector<std::string> rooms) const {
  for_each_selected(
      *nsp_, opts_,
      [rooms](socket& s) {
        for (const auto& r : rooms) s.leave(r);
        return json();
      },
      nullptr);
  if (!opts_.local) nsp_->adapter().remote_leave(opts_, rooms);
}

void broadcast_operator::disconnect_sockets(bool close) const {
  for_each_selected(
      *nsp_, opts_,
      [close](socket& s) {
        s.disconnect(close);
        return json();
      },
      nullptr);
  if (!opts_.local) nsp_->adapter().remote_disconnect(opts_, close);
}

void broadcast_operator::fetch_sockets(fetch_fn cb, std::chrono::milliseconds timeout) const {
  auto& caller = nsp_->loops().context(loop_group::current());
  const auto finish = [&caller, cb = std::move(cb)](bool complete, json all) {
    boost::asio::post(caller, [cb, complete, all = std::move(all)] {
      std::vector<remote_socket> sockets;
      for (const auto& j : all) {
        if (remote_socket r; parse_remote_socket(j, r)) sockets.push_back(std::move(r));
      }
      cb(complete, std::move(sockets));
    });
  };
  for_each_selected(
      *nsp_, opts_, [](socket& s) { return describe(s); },
      [nsp = nsp_, opts = opts_, timeout, finish](json local) {
        if (opts.local) return finish(true, std::move(local));
        nsp->adapter().remote_fetch(opts, timeout,
                                    [local = std::move(local), finish](json remote, bool complete) mutable {
                                      for (auto& r : remote) local.push_back(std::move(r));
                                      finish(complete, std::move(local));
                                    });
      });
}

}  // namespace switchboard::socketio
