// fanout: N clients in one room, P of them publish M messages of S bytes in total, at full speed
// with a bounded window or at a fixed rate; every client (sender included) must receive every
// message exactly once and in each publisher's order.
//
// Flow control at full speed counts a message in flight until it is both acknowledged and received
// by every client, so the server's send queues never grow because the generator fell behind, and
// the figure is the rate at which the whole room is served.
//
// Threads: a receiver's counters live on its worker; per-message receive counts are atomics
// shared by all workers; a publisher is woken on its own worker when one of its messages completes.
#include "bench/loadgen/clock.h"
#include "bench/loadgen/latency_histogram.h"
#include "bench/loadgen/measure.h"
#include "bench/loadgen/packet_scan.h"
#include "bench/loadgen/scenarios.h"
#include "bench/loadgen/swarm.h"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <thread>

namespace switchboard::bench {
namespace {

struct alignas(64) publisher {
  size_t client = 0;
  uint32_t quota = 0;   // messages this publisher sends
  uint32_t offset = 0;  // global index of its first message
  size_t window = 1;
  uint32_t sent = 0;
  uint32_t acked = 0;
  uint64_t ack_errors = 0;
  std::atomic<uint32_t> completed{0};                // received by every client (written by any worker)
  std::string text;                                  // marker + padding, reused
  std::string array;                                 // the event's JSON array, reused
  std::unique_ptr<boost::asio::steady_timer> timer;  // rate mode: next message due
  bool timer_armed = false;
};

struct alignas(64) worker_totals {
  uint64_t unique = 0;
  uint64_t duplicated = 0;
  uint64_t out_of_order = 0;
  uint64_t unparsed = 0;
  int64_t last_receive_ns = 0;
  latency_histogram latency;
  std::atomic<uint64_t> progress{0};  // unique deliveries, for the main thread's stall check
};

class fanout final : public swarm::handler {
 public:
  explicit fanout(const options& o)
      : o_(o), pool_(o.threads), swarm_(pool_, o, *this), publishers_(o.publishers), totals_(o.threads) {
    const size_t p_count = o.publishers;
    total_ = static_cast<uint32_t>(o.messages);
    words_per_receiver_ = (total_ + 63) / 64;
    seen_.assign(o.clients * words_per_receiver_, 0);
    highest_seq_.assign(o.clients * p_count, -1);
    receive_counts_ = std::make_unique<std::atomic<uint32_t>[]>(total_);
    uint32_t offset = 0;
    for (size_t p = 0; p < p_count; ++p) {
      auto& pub = publishers_[p];
      pub.client = p;
      pub.quota = static_cast<uint32_t>(o.messages / p_count + (p < o.messages % p_count ? 1 : 0));
      pub.offset = offset;
      offset += pub.quota;
      pub.window = o.rate > 0 ? SIZE_MAX : std::max<size_t>(1, o.window / p_count + (p < o.window % p_count ? 1 : 0));
      pub.text.resize(std::max(o.size, max_marker_length));
      pub.timer = std::make_unique<boost::asio::steady_timer>(pool_.context(swarm_.worker_of(p)));
    }
    publisher_of_message_.resize(total_);
    for (size_t p = 0; p < p_count; ++p) {
      for (uint32_t k = 0; k < publishers_[p].quota; ++k) publisher_of_message_[publishers_[p].offset + k] = p;
    }
  }

  // Workers stop before the timers and counters they use go away.
  ~fanout() { pool_.stop(); }

