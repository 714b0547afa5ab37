#include "storage/redis_directory.h"

#include "base/log.h"

#include <boost/asio/post.hpp>

#include <string>
#include <string_view>

namespace switchboard::storage {
namespace {

// The heartbeat goes out every `heartbeat_ticks` ticks (5 s), and at once on every (re)link.
constexpr auto tick = std::chrono::milliseconds(250);
constexpr int heartbeat_ticks = 20;
constexpr int live_seconds = 15;
constexpr int purge_after_seconds = 60;

// KEYS[1] nodes zset. ARGV: node id. Scores the node with Redis' clock (no skew between nodes).
constexpr const char* heartbeat_script = R"(
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], t[1], ARGV[1])
return t[1]
)";

// KEYS[1] nodes zset. ARGV: the keys' common start, seconds after which a silent node is purged. Removes every
// field a dead node left in the room hashes.
constexpr const char* purge_script = R"(
local now = tonumber(redis.call('TIME')[1])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[2])))
for _, node in ipairs(dead) do
  local rooms_key = ARGV[1] .. 'node:' .. node
  for _, room in ipairs(redis.call('SMEMBERS', rooms_key)) do
    local key = ARGV[1] .. 'room:' .. room
    for _, f in ipairs(redis.call('HKEYS', key)) do
      if string.sub(f, 1, #node + 1) == node .. '\n' then redis.call('HDEL', key, f) end
    end
  end
  redis.call('DEL', rooms_key)
  redis.call('ZREM', KEYS[1], node)
end
return #dead
)";

// Records one user of this node entering (ARGV[3] = 1) or leaving (0) a room and answers the sum
// of 1 when another live node has the same user in the room and 2 when any other user is in it
// on a live node (atomic: of two nodes adding at once, exactly one sees the other). KEYS: room
// hash, rooms set, this node's rooms set, nodes zset. ARGV: node, user, present, live seconds,
// room. Walks the room hash: joins and leaves are rare next to messages.
constexpr const char* write_script = R"(
local field = ARGV[1] .. '\n' .. ARGV[2]
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], field, '1')
  redis.call('SADD', KEYS[2], ARGV[5])
  redis.call('SADD', KEYS[3], ARGV[5])
else
  redis.call('HDEL', KEYS[1], field)
end
local oldest = tonumber(redis.call('TIME')[1]) - tonumber(ARGV[4])
local live = {}
local same, others = 0, 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local nl = string.find(f, '\n', 1, true)
  if nl then
    local node, user = string.sub(f, 1, nl - 1), string.sub(f, nl + 1)
    if live[node] == nil then
      local score = redis.call('ZSCORE', KEYS[4], node)
      live[node] = node == ARGV[1] or (score ~= false and tonumber(score) >= oldest)
    end
    if live[node] then
      if user ~= ARGV[2] then
        others = 2
      elseif node ~= ARGV[1] then
        same = 1
      end
    end
  end
  if same + others == 3 then break end
end
return same + others
)";

// Shared by the read scripts: the distinct users of live nodes in one room hash. `live` caches
// each node's liveness for the script's run.
constexpr std::string_view live_users_lua = R"(
local function live_users(key, nodes_key, oldest, live)
  local seen = {}
  local out = {}
  for _, f in ipairs(redis.call('HKEYS', key)) do
    local nl = string.find(f, '\n', 1, true)
    if nl then
      local node = string.sub(f, 1, nl - 1)
      local user = string.sub(f, nl + 1)
      if live[node] == nil then
        local score = redis.call('ZSCORE', nodes_key, node)
        live[node] = score ~= false and tonumber(score) >= oldest
      end
      if live[node] and not seen[user] then
        seen[user] = true
        table.insert(out, user)
      end
    end
  end
  return out
end
local oldest = tonumber(redis.call('TIME')[1]) - tonumber(ARGV[1])
)";

// Sorted users of the room hash KEYS[1]; KEYS[2] nodes zset; ARGV[1] live seconds.
const std::string members_script = std::string(live_users_lua) + R"(
local out = live_users(KEYS[1], KEYS[2], oldest, {})
table.sort(out)
return out
)";

// [room, count, room, count, …] over the rooms set KEYS[1]; KEYS[2] nodes zset; ARGV: live
// seconds, the keys' common start. Rooms whose hash is gone are dropped from the set.
const std::string rooms_script = std::string(live_users_lua) + R"(
local live = {}
local out = {}
for _, room in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[2] .. 'room:' .. room
  if redis.call('EXISTS', key) == 0 then
    redis.call('SREM', KEYS[1], room)
  else
    local n = #live_users(key, KEYS[2], oldest, live)
    if n > 0 then
      table.insert(out, room)
      table.insert(out, n)
    end
  end
