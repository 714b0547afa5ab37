// broadcast-all: N clients connected (in no room); then, per round, one `POST /api/publish`
// {"event":"all","data":"x"} to the first node and the time from sending that request until the
// last client has the event. Several rounds, one after the other; the median is the figure.
// Also reports the server's RSS per connected client at this scale (after a warm-up, warm_up.h,
// before connecting → after).
#include "bench/loadgen/clock.h"
#include "bench/loadgen/http_publish.h"
#include "bench/loadgen/latency_histogram.h"
#include "bench/loadgen/measure.h"
#include "bench/loadgen/packet_scan.h"
#include "bench/loadgen/scenarios.h"
#include "bench/loadgen/swarm.h"
#include "bench/loadgen/warm_up.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace switchboard::bench {
namespace {

struct alignas(64) round_totals {
  std::atomic<uint64_t> received{0};
  int64_t last_ns = 0;
  latency_histogram arrival;
};

class broadcast_all final : public swarm::handler {
 public:
  explicit broadcast_all(const options& o) : o_(o), pool_(o.threads), swarm_(pool_, o, *this), totals_(o.threads) {}
  ~broadcast_all() { pool_.stop(); }

  json run() {
    json out{{"scenario", "broadcast-all"}, {"clients", o_.clients}, {"nodes", o_.targets.size()}};
    if (std::string error; !warm_up(o_, false, error)) {
      out["ok"] = false;
      out["error"] = error;
      return out;
    }
    const auto rss_before = total_rss_kib(o_.server_pids);
    const int64_t setup_start = now_ns();
    std::string error;
    if (!swarm_.establish(false, error)) {
      out["ok"] = false;
      out["error"] = error;
      return out;
    }
    swarm_.wait_quiet(0.3, 10);
    out["setup_s"] = static_cast<double>(now_ns() - setup_start) / 1e9;
    out["handshakes_per_s"] = static_cast<double>(o_.clients) / out["setup_s"].get<double>();
    // The memory each connected client (in no room) costs the server, at this scale.
    if (const auto rss_after = total_rss_kib(o_.server_pids); rss_before && rss_after) {
      out["rss_per_client_kib"] = static_cast<double>(*rss_after - *rss_before) / static_cast<double>(o_.clients);
    }

    cpu_window cpu(o_);
    json rounds = json::array();
    std::vector<double> lasts;
    bool ok = true;
    for (size_t r = 0; r < o_.rounds && ok; ++r) {
      for (size_t w = 0; w < pool_.size(); ++w) {
        pool_.run_on(w, [&] {
          totals_[w].received.store(0);
          totals_[w].last_ns = 0;
          totals_[w].arrival.clear();
        });
      }
      const auto response = http_post_json(o_.targets.front(), "/api/publish", R"({"event":"all","data":"x"})",
                                           [&] { sent_ns_.store(now_ns(), std::memory_order_release); });
      if (response.status != 200) {
        out["error"] = "POST /api/publish: " +
                       (response.status ? std::to_string(response.status) + " " + response.body : response.error);
        ok = false;
        break;
      }
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (received() < o_.clients && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      }
      latency_histogram arrival;
      int64_t last = 0;
      for (size_t w = 0; w < pool_.size(); ++w) {
        pool_.run_on(w, [&] {
          arrival.merge(totals_[w].arrival);
          last = std::max(last, totals_[w].last_ns);
        });
      }
      const auto got = received();
      const double last_ms = static_cast<double>(last - sent_ns_.load()) / 1e6;
      rounds.push_back({{"received", got},
                        {"last_ms", last_ms},
                        {"p50_ms", arrival.percentile_ms(0.5)},
                        {"p99_ms", arrival.percentile_ms(0.99)}});
      lasts.push_back(last_ms);
      if (got != o_.clients) ok = false;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    out.update(cpu.finish());
    swarm_.close_all(10);
    out["rounds"] = rounds;
    if (!lasts.empty()) {
      std::sort(lasts.begin(), lasts.end());
      out["last_ms_median"] = lasts[lasts.size() / 2];
      out["last_ms_max"] = lasts.back();
    }
    out["ok"] = ok;
    return out;
  }

 private:
  uint64_t received() const {
    uint64_t n = 0;
    for (const auto& t : totals_) n += t.received.load(std::memory_order_relaxed);
    return n;
  }

  void on_event(client& c, std::string_view packet, int64_t received_ns) override {
    if (!is_event(packet, "all")) return;
    auto& t = totals_[swarm_.worker_of(c.index())];
    const int64_t since = received_ns - sent_ns_.load(std::memory_order_acquire);
    t.arrival.record_ns(since);
    t.last_ns = std::max(t.last_ns, received_ns);
    t.received.fetch_add(1, std::memory_order_relaxed);
  }

  const options& o_;
  worker_pool pool_;
  swarm swarm_;
  std::vector<round_totals> totals_;
  std::atomic<int64_t> sent_ns_{0};
};

}  // namespace

json run_broadcast_all(const options& o) {
  broadcast_all b(o);
  return b.run();
}

}  // namespace switchboard::bench
