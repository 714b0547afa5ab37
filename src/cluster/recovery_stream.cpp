#include "cluster/recovery_stream.h"

#include "base/json_parse.h"
#include "base/log.h"
#include "base/metrics.h"
#include "protocol/socketio/packet.h"

#include <charconv>

namespace switchboard::cluster {
namespace {

// KEYS[1] stream, KEYS[2] the broadcast's token key; ARGV recovery channel, message before the
// offset, after it, MAXLEN, plain channel (empty: no plain copy), plain message, "1" on a retry,
// the token key's lifetime (ms), PUBLISH or SPUBLISH for the recovery channel. The token key holds the stream id the
// broadcast got: when a first attempt's reply was lost with the connection, the broadcast may be in the stream already,
// and a retry must not add it twice.
constexpr const char* append_script = R"(
if ARGV[7] == '1' then
  local appended = redis.call('GET', KEYS[2])
  if appended then return appended end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'b', ARGV[2], 'a', ARGV[3])
local ms, seq = string.match(id, '^(%d+)-(%d+)$')
if #ms > 13 or #seq > 6 then return redis.error_reply('stream id too long for an offset: ' .. id) end
redis.call('SET', KEYS[2], id, 'PX', ARGV[8])
local offset = string.rep('0', 13 - #ms) .. ms .. '-' .. string.rep('0', 6 - #seq) .. seq
redis.call(ARGV[9], ARGV[1], ARGV[2] .. offset .. ARGV[3])
if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[5], ARGV[6]) end
return id
)";

// KEYS[1] session, KEYS[2] stream; ARGV[1] the offset as a stream id. The session is consumed;
// the offset must still be in the stream (nothing after it trimmed), as Node's adapters require.
constexpr const char* take_script = R"(
if redis.call('DEL', KEYS[1]) == 0 then return false end
if #redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1]) == 0 then return false end
return redis.call('XRANGE', KEYS[2], '(' .. ARGV[1], '+')
)";

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

uint64_t number(std::string_view s) {
  uint64_t n = 0;
  std::from_chars(s.data(), s.data() + s.size(), n);
  return n;
}

std::string stream_id(fanout::log_position p) { return std::to_string(p.major) + "-" + std::to_string(p.minor); }

// XRANGE's reply: [[id, [field, value, ...]], ...] with fields b(efore) and a(fter) the offset;
// each message as published, the offset spliced in.
recovery_stream::entries published_entries(const redis_value& v) {
  recovery_stream::entries out;
  for (const auto& e : v.elements) {
    if (e.elements.size() != 2 || e.elements[1].elements.size() < 4) continue;
    const auto& fields = e.elements[1].elements;
    const auto offset_text = padded_offset(e.elements[0].str);
    if (offset_text.empty()) continue;
    out.emplace_back(e.elements[0].str, fields[1].str + offset_text + fields[3].str);
  }
  return out;
}

}  // namespace

std::string padded_offset(std::string_view id) {
  const auto dash = id.find('-');
  if (dash == std::string_view::npos) return {};
  const auto ms = id.substr(0, dash), seq = id.substr(dash + 1);
  if (!all_digits(ms) || !all_digits(seq) || ms.size() > 13 || seq.size() > 6) return {};
  return std::string(13 - ms.size(), '0') + std::string(ms) + '-' + std::string(6 - seq.size(), '0') + std::string(seq);
}

std::optional<fanout::log_position> offset_position(std::string_view offset) {
  if (offset.size() != offset_length || offset[13] != '-') return std::nullopt;
  const auto ms = offset.substr(0, 13), seq = offset.substr(14);
  if (!all_digits(ms) || !all_digits(seq)) return std::nullopt;
  fanout::log_position p{number(ms), number(seq)};
  if (!p) return std::nullopt;
  return p;
}

recovery_stream::recovery_stream(redis_link& link, const std::string& prefix, const std::string& nsp,
                                 std::chrono::milliseconds window, size_t max_packets, pubsub mode)
    : link_(link),
      mode_(mode),
      // The hash tag puts the shard channel in the stream's slot: a script may only SPUBLISH there.
      channel_(mode == pubsub::sharded ? prefix + "-recovery#{" + nsp + "}#" : prefix + "-recovery#" + nsp + "#"),
      stream_key_(prefix + ":recovery:{" + nsp + "}"),
      session_prefix_(stream_key_ + ":session:"),
      window_ms_(std::to_string(window.count())),
      max_packets_(std::to_string(max_packets)) {}

