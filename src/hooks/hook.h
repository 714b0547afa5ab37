#pragma once
// One backend hook (docs/design.md#backend-hooks): a URL the node POSTs JSON to and whose answer
// decides something for a client. Each worker has its own keep-alive pool (http/client.h), so a
// call never leaves the worker it was made on and never blocks it. Every request is signed
// (hooks/signature.h), bounded by --hook-timeout and by the node's limit of hook requests in
// flight, and refused at once while the backend keeps failing (hooks/breaker.h). Counted by
// outcome, with a latency histogram, for /metrics.
#include "base/json.h"
#include "base/loop_group.h"
#include "hooks/answer.h"
#include "hooks/breaker.h"
#include "hooks/settings.h"
#include "http/client.h"
#include "http/url.h"

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::hooks {

// Counters of one hook, read by /metrics.
struct stats {
  // Upper bounds of the latency buckets, in milliseconds; the last bucket is +Inf.
  static constexpr std::array<int, 11> bounds_ms{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000};
  std::array<std::atomic<int64_t>, outcome_count> by_outcome{};
  std::array<std::atomic<int64_t>, bounds_ms.size() + 1> latency{};  // not cumulative
  std::atomic<int64_t> latency_sum_us{0};
};

class hook {
 public:
  using done_fn = std::function<void(answer)>;

  // What counts as an answer: a hook's 200 with a JSON object (or its 401 / 403 refusal), or a
  // webhook's delivery, any 2xx whatever its body.
  enum class answers { json, any_2xx };

  // `name` labels its metrics (connect, join, message, rpc:EVENT, webhook). `in_flight` is the
  // node's count of hook requests, shared by its hooks.
  hook(std::string name, const http::fetch_url& url, loop_group& loops, const settings& s,
       std::atomic<size_t>& in_flight, answers kind = answers::json);

  // Called on a worker; `done` runs later on the same worker.
  void call(const json& body, done_fn done);

  const std::string& name() const { return name_; }
  const stats& counters() const { return stats_; }

 private:
  void finished(answer a, std::chrono::steady_clock::time_point started, const done_fn& done);

  std::string name_;
  answers kind_;
  std::string target_;
  loop_group& loops_;
  const settings& settings_;
  std::atomic<size_t>& in_flight_;
  breaker breaker_;
  stats stats_;
  std::vector<std::shared_ptr<http::client>> clients_;  // one per worker
};

}  // namespace switchboard::hooks