  json run() {
    json out{{"scenario", "fanout"},
             {"clients", o_.clients},
             {"publishers", o_.publishers},
             {"messages", o_.messages},
             {"size", o_.size},
             {"rate", o_.rate},
             {"window", o_.rate > 0 ? json(nullptr) : json(o_.window)},
             {"nodes", o_.targets.size()},
             {"threads", o_.threads}};
    const int64_t setup_start = now_ns();
    std::string error;
    if (!swarm_.establish(true, error)) {
      out["ok"] = false;
      out["error"] = error;
      return out;
    }
    swarm_.wait_quiet(0.3, 30);  // let the presence storm of the joins pass before measuring
    out["setup_s"] = static_cast<double>(now_ns() - setup_start) / 1e9;

    cpu_window cpu(o_);
    start_ns_ = now_ns();
    running_.store(true);
    for (size_t p = 0; p < publishers_.size(); ++p) {
      boost::asio::post(pool_.context(swarm_.worker_of(p)), [this, p] { pump(p); });
    }
    const bool complete = wait_until_done();
    running_.store(false);
    auto cpu_report = cpu.finish();

    latency_histogram latency;
    uint64_t unique = 0, duplicated = 0, out_of_order = 0, unparsed = 0, ack_errors = 0, sent = 0, acked = 0;
    int64_t last_receive = start_ns_;
    for (size_t w = 0; w < pool_.size(); ++w) {
      pool_.run_on(w, [&] {
        const auto& t = totals_[w];
        latency.merge(t.latency);
        unique += t.unique;
        duplicated += t.duplicated;
        out_of_order += t.out_of_order;
        unparsed += t.unparsed;
        last_receive = std::max(last_receive, t.last_receive_ns);
        for (size_t p = w; p < publishers_.size(); p += pool_.size()) {
          ack_errors += publishers_[p].ack_errors;
          sent += publishers_[p].sent;
          acked += publishers_[p].acked;
        }
      });
    }
    swarm_.close_all(5);

    // Refused messages (ack errors) are not expected anywhere; planned but unsent ones are not lost.
    const uint64_t expected = (sent - std::min(sent, ack_errors)) * o_.clients;
    const double elapsed = static_cast<double>(last_receive - start_ns_) / 1e9;
    out["complete"] = complete;
    out["sent"] = sent;
    out["acked"] = acked;
    out["ack_errors"] = ack_errors;
    out["planned"] = uint64_t{total_} * o_.clients;
    out["expected"] = expected;
    out["received"] = unique;
    out["lost"] = expected - std::min(expected, unique);
    out["duplicated"] = duplicated;
    out["out_of_order"] = out_of_order;
    out["unparsed"] = unparsed;
    out["disconnects"] = disconnects_.load();
    out["elapsed_s"] = elapsed;
    out["deliveries_per_s"] = elapsed > 0 ? static_cast<double>(unique) / elapsed : 0.0;
    out["messages_per_s"] = elapsed > 0 ? static_cast<double>(sent) / elapsed : 0.0;
    out["latency_ms"] = {{"p50", latency.percentile_ms(0.50)},
                         {"p90", latency.percentile_ms(0.90)},
                         {"p99", latency.percentile_ms(0.99)},
                         {"max", latency.max_ms()}};
    if (cpu_report.contains("server_cpu_s") && unique > 0) {
      cpu_report["server_cpu_s_per_million"] =
          cpu_report["server_cpu_s"].get<double>() * 1e6 / static_cast<double>(unique);
    }
    out.update(cpu_report);
    out["ok"] = complete && out["lost"] == 0 && duplicated == 0 && ack_errors == 0 && out_of_order == 0;
    return out;
  }

 private:
  // Main thread: until every message reached every client, or nothing arrived for drain_timeout.
  bool wait_until_done() {
    using namespace std::chrono;
    uint64_t last_progress = 0;
    auto last_change = steady_clock::now();
    while (completed_total_.load() < total_) {
      std::this_thread::sleep_for(milliseconds(2));
      uint64_t progress = 0;
      for (const auto& t : totals_) progress += t.progress.load(std::memory_order_relaxed);
      if (progress != last_progress) {
        last_progress = progress;
        last_change = steady_clock::now();
      } else if (steady_clock::now() - last_change > duration<double>(o_.drain_timeout)) {
        return false;
      }
    }
    return true;
  }

