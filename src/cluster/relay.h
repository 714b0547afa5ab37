#pragma once
// Relays (docs/design.md#cluster), the pattern's direction towards workers: `--relay EVENT=CHANNEL` publishes
// each relayed client emit as a JSON job on a Redis channel for any subscribed worker;
// `--relay EVENT=stream:NAME` appends it to a Redis stream instead, so that a pool of workers in
// one consumer group (XREADGROUP) runs each job once. Workers answer through a bridge channel or
// the HTTP API.
#include "base/json.h"
#include "cluster/redis_link.h"
#include "cluster/rules.h"

#include <functional>
#include <string>
#include <string_view>

namespace switchboard::cluster {

// A stream keeps at most about this many jobs (XADD MAXLEN ~): bounded when no worker reads it.
inline constexpr size_t relay_stream_max_jobs = 100'000;

class redis_relay {
 public:
  // Empty `error` once Redis took the job; else why not. Runs on worker 0.
  using done_fn = std::function<void(const std::string& error)>;

  redis_relay(redis_link& link, relay_rule rule) : link_(link), rule_(std::move(rule)) {}

  const relay_rule& rule() const { return rule_; }
  // From any thread. A channel job counts as taken only when at least one worker is subscribed:
  // Pub/Sub keeps nothing for absent listeners, and a job nobody got must not look accepted.
  void send(const json& job, done_fn done);

 private:
  redis_link& link_;
  relay_rule rule_;
};

}  // namespace switchboard::cluster
