// idle: N clients connected (and joined to one room unless --no-join), then held. The server's
// resident memory per client is (RSS after − RSS before) / N, both read from /proc/PID/status:
// after a warm-up (warm_up.h) before connecting, and at the end of the hold.
#include "bench/loadgen/clock.h"
#include "bench/loadgen/measure.h"
#include "bench/loadgen/scenarios.h"
#include "bench/loadgen/swarm.h"
#include "bench/loadgen/warm_up.h"

#include <chrono>
#include <thread>

namespace switchboard::bench {
namespace {

struct idle_handler final : swarm::handler {
  std::atomic<uint64_t> disconnects{0};
  void on_closed(client&, bool, std::string_view) override { disconnects.fetch_add(1); }
};

}  // namespace

json run_idle(const options& o) {
  json out{{"scenario", "idle"}, {"clients", o.clients}, {"joined", o.join}, {"nodes", o.targets.size()}};
  if (std::string error; !warm_up(o, o.join, error)) {
    out["ok"] = false;
    out["error"] = error;
    return out;
  }
  const auto rss_before = total_rss_kib(o.server_pids);
  worker_pool pool(o.threads);
  idle_handler h;
  swarm s(pool, o, h);
  const int64_t setup_start = now_ns();
  cpu_window cpu(o);
  std::string error;
  if (!s.establish(o.join, error)) {
    out["ok"] = false;
    out["error"] = error;
    return out;
  }
  s.wait_quiet(0.5, 30);
  out["setup_s"] = static_cast<double>(now_ns() - setup_start) / 1e9;
  out["handshakes_per_s"] = static_cast<double>(o.clients) / out["setup_s"].get<double>();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.hold));
  const auto rss_after = total_rss_kib(o.server_pids);
  out["connected"] = s.ready() - h.disconnects.load();
  out["disconnects"] = h.disconnects.load();
  if (rss_before && rss_after) {
    out["rss_before_kib"] = *rss_before;
    out["rss_after_kib"] = *rss_after;
    out["rss_per_client_kib"] = static_cast<double>(*rss_after - *rss_before) / static_cast<double>(o.clients);
  }
  out.update(cpu.finish());
  s.close_all(10);
  out["ok"] = h.disconnects.load() == 0;
  return out;
}

}  // namespace switchboard::bench
