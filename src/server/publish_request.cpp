#include "server/publish_request.h"

#include "base/json_parse.h"
#include "protocol/socketio/packet.h"

namespace switchboard::server {

bool read_publish_request(std::string_view body, publish_request& out, std::string& error) {
  // `data` becomes an event's argument: as deep as a client's may be, with the body around it.
  json parsed = parse_json_within(body, protocol::socketio::max_nesting_depth);
  if (parsed.is_discarded() || !parsed.is_object()) {
    error = "the body must be a JSON object {room?, event, data?}, nested at most " +
            std::to_string(protocol::socketio::max_nesting_depth) + " deep";
    return false;
  }
  const auto event = parsed.find("event");
  if (event == parsed.end() || !event->is_string() || event->get_ref<const std::string&>().empty()) {
    error = "event must be a non-empty string";
    return false;
  }
  if (protocol::socketio::is_reserved_event(event->get_ref<const std::string&>())) {
    error = "event is a reserved Socket.IO event name";
    return false;
  }
  const auto room = parsed.find("room");
  if (room != parsed.end() && !room->is_null() && (!room->is_string() || room->get_ref<const std::string&>().empty())) {
    error = "room must be a non-empty string";
    return false;
  }
  out = publish_request{};
  out.event = event->get<std::string>();
  if (room != parsed.end() && room->is_string()) out.room = room->get<std::string>();
  if (const auto data = parsed.find("data"); data != parsed.end()) out.args.push_back(std::move(*data));
  return true;
}

}  // namespace switchboard::server
