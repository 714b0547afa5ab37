#include "server/cluster_nodes.h"

#include "base/json_parse.h"
#include "protocol/socketio/packet.h"

#include <algorithm>

namespace switchboard::server {
namespace {

// KEYS[1] hash of figures, KEYS[2] zset of last-seen times; ARGV: node id, its figures (JSON),
// seconds a node stays listed without news. Returns the figures of the live nodes; forgets nodes
// silent for a minute.
constexpr const char* exchange_script = R"(
local now = tonumber(redis.call('TIME')[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - 60))) do
  redis.call('HDEL', KEYS[1], gone)
  redis.call('ZREM', KEYS[2], gone)
end
local out = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], now - tonumber(ARGV[3]), '+inf')) do
  local v = redis.call('HGET', KEYS[1], node)
  if v then table.insert(out, v) end
end
return out
)";

}  // namespace

cluster_nodes::cluster_nodes(cluster::redis_link& link, std::string prefix, std::string node_id)
    : link_(link), hash_(prefix + ":{nodes}"), seen_(prefix + ":{nodes}:seen"), node_id_(std::move(node_id)) {}

void cluster_nodes::exchange(const json& mine, std::function<void(json nodes)> done) {
  link_.command({"EVAL", exchange_script, "2", hash_, seen_, node_id_, mine.dump(), "5"},
                [mine, done = std::move(done)](const cluster::redis_value& v) {
                  json nodes = json::array();
                  if (v.type == cluster::redis_value::kind::array) {
                    for (const auto& e : v.elements) {
                      json n = parse_json_within(e.str, protocol::socketio::max_nesting_depth);
                      if (n.is_object() && n.contains("node") && n["node"].is_string()) nodes.push_back(std::move(n));
                    }
                  }
                  if (nodes.empty()) nodes.push_back(mine);  // Redis away: at least this node
                  std::sort(nodes.begin(), nodes.end(), [](const json& a, const json& b) {
                    return a.value("node", std::string{}) < b.value("node", std::string{});
                  });
                  done(std::move(nodes));
                });
}

}  // namespace switchboard::server
