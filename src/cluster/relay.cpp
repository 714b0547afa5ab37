#include "cluster/relay.h"

#include "base/metrics.h"
#include "protocol/socketio/packet.h"

namespace switchboard::cluster {

bool parse_relay_rule(std::string_view text, relay_rule& out, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    error = "expected EVENT=CHANNEL or EVENT=stream:NAME, e.g. summarize=stream:jobs";
    return false;
  }
  out.event = std::string(text.substr(0, eq));
  std::string_view target = text.substr(eq + 1);
  out.stream = target.starts_with("stream:");
  if (out.stream) target.remove_prefix(7);
  if (target.empty()) {
    error = "the stream name is empty: expected EVENT=stream:NAME";
    return false;
  }
  out.target = std::string(target);
  if (protocol::socketio::is_reserved_event(out.event)) {
    error = "\"" + out.event + "\" is a reserved Socket.IO event name";
    return false;
  }
  return true;
}

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
