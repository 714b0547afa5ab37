#include "cluster/rules.h"

#include "base/json_parse.h"
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
  // As deep as a client's argument may be (it becomes the one argument of an event).
  json value = parse_json_within(payload, protocol::socketio::max_nesting_depth - 1);
  if (!value.is_discarded()) return value;
  // Not JSON (or nested too deeply): the text itself. Dumping with `replace` and reading back swaps invalid UTF-8 for
  // U+FFFD, so that encoding the packet later cannot throw.
  return json::parse(json(std::string(payload)).dump(-1, ' ', false, json::error_handler_t::replace));
}

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

}  // namespace switchboard::cluster
