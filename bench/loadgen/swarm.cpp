#include "bench/loadgen/swarm.h"

#include "bench/loadgen/packet_scan.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <thread>

namespace switchboard::bench {
namespace {

using clock_type = std::chrono::steady_clock;
constexpr int max_attempts = 3;

boost::asio::ip::address_v4 source_address(size_t i, size_t spread) {
  return boost::asio::ip::address_v4(0x7F000001u + static_cast<uint32_t>(i % spread));
}

std::chrono::nanoseconds seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

}  // namespace

swarm::swarm(worker_pool& pool, const options& o, handler& h)
    : pool_(pool), options_(o), handler_(h), workers_(pool.size()) {
  join_array_ = "[\"join\",\"" + o.room + "\"]";
  const size_t n = o.clients;
  clients_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    clients_.push_back(std::make_unique<client>(pool.context(worker_of(i)), o.targets[i % o.targets.size()],
                                                source_address(i, o.source_addresses), static_cast<uint32_t>(i),
                                                static_cast<client::listener&>(*this)));
  }
  phase_.assign(n, phase::waiting);
  join_ack_.assign(n, 0);
  attempts_.assign(n, 0);
  for (size_t w = 0; w < workers_.size(); ++w) workers_[w].next = w;
  window_per_worker_ = std::max<size_t>(1, (o.connect_window + pool.size() - 1) / pool.size());
}

swarm::~swarm() { pool_.stop(); }

bool swarm::establish(bool join, std::string& error) {
  join_ = join;
  for (size_t w = 0; w < pool_.size(); ++w) boost::asio::post(pool_.context(w), [this, w] { start_more(w); });
  const auto deadline = clock_type::now() + seconds(options_.timeout);
  while (ready_.load() + failed_.load() < clients_.size() && clock_type::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (failed_.load() == 0 && ready_.load() == clients_.size()) return true;
  std::lock_guard lock(error_mutex_);
  error = failed_.load() > 0 ? std::to_string(failed_.load()) + " clients failed to connect; first: " + first_error_
                             : "set-up timed out with " + std::to_string(ready_.load()) + " of " +
                                   std::to_string(clients_.size()) + " clients ready";
  return false;
}

void swarm::start_more(size_t w) {
  auto& ws = workers_[w];
  while (ws.in_progress < window_per_worker_ && ws.next < clients_.size()) {
    const size_t i = ws.next;
    ws.next += pool_.size();
    ++ws.in_progress;
    phase_[i] = phase::connecting;
    ++attempts_[i];
    clients_[i]->start();
  }
}

void swarm::set_up_done(client& c, bool ok, std::string_view reason) {
  const size_t i = c.index();
  if (!ok && attempts_[i] < max_attempts) {
    // Retry later: a full accept backlog or a lost SYN is the server being slow, not broken.
    auto timer =
        std::make_shared<boost::asio::steady_timer>(pool_.context(worker_of(i)), std::chrono::milliseconds(200));
    timer->async_wait([this, timer, i](const boost::system::error_code&) {
      ++attempts_[i];
      clients_[i]->restart();
    });
    return;
  }
  phase_[i] = ok ? phase::ready : phase::failed;
  if (ok) {
    ready_.fetch_add(1);
  } else {
    {
      std::lock_guard lock(error_mutex_);
      if (first_error_.empty()) first_error_ = "client " + std::to_string(i) + ": " + std::string(reason);
    }
    failed_.fetch_add(1);
  }
  const size_t w = worker_of(i);
  --workers_[w].in_progress;
  start_more(w);
}

void swarm::on_connected(client& c) {
  const size_t i = c.index();
  if (!join_) return set_up_done(c, true, {});
  phase_[i] = phase::joining;
  join_ack_[i] = c.emit_with_ack(join_array_);
}

void swarm::on_event(client& c, std::string_view packet, int64_t received_ns) {
  workers_[worker_of(c.index())].events.fetch_add(1, std::memory_order_relaxed);
  handler_.on_event(c, packet, received_ns);
}

void swarm::on_ack(client& c, uint64_t id, std::string_view args) {
  const size_t i = c.index();
  if (phase_[i] == phase::joining && id == join_ack_[i]) {
    return set_up_done(c, ack_ok(args), ack_ok(args) ? std::string_view{} : args.substr(0, 200));
  }
  handler_.on_ack(c, id, args);
}

void swarm::on_closed(client& c, bool clean, std::string_view reason) {
  const size_t i = c.index();
  if (phase_[i] == phase::connecting || phase_[i] == phase::joining) return set_up_done(c, false, reason);
  closed_.fetch_add(1);
  if (!closing_.load(std::memory_order_relaxed)) handler_.on_closed(c, clean, reason);
}

uint64_t swarm::events() const {
  uint64_t total = 0;
  for (const auto& w : workers_) total += w.events.load(std::memory_order_relaxed);
  return total;
}

void swarm::wait_quiet(double quiet, double limit) {
  const auto end = clock_type::now() + seconds(limit);
  auto last = events();
  auto last_change = clock_type::now();
  while (clock_type::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto now_events = events();
    if (now_events != last) {
      last = now_events;
      last_change = clock_type::now();
    } else if (clock_type::now() - last_change >= seconds(quiet)) {
      return;
    }
  }
}

void swarm::close_all(double limit) {
  closing_.store(true);
  const size_t base = closed_.load();
  std::atomic<size_t> to_close{0};
  for (size_t w = 0; w < pool_.size(); ++w) {
    pool_.run_on(w, [&] {
      for (size_t i = w; i < clients_.size(); i += pool_.size()) {
        if (clients_[i]->current() == client::state::closed) continue;
        to_close.fetch_add(1);
        clients_[i]->close();
      }
    });
  }
  const auto end = clock_type::now() + seconds(limit);
  while (closed_.load() - base < to_close.load() && clock_type::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace switchboard::bench
