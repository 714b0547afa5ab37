#include "cluster/relay.h"

#include "base/metrics.h"

namespace switchboard::cluster {

void redis_relay::send(const json& job, done_fn done) {
  const std::string body = job.dump(-1, ' ', false, json::error_handler_t::replace);
  const auto target = rule_.target;
  if (rule_.stream) {
    link_.command({"XADD", rule_.target, "MAXLEN", "~", std::to_string(relay_stream_max_jobs), "*", "job", body},
                  [done = std::move(done), target](const redis_value& v) {
                    if (v.type != redis_value::kind::string) return done("stream " + target + ": " + v.str);
                    metrics::add(metrics::counter::relayed_jobs);
                    done({});
                  });
    return;
  }
  link_.command({"PUBLISH", rule_.target, body}, [done = std::move(done), target](const redis_value& v) {
    if (v.type != redis_value::kind::integer) return done("channel " + target + ": " + v.str);
    if (v.integer == 0) return done("no worker is listening on channel " + target);
    metrics::add(metrics::counter::relayed_jobs);
    done({});
  });
}

}  // namespace switchboard::cluster