std::optional<recovery_stream::append> recovery_stream::prepare(const std::string& message,
                                                                const std::string& placeholder,
                                                                std::string plain_channel, std::string plain) {
  const auto at = message.rfind(placeholder);
  if (at == std::string::npos) return std::nullopt;
  return append{message.substr(0, at), message.substr(at + placeholder.size()), std::move(plain_channel),
                std::move(plain), placeholder};
}

void recovery_stream::append_and_publish(const append& a, bool retry, std::function<void(bool appended)> done) {
  link_.command(
      {"EVAL", append_script, "2", stream_key_, stream_key_ + ":token:" + a.token, channel_, a.before, a.after,
       max_packets_, a.plain_channel, a.plain, retry ? "1" : "0", window_ms_,
       mode_ == pubsub::sharded ? "SPUBLISH" : "PUBLISH"},
      [done = std::move(done), sent = std::chrono::steady_clock::now()](const redis_value& v) {
        if (v.type == redis_value::kind::string) {
          // The script is this broadcast's PUBLISH: its round trip is the publish latency.
          metrics::record_redis_publish_latency(
              std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - sent).count());
          return done(true);
        }
        SB_LOG(warn, "event=recovery_append_failed error=\"" << (v.is_error() ? v.str : "no reply") << "\"");
        done(false);
      });
}

void recovery_stream::newest(std::function<void(std::optional<fanout::log_position>)> done) {
  link_.command({"XREVRANGE", stream_key_, "+", "-", "COUNT", "1"}, [done = std::move(done)](const redis_value& v) {
    if (v.type != redis_value::kind::array) return done(std::nullopt);
    fanout::log_position newest{0, 1};  // an empty stream: everything appended later is after this
    if (!v.elements.empty() && !v.elements[0].elements.empty()) {
      newest = offset_position(padded_offset(v.elements[0].elements[0].str)).value_or(newest);
    }
    done(newest);
  });
}

void recovery_stream::read_after(fanout::log_position after, std::function<void(std::optional<entries>)> done) {
  link_.command({"XRANGE", stream_key_, "(" + stream_id(after), "+", "COUNT", max_packets_},
                [done = std::move(done)](const redis_value& v) {
                  if (v.type != redis_value::kind::array) return done(std::nullopt);
                  done(published_entries(v));
                });
}

void recovery_stream::keep(const fanout::recovery_session& s) {
  const json value{{"sid", s.sid}, {"rooms", s.rooms}, {"data", s.data}};
  link_.command(
      {"SET", session_key(s.pid), value.dump(-1, ' ', false, json::error_handler_t::replace), "PX", window_ms_}, {});
}

void recovery_stream::find(const std::string& pid, std::function<void(std::optional<fanout::recovery_session>)> done) {
  link_.command({"GET", session_key(pid)}, [pid, done = std::move(done)](const redis_value& v) {
    if (v.type != redis_value::kind::string) return done(std::nullopt);
    const json j = parse_json_within(v.str, protocol::socketio::max_nesting_depth);
    if (!j.is_object() || !j.contains("sid") || !j["sid"].is_string() || !j.contains("rooms") || !j["rooms"].is_array())
      return done(std::nullopt);
    fanout::recovery_session s;
    s.sid = j["sid"].get<std::string>();
    s.pid = pid;
    for (const auto& r : j["rooms"]) {
      if (r.is_string()) s.rooms.push_back(r.get<std::string>());
    }
    s.data = j.value("data", json());
    done(std::move(s));
  });
}

void recovery_stream::take(const std::string& pid, const std::string& offset,
                           std::function<void(std::optional<entries>)> done) {
  const auto position = offset_position(offset);
  if (!position) return done(std::nullopt);
  link_.command({"EVAL", take_script, "2", session_key(pid), stream_key_, stream_id(*position)},
                [done = std::move(done)](const redis_value& v) {
                  if (v.type != redis_value::kind::array) return done(std::nullopt);
                  done(published_entries(v));
                });
}

}  // namespace switchboard::cluster
