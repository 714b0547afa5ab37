#include "storage/redis_history.h"

#include "base/json.h"
#include "base/json_parse.h"
#include "base/json_write.h"
#include "base/log.h"
#include "protocol/socketio/packet.h"

#include <boost/asio/post.hpp>

#include <charconv>

namespace switchboard::storage {
namespace {

constexpr const char* append_script = R"(
local id = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], id, id .. ':' .. ARGV[1])
local keep = tonumber(ARGV[2])
local n = redis.call('ZCARD', KEYS[2])
if n > keep then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - keep - 1) end
return id
)";

// "<id>:<json of user, name?, text, ts>" back into a message of `room`; false when it is not one.
bool parse_entry(const std::string& entry, const std::string& room, message& out) {
  const auto colon = entry.find(':');
  if (colon == std::string::npos) return false;
  uint64_t id = 0;
  const auto [end, ec] = std::from_chars(entry.data(), entry.data() + colon, id);
  if (ec != std::errc{} || end != entry.data() + colon) return false;
  // Anyone who can write to Redis can write here: parsed with the nesting bound of client input.
  const json j = parse_json_within(std::string_view(entry).substr(colon + 1), protocol::socketio::max_nesting_depth);
  if (!j.is_object() || !j.contains("user") || !j["user"].is_string() || !j.contains("text") ||
      !j["text"].is_string() || !j.contains("ts") || !j["ts"].is_number_integer())
    return false;
  out = {id, room, j["user"].get<std::string>(), j["text"].get<std::string>(), j["ts"].get<int64_t>(), {}};
  if (const auto name = j.find("name"); name != j.end() && name->is_string()) out.name = name->get<std::string>();
  return true;
}

// The stored entry's JSON; `name` only where it differs from the user id.
std::string entry_json(const message& m) {
  json j{{"user", m.user}, {"text", m.text}, {"ts", m.ts}};
  if (!m.name.empty()) j["name"] = m.name;
  return switchboard::to_json(j);
}

}  // namespace

redis_history::redis_history(cluster::redis_link& link, std::string prefix, size_t per_room)
    : link_(link), prefix_(std::move(prefix)), per_room_(per_room) {}

std::string redis_history::key(const std::string& room, const char* what) const {
  return prefix_ + ":chat:{" + room + "}:" + what;
}

void redis_history::append(message m, boost::asio::io_context& reply_on, append_done done) {
  // Built before the call: the callback below takes `m` by move, and argument order is unspecified.
  std::vector<std::string> argv{
      "EVAL", append_script, "2", key(m.room, "seq"), key(m.room, "history"), entry_json(m), std::to_string(per_room_)};
  link_.command(
      std::move(argv), [&reply_on, m = std::move(m), done = std::move(done)](const cluster::redis_value& v) mutable {
        if (v.type != cluster::redis_value::kind::integer) {
          const std::string error = v.is_error() ? v.str : "unexpected reply from Redis";
          SB_LOG(error, "event=storage_error op=append store=redis error=\"" << error << "\"");
          return boost::asio::post(reply_on, [done = std::move(done), error] { done(std::nullopt, error); });
        }
        m.id = static_cast<uint64_t>(v.integer);
        boost::asio::post(reply_on, [done = std::move(done), m = std::move(m)]() mutable { done(std::move(m), {}); });
      });
}

void redis_history::read(history_query q, boost::asio::io_context& reply_on, read_done done) {
  const std::string max = q.before ? "(" + std::to_string(*q.before) : "+inf";
  link_.command({"ZREVRANGEBYSCORE", key(q.room, "history"), max, "-inf", "LIMIT", "0", std::to_string(q.limit)},
                [&reply_on, room = q.room, done = std::move(done)](const cluster::redis_value& v) mutable {
                  std::vector<message> out;
                  const bool ok = v.type == cluster::redis_value::kind::array;
                  if (!ok) {
                    SB_LOG(error, "event=storage_error op=read store=redis error=\"" << v.str << "\"");
                  } else {
                    for (const auto& e : v.elements) {
                      message m;
                      if (parse_entry(e.str, room, m)) out.push_back(std::move(m));
                    }
                  }
                  boost::asio::post(reply_on, [done = std::move(done), ok, out = std::move(out)]() mutable {
                    done(ok, std::move(out));
                  });
                });
}

}  // namespace switchboard::storage