end
return out
)";

}  // namespace

std::string redis_directory::key(const std::string& rest) const { return prefix_ + ":{presence}:" + rest; }

redis_directory::redis_directory(cluster::redis_link& link, presence& local, std::string prefix, std::string node_id)
    : link_(link),
      local_(local),
      prefix_(std::move(prefix)),
      node_id_(std::move(node_id)),
      timer_(link.loops().context(0)) {
  // Redis may have restarted empty: write this node's presence and liveness again at once.
  link_.on_connected([this] {
    resync();
    beat();
  });
}

void redis_directory::write(const std::string& room, const std::string& user, bool present,
                            std::function<void(int64_t found)> done) {
  link_.command({"EVAL", write_script, "4", key("room:" + room), key("rooms"), key("node:" + node_id_), key("nodes"),
                 node_id_, user, present ? "1" : "0", std::to_string(live_seconds), room},
                [done = std::move(done)](const cluster::redis_value& v) {
                  if (!done) return;
                  // Redis away: announce (a repeated presence event beats a missing one), and
                  // treat the room as shared (no room event on a guess).
                  done(v.type == cluster::redis_value::kind::integer ? v.integer : 2);
                });
}

void redis_directory::changed(const std::string& room, const std::string& user, bool present, bool,
                              boost::asio::io_context& reply_on, changed_fn decided, changed_fn done) {
  // The link answers in the order Redis ran the scripts: `decided` sees the changes in that order.
  write(room, user, present, [&reply_on, decided = std::move(decided), done = std::move(done)](int64_t found) {
    const bool same_user_elsewhere = (found & 1) != 0, other_users = (found & 2) != 0;
    const change c{!same_user_elsewhere, !same_user_elsewhere && !other_users};
    if (decided) decided(c);
    boost::asio::post(reply_on, [done, c] { done(c); });
  });
}

void redis_directory::start() {
  boost::asio::post(timer_.get_executor(), [this] { heartbeat(); });
}

void redis_directory::stop() {
  boost::asio::post(timer_.get_executor(), [this] {
    stopped_ = true;
    timer_.cancel();
  });
}

void redis_directory::heartbeat() {
  if (stopped_) return;
  if (link_.connected() && ++ticks_ % heartbeat_ticks == 0) beat();
  timer_.expires_after(tick);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) heartbeat();
  });
}

void redis_directory::beat() {
  link_.command({"EVAL", heartbeat_script, "1", key("nodes"), node_id_}, {});
  link_.command({"EVAL", purge_script, "1", key("nodes"), key(""), std::to_string(purge_after_seconds)},
                [](const cluster::redis_value& v) {
                  if (v.type == cluster::redis_value::kind::integer && v.integer > 0)
                    SB_LOG(info, "event=presence_purged nodes=" << v.integer);
                });
}

void redis_directory::resync() {
  for (const auto& [room, user] : local_.entries()) write(room, user, true, nullptr);
}

void redis_directory::members(const std::string& room, boost::asio::io_context& reply_on, members_fn done) {
  link_.command({"EVAL", members_script, "2", key("room:" + room), key("nodes"), std::to_string(live_seconds)},
                [this, room, &reply_on, done = std::move(done)](const cluster::redis_value& v) mutable {
                  std::vector<std::string> out;
                  if (v.type == cluster::redis_value::kind::array) {
                    for (const auto& e : v.elements) out.push_back(e.str);
                  } else {
                    out = local_.members(room);  // Redis away: this node's view is the best there is
                  }
                  boost::asio::post(reply_on,
                                    [done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
                });
}

void redis_directory::rooms(boost::asio::io_context& reply_on, rooms_fn done) {
  link_.command({"EVAL", rooms_script, "2", key("rooms"), key("nodes"), std::to_string(live_seconds), key("")},
                [this, &reply_on, done = std::move(done)](const cluster::redis_value& v) mutable {
                  std::vector<room_summary> out;
                  if (v.type == cluster::redis_value::kind::array) {
                    for (size_t i = 0; i + 1 < v.elements.size(); i += 2)
                      out.push_back({v.elements[i].str, static_cast<size_t>(v.elements[i + 1].integer)});
                    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.room < b.room; });
                  } else {
                    out = local_.rooms();
                  }
                  boost::asio::post(reply_on,
                                    [done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
                });
}

}  // namespace switchboard::storage
