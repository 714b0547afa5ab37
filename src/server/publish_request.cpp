#include "server/publish_request.h"

#include "base/json_parse.h"
#include "protocol/socketio/packet.h"

namespace switchboard::server {
namespace {

// One entry, already parsed.
bool read_entry(json& parsed, publish_request& out, std::string& error) {
  if (!parsed.is_object()) {
    error = "each request must be a JSON object {room?, event, data?, idempotency_key?}";
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
  const auto key = parsed.find("idempotency_key");
  if (key != parsed.end() && !key->is_null() &&
      (!key->is_string() || key->get_ref<const std::string&>().empty() ||
       key->get_ref<const std::string&>().size() > max_idempotency_key_bytes)) {
    error = "idempotency_key must be a string of 1 to " + std::to_string(max_idempotency_key_bytes) + " bytes";
    return false;
  }
  out = publish_request{};
  out.event = event->get<std::string>();
  if (room != parsed.end() && room->is_string()) out.room = room->get<std::string>();
  if (key != parsed.end() && key->is_string()) out.idempotency_key = key->get<std::string>();
  if (const auto data = parsed.find("data"); data != parsed.end()) out.args.push_back(std::move(*data));
  return true;
}

// `data` becomes an event's argument: as deep as a client's may be, the body around it (and an
// array around the bodies) not counted.
json parse_body(std::string_view body) {
  const auto first = body.find_first_not_of(" \t\r\n");
  const bool array = first != std::string_view::npos && body[first] == '[';
  return parse_json_within(body, protocol::socketio::max_nesting_depth + (array ? 1 : 0));
}

}  // namespace

bool read_publish_request(std::string_view body, publish_request& out, std::string& error) {
  json parsed = parse_body(body);
  if (parsed.is_discarded() || !parsed.is_object()) {
    error = "the body must be a JSON object {room?, event, data?}, nested at most " +
            std::to_string(protocol::socketio::max_nesting_depth) + " deep";
    return false;
  }
  return read_entry(parsed, out, error);
}

bool read_publish_requests(std::string_view body, std::vector<publish_request>& out, bool& array, std::string& error) {
  json parsed = parse_body(body);
  out.clear();
  array = parsed.is_array();
  if (!array) {
    if (parsed.is_discarded() || !parsed.is_object()) {
      error =
          "the body must be a JSON object {room?, event, data?, idempotency_key?} or an array of them, nested "
          "at most " +
          std::to_string(protocol::socketio::max_nesting_depth) + " deep";
      return false;
    }
    if (read_entry(parsed, out.emplace_back(), error)) return true;
    out.clear();  // a refused body yields no request
    return false;
  }
  if (parsed.empty() || parsed.size() > max_publish_batch) {
    error = "an array of requests holds 1 to " + std::to_string(max_publish_batch) + " of them";
    return false;
  }
  out.reserve(parsed.size());
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (!read_entry(parsed[i], out.emplace_back(), error)) {
      error = "request " + std::to_string(i) + ": " + error;
      out.clear();
      return false;
    }
  }
  return true;
}

}  // namespace switchboard::server
