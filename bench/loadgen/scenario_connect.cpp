// connect: handshakes per second. `--concurrency` slots each loop: TCP connect, WebSocket upgrade,
// Engine.IO open, Socket.IO CONNECT with auth, then the close handshake, then again, for
// `--duration` seconds. Each new connection takes the next source address, so client-side
// TIME_WAIT sockets spread over 127.0.0.1 … 127.0.0.N instead of exhausting one address's ports.
#include "bench/loadgen/client.h"
#include "bench/loadgen/clock.h"
#include "bench/loadgen/measure.h"
#include "bench/loadgen/scenarios.h"
#include "bench/loadgen/worker_pool.h"

#include <boost/asio/post.hpp>

#include <chrono>
#include <thread>

namespace switchboard::bench {
namespace {

struct alignas(64) worker_counts {
  std::atomic<uint64_t> handshakes{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> open_slots{0};  // slots still cycling or closing
  uint32_t next_source = 0;
  std::string first_error;
};

class connect_rate final : public client::listener {
 public:
  explicit connect_rate(const options& o) : o_(o), pool_(o.threads), counts_(o.threads) {
    for (size_t i = 0; i < o.concurrency; ++i) {
      slots_.push_back(std::make_unique<client>(pool_.context(i % pool_.size()), o.targets[i % o.targets.size()],
                                                boost::asio::ip::address_v4(0x7F000001u), static_cast<uint32_t>(i),
                                                *this));
    }
    connected_.assign(o.concurrency, 0);
  }
  ~connect_rate() { pool_.stop(); }

  json run() {
    json out{{"scenario", "connect"},
             {"concurrency", o_.concurrency},
             {"duration", o_.duration},
             {"nodes", o_.targets.size()}};
    cpu_window cpu(o_);
    const int64_t start = now_ns();
    running_.store(true);
    for (size_t i = 0; i < slots_.size(); ++i) {
      counts_[i % pool_.size()].open_slots.fetch_add(1);
      boost::asio::post(pool_.context(i % pool_.size()), [this, i] { begin(i); });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.duration));
    running_.store(false);
    const int64_t stop = now_ns();
    auto cpu_report = cpu.finish();
    // Let the connections in progress finish their close handshakes (bounded).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (open_slots() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    uint64_t handshakes = 0, failures = 0;
    std::string first_error;
    for (size_t w = 0; w < pool_.size(); ++w) {
      pool_.run_on(w, [&] {
        handshakes += counts_[w].handshakes.load();
        failures += counts_[w].failures.load();
        if (first_error.empty()) first_error = counts_[w].first_error;
      });
    }
    const double elapsed = static_cast<double>(stop - start) / 1e9;
    out["handshakes"] = handshakes;
    out["failures"] = failures;
    if (!first_error.empty()) out["first_error"] = first_error;
    out["elapsed_s"] = elapsed;
    out["handshakes_per_s"] = static_cast<double>(handshakes) / elapsed;
    if (cpu_report.contains("server_cpu_s") && handshakes > 0) {
      cpu_report["server_cpu_ms_per_handshake"] =
          cpu_report["server_cpu_s"].get<double>() * 1e3 / static_cast<double>(handshakes);
    }
    out.update(cpu_report);
    out["ok"] = handshakes > 0 && failures == 0;
    return out;
  }

 private:
  uint64_t open_slots() const {
    uint64_t n = 0;
    for (const auto& c : counts_) n += c.open_slots.load();
    return n;
  }

  void begin(size_t i) {
    auto& counts = counts_[i % pool_.size()];
    if (!running_.load(std::memory_order_relaxed)) {
      counts.open_slots.fetch_sub(1);
      return;
    }
    const uint32_t source =
        counts.next_source++ * static_cast<uint32_t>(pool_.size()) + static_cast<uint32_t>(i % pool_.size());
    slots_[i]->set_source(
        boost::asio::ip::address_v4(0x7F000001u + source % static_cast<uint32_t>(o_.source_addresses)));
    connected_[i] = 0;
    slots_[i]->restart();
  }

  void on_connected(client& c) override {
    connected_[c.index()] = 1;
    if (running_.load(std::memory_order_relaxed)) counts_[c.index() % pool_.size()].handshakes.fetch_add(1);
    c.close();
  }

  void on_event(client&, std::string_view, int64_t) override {}
  void on_ack(client&, uint64_t, std::string_view) override {}

  void on_closed(client& c, bool, std::string_view reason) override {
    const size_t i = c.index();
    auto& counts = counts_[i % pool_.size()];
    if (!connected_[i]) {
      counts.failures.fetch_add(1);
      if (counts.first_error.empty()) counts.first_error = std::string(reason);
    }
    // Next connection from a fresh call stack: the client is still inside its own handler.
    boost::asio::post(pool_.context(i % pool_.size()), [this, i] { begin(i); });
  }

  const options& o_;
  worker_pool pool_;
  std::vector<worker_counts> counts_;
  std::vector<std::unique_ptr<client>> slots_;
  std::vector<uint8_t> connected_;
  std::atomic<bool> running_{false};
};

}  // namespace

json run_connect(const options& o) {
  connect_rate c(o);
  return c.run();
}

}  // namespace switchboard::bench
