#include "cluster/bridge.h"

#include "base/metrics.h"
#include "protocol/socketio/packet.h"

namespace switchboard::cluster {

bool parse_bridge_rule(std::string_view text, bridge_rule& out, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    error = "expected CHANNEL=EVENT, e.g. chat_messages=message";
    return false;
  }
  out.channel = std::string(text.substr(0, eq));
  out.event = std::string(text.substr(eq + 1));
  if (protocol::socketio::is_reserved_event(out.event)) {
    error = "\"" + out.event + "\" is a reserved Socket.IO event name";
    return false;
  }
  return true;
}

json bridge_argument(std::string_view payload) {
  json value = json::parse(payload, nullptr, false);
  if (!value.is_discarded()) return value;
  // Not JSON: the text itself. Dumping with `replace` and reading back swaps invalid UTF-8 for
  // U+FFFD, so that encoding the packet later cannot throw.
  return json::parse(json(std::string(payload)).dump(-1, ' ', false, json::error_handler_t::replace));
}

void attach_bridge(redis_link& link, socketio::namespace_& nsp, bridge_rule rule, size_t max_bytes) {
  link.subscribe(rule.channel, [&nsp, rule, max_bytes](const std::string&, const std::string& payload) {
    if (payload.size() > max_bytes) return drop_bad_message(rule.channel, payload.size(), "over --max-payload");
    metrics::add(metrics::counter::bridged_messages);
    nsp.local().emit(rule.event, json::array({bridge_argument(payload)}));
  });
}

}  // namespace switchboard::cluster