  // Publisher's worker: sends while the window (or the schedule) allows.
  void pump(size_t p) {
    if (!running_.load(std::memory_order_relaxed)) return;
    auto& pub = publishers_[p];
    auto& c = swarm_.at(pub.client);
    while (pub.sent < pub.quota) {
      const uint32_t done = std::min(pub.acked, pub.completed.load(std::memory_order_acquire));
      if (pub.sent - done >= pub.window) return;
      const int64_t now = now_ns();
      if (o_.rate > 0) {
        const auto due =
            start_ns_ +
            static_cast<int64_t>(static_cast<double>(uint64_t{pub.sent} * publishers_.size() + p) * 1e9 / o_.rate);
        if (due > now) return arm_timer(p, due);
      }
      const bench_marker m{static_cast<uint32_t>(p), pub.sent, now};
      const size_t n = write_marker_text(pub.text.data(), o_.size, m);
      pub.array.assign("[\"message\",{\"room\":\"");
      pub.array.append(o_.room).append("\",\"text\":\"");
      pub.array.append(pub.text.data(), n);
      pub.array.append("\"}]");
      c.emit_with_ack(pub.array);
      ++pub.sent;
    }
  }

  void arm_timer(size_t p, int64_t due_ns) {
    auto& pub = publishers_[p];
    if (pub.timer_armed) return;
    pub.timer_armed = true;
    pub.timer->expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(due_ns)));
    pub.timer->async_wait([this, p](const boost::system::error_code& ec) {
      publishers_[p].timer_armed = false;
      if (!ec) pump(p);
    });
  }

  void on_ack(client& c, uint64_t, std::string_view args) override {
    const size_t p = c.index();
    if (p >= publishers_.size()) return;
    auto& pub = publishers_[p];
    ++pub.acked;
    if (!ack_ok(args)) ++pub.ack_errors;
    pump(p);
  }

  void on_event(client& c, std::string_view packet, int64_t received_ns) override {
    if (!is_event(packet, "message")) return;  // presence and the like
    const size_t w = swarm_.worker_of(c.index());
    auto& t = totals_[w];
    bench_marker m;
    if (!find_marker(packet, m) || m.publisher >= publishers_.size() || m.seq >= publishers_[m.publisher].quota) {
      ++t.unparsed;
      return;
    }
    const uint32_t g = publishers_[m.publisher].offset + m.seq;
    const size_t r = c.index();
    uint64_t& word = seen_[r * words_per_receiver_ + g / 64];
    const uint64_t bit = uint64_t{1} << (g % 64);
    t.last_receive_ns = received_ns;
    if (word & bit) {
      ++t.duplicated;
      return;
    }
    word |= bit;
    ++t.unique;
    t.progress.store(t.unique, std::memory_order_relaxed);
    int64_t& highest = highest_seq_[r * publishers_.size() + m.publisher];
    if (int64_t{m.seq} < highest) {
      ++t.out_of_order;
    } else {
      highest = m.seq;
    }
    t.latency.record_ns(received_ns - m.sent_ns);
    if (receive_counts_[g].fetch_add(1, std::memory_order_acq_rel) + 1 == o_.clients) complete(w, g);
  }

  void on_closed(client&, bool, std::string_view) override { disconnects_.fetch_add(1); }

  // The last client received message g: its publisher may send again.
  void complete(size_t worker, uint32_t g) {
    const size_t p = publisher_of_message_[g];
    publishers_[p].completed.fetch_add(1, std::memory_order_release);
    completed_total_.fetch_add(1);
    const size_t pw = swarm_.worker_of(p);
    if (pw == worker) return pump(p);
    boost::asio::post(pool_.context(pw), [this, p] { pump(p); });
  }

  const options& o_;
  worker_pool pool_;
  swarm swarm_;
  std::vector<publisher> publishers_;
  std::vector<worker_totals> totals_;
  uint32_t total_ = 0;
  size_t words_per_receiver_ = 0;
  std::vector<uint64_t> seen_;        // receiver × message bitset
  std::vector<int64_t> highest_seq_;  // receiver × publisher: highest seq seen
  std::unique_ptr<std::atomic<uint32_t>[]> receive_counts_;
  std::vector<size_t> publisher_of_message_;
  std::atomic<uint32_t> completed_total_{0};
  std::atomic<uint64_t> disconnects_{0};
  std::atomic<bool> running_{false};
  int64_t start_ns_ = 0;
};

}  // namespace

json run_fanout(const options& o) {
  fanout f(o);
  return f.run();
}

}  // namespace switchboard::bench
