#include "cluster/bridge.h"

#include "base/metrics.h"

namespace switchboard::cluster {

void attach_bridge(redis_link& link, socketio::namespace_& nsp, bridge_rule rule, size_t max_bytes) {
  link.subscribe(rule.channel, [&nsp, rule, max_bytes](const std::string&, const std::string& payload) {
    if (payload.size() > max_bytes) return drop_bad_message(rule.channel, payload.size(), "over --max-payload");
    metrics::add(metrics::counter::bridged_messages);
    nsp.local().emit(rule.event, json::array({bridge_argument(payload)}));
  });
}

}  // namespace switchboard::cluster
