#include "cluster/classic_wire.h"

#include "base/json_parse.h"
#include "cluster/remote_event.h"

#include <cstdio>
#include <ctime>

namespace switchboard::cluster {

std::string encode_broadcast(const std::string& uid, const std::string& nsp, const json& data,
                             const fanout::broadcast_options& opts) {
  json flags = json::object();
  if (opts.is_volatile) flags["volatile"] = true;
  const json message = json::array({uid, json{{"type", 2}, {"data", data}, {"nsp", nsp}},
                                    json{{"rooms", opts.rooms}, {"except", opts.except}, {"flags", flags}}});
  const auto bytes = json::to_msgpack(message);
  return std::string(bytes.begin(), bytes.end());
}

namespace {

// Requests and responses: JSON from Node's JSON.stringify, MessagePack for BROADCAST with acks.
json decode_json_or_msgpack(std::string_view payload) {
  if (!payload.empty() && payload[0] == '{') return parse_json_within(payload, max_message_depth);
  return parse_msgpack_within(payload, max_message_depth);
}

json discarded() { return json(json::value_t::discarded); }

// JavaScript's Date.prototype.toJSON: 1970-01-01T00:00:00.000Z; years outside 0..9999 as +/-YYYYYY;
// null for a time outside ECMAScript's range of ±8.64e15 ms, as notepack's Date would be invalid.
constexpr int64_t max_date_ms = 8'640'000'000'000'000;

json js_date(int64_t secs, int64_t millis_part) {
  // Seconds beyond the range are refused before multiplying, so nothing here can overflow.
  if (secs > max_date_ms / 1000 || secs < -max_date_ms / 1000) return nullptr;
  const int64_t ms = secs * 1000 + millis_part;
  if (ms > max_date_ms || ms < -max_date_ms) return nullptr;
  const int64_t floor_secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const int millis = static_cast<int>(ms - floor_secs * 1000);
  const std::time_t t = static_cast<std::time_t>(floor_secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const int64_t year = static_cast<int64_t>(tm.tm_year) + 1900;
  char buf[96];  // wide enough for any int the compiler imagines
  if (year >= 0 && year <= 9999) {
    std::snprintf(buf, sizeof buf, "%04d-", static_cast<int>(year));
  } else {
    std::snprintf(buf, sizeof buf, "%c%06lld-", year < 0 ? '-' : '+', static_cast<long long>(year < 0 ? -year : year));
  }
  std::string out = buf;
  std::snprintf(buf, sizeof buf, "%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec, millis);
  return out + buf;
}

}  // namespace

void normalize_notepack(json& value) {
  if (value.is_binary()) {
    const auto& b = value.get_binary();
    if (!b.has_subtype()) return;  // a real Buffer
    uint64_t raw = 0;
    if (b.subtype() == 0xff && (b.size() == 4 || b.size() == 8)) {
      // The MessagePack timestamp: 32-bit seconds, or 30-bit nanoseconds over 34-bit seconds.
      for (uint8_t byte : b) raw = (raw << 8) | byte;
      const int64_t secs = b.size() == 4 ? static_cast<int64_t>(raw) : static_cast<int64_t>(raw & 0x3ffffffffULL);
      const int64_t nanos = b.size() == 4 ? 0 : static_cast<int64_t>(raw >> 34);
      value = js_date(secs, nanos / 1'000'000);
    } else if (b.subtype() == 0xff && b.size() == 12) {
      // Timestamp 96: 32-bit nanoseconds, then signed 64-bit seconds (dates before 1970).
      uint32_t nanos = 0;
      for (size_t i = 0; i < 4; ++i) nanos = (nanos << 8) | b[i];
      for (size_t i = 4; i < 12; ++i) raw = (raw << 8) | b[i];
      value = js_date(static_cast<int64_t>(raw), static_cast<int64_t>(nanos / 1'000'000));
    } else if (b.subtype() == 0 && b.size() == 1) {
      value = nullptr;  // undefined
    }
    return;
  }
  if (value.is_array() || value.is_object()) {
    for (auto& v : value) normalize_notepack(v);
  }
}

std::optional<classic_broadcast> decode_classic_broadcast(std::string_view payload) {
  json message = parse_msgpack_within(payload, max_message_depth);
  if (!message.is_array() || message.size() < 2 || !message[1].is_object()) return std::nullopt;
  classic_broadcast b;
  if (message[0].is_string()) b.uid = std::move(message[0].get_ref<std::string&>());
  b.packet = std::move(message[1]);
  b.opts = message.size() > 2 ? std::move(message[2]) : json::object();
  return b;
}

json decode_classic_request(std::string_view payload) {
  json req = decode_json_or_msgpack(payload);
  if (!req.is_object()) return discarded();
  const auto type = req.find("type");
  if (type == req.end() || !type->is_number_integer()) return discarded();
  return req;
}

json decode_classic_response(std::string_view payload) {
  json res = decode_json_or_msgpack(payload);
  if (!res.is_object()) return discarded();
  const auto rid = res.find("requestId");
  if (rid == res.end() || !rid->is_string()) return discarded();
  return res;
}

std::string encode_classic_response(const json& response) {
  return response.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string broadcast_channel(const std::string& base_channel, const fanout::broadcast_options& opts) {
  return opts.rooms.size() == 1 ? base_channel + opts.rooms.front() + "#" : base_channel;
}

}  // namespace switchboard::cluster
