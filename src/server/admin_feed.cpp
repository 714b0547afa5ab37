#include "server/admin_feed.h"

#include "base/metrics.h"

#include <algorithm>

namespace switchboard::server {
namespace {
constexpr auto period = std::chrono::seconds(1);
constexpr size_t max_rooms = 100;

}  // namespace

admin_feed::admin_feed(socketio::server& io, storage::presence& presence, const config& c,
                       std::chrono::steady_clock::time_point started, std::function<std::string()> redis_state,
                       cluster_nodes* nodes, shared_rate_limiter& auth_failures)
    : nsp_(io.of("/admin")),
      presence_(presence),
      node_id_(c.node_id),
      gate_(c.api_key, auth_failures),
      started_(started),
      redis_state_(std::move(redis_state)),
      cluster_(nodes),
      timer_(io.loops().context(0)) {
  // The same gate as the API's: the key in auth.key, or this machine only without one.
  nsp_.use([this](socketio::socket& s, socketio::namespace_::next_fn next) {
    const json auth = s.handshake_data().auth();
    const auto it = auth.is_object() ? auth.find("key") : auth.end();
    const std::string key = it != auth.end() && it->is_string() ? it->get<std::string>() : std::string{};
    const auto& info = *s.handshake_data().info;
    const auto refusal = gate_.check(info.address(), key, [&info](std::string_view name) {
      for (const auto& [n, v] : info.headers()) {
        if (n == name) return v;
      }
      return std::string_view{};
    });
    if (refusal)
      return next(
          socketio::connect_error{refusal->error, json{{"error", refusal->error}, {"message", refusal->message}}});
    next(std::nullopt);
  });
  nsp_.on_connection([this](socketio::socket& s) { s.emit("stats", snapshot()); });
}

void admin_feed::start() {
  boost::asio::post(timer_.get_executor(), [this] {
    last_tick_ = std::chrono::steady_clock::now();
    last_messages_ = metrics::total(metrics::counter::chat_messages);
    last_deliveries_ = metrics::total(metrics::counter::packets_out);
    timer_.expires_after(period);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) tick();
    });
  });
}

void admin_feed::stop() {
  boost::asio::post(timer_.get_executor(), [this] {
    stopped_ = true;
    timer_.cancel();
  });
}

void admin_feed::tick() {
  if (stopped_) return;
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - last_tick_).count();
  const auto messages = metrics::total(metrics::counter::chat_messages);
  const auto deliveries = metrics::total(metrics::counter::packets_out);
  {
    std::lock_guard lock(mutex_);
    rates_.messages_per_s = seconds > 0 ? static_cast<double>(messages - last_messages_) / seconds : 0;
    rates_.deliveries_per_s = seconds > 0 ? static_cast<double>(deliveries - last_deliveries_) / seconds : 0;
  }
  last_tick_ = now;
  last_messages_ = messages;
  last_deliveries_ = deliveries;
  if (cluster_) {
    cluster_->exchange(this_node(), [this](json nodes) {
      {
        std::lock_guard lock(mutex_);
        nodes_ = std::move(nodes);
      }
      emit_stats();
    });
  } else {
    json mine = json::array({this_node()});
    {
      std::lock_guard lock(mutex_);
      nodes_ = std::move(mine);
    }
    emit_stats();
  }
  timer_.expires_after(period);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

void admin_feed::emit_stats() {
  if (!stopped_) nsp_.emit("stats", snapshot());
}

json admin_feed::this_node() {
  rates r;
  {
    std::lock_guard lock(mutex_);
    r = rates_;
  }
  const auto ws = metrics::total(metrics::counter::websocket_connections);
  const auto polling = metrics::total(metrics::counter::polling_connections);
  return json{{"node", node_id_},
              {"connections", ws + polling},
              {"messages_per_s", r.messages_per_s},
              {"deliveries_per_s", r.deliveries_per_s},
              {"redis", redis_state_()}};
}

json admin_feed::snapshot() {
  auto rooms = presence_.rooms();
  std::stable_sort(rooms.begin(), rooms.end(), [](const auto& a, const auto& b) { return a.members > b.members; });
  if (rooms.size() > max_rooms) rooms.resize(max_rooms);
  json room_list = json::array();
  for (const auto& r : rooms) room_list.push_back(json{{"room", r.room}, {"members", r.members}});
  rates r;
  json nodes;
  {
    std::lock_guard lock(mutex_);
    r = rates_;
    nodes = nodes_.empty() ? json::array() : nodes_;
  }
  if (nodes.empty()) nodes.push_back(this_node());
  using metrics::counter;
  return json{
      {"node", node_id_},
      {"uptime_s",
       std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count()},
      {"connections",
       {{"websocket", metrics::total(counter::websocket_connections)},
        {"polling", metrics::total(counter::polling_connections)}}},
      {"rooms", std::move(room_list)},
      {"totals",
       {{"messages", metrics::total(counter::chat_messages)},
        {"deliveries", metrics::total(counter::packets_out)},
        {"dropped", metrics::total(counter::dropped_packets)},
        {"slow_consumer_disconnects", metrics::total(counter::slow_consumer_disconnects)}}},
      {"rates", {{"messages_per_s", r.messages_per_s}, {"deliveries_per_s", r.deliveries_per_s}}},
      {"redis", {{"state", redis_state_()}}},
      {"nodes", std::move(nodes)},
  };
}

}  // namespace switchboard::server
