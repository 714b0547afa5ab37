#include "server/metrics_text.h"

#include "base/metrics.h"

#include <sstream>

namespace switchboard::server {
namespace {

using metrics::counter;

struct family {
  const char* name;
  const char* type;
  const char* help;
  counter c;
};

// One line per counter of base/metrics (connections by transport are one family with a label).
constexpr family families[] = {
    {"switchboard_sockets", "gauge", "Connected Socket.IO sockets, all namespaces.", counter::sockets},
    {"switchboard_packets_in_total", "counter", "Socket.IO packets received.", counter::packets_in},
    {"switchboard_packets_out_total", "counter", "Socket.IO packets sent, one per recipient.", counter::packets_out},
    {"switchboard_broadcasts_total", "counter", "Broadcasts, each encoded once.", counter::broadcasts},
    {"switchboard_bytes_in_total", "counter", "Bytes received on WebSocket and polling.", counter::bytes_in},
    {"switchboard_bytes_out_total", "counter", "Bytes sent on WebSocket and polling.", counter::bytes_out},
    {"switchboard_dropped_packets_total", "counter", "Volatile packets dropped on a full send queue.",
     counter::dropped_packets},
    {"switchboard_slow_consumer_disconnects_total", "counter",
     "Connections closed because their send queue overflowed.", counter::slow_consumer_disconnects},
    {"switchboard_unknown_events_total", "counter", "Events received with no handler.", counter::unknown_events},
    {"switchboard_chat_messages_total", "counter", "Chat messages stored and sent.", counter::chat_messages},
    {"switchboard_rate_limited_total", "counter", "Requests refused by a rate limit.", counter::rate_limited},
    {"switchboard_api_requests_total", "counter", "HTTP server API requests.", counter::api_requests},
    {"switchboard_redis_round_trips_total", "counter", "Redis commands answered.", counter::redis_round_trips},
    {"switchboard_redis_reconnects_total", "counter", "Redis reconnections.", counter::redis_reconnects},
    {"switchboard_redis_subscribe_refusals_total", "counter",
     "Subscriptions Redis refused (a user without access to the channel); retried every 5 s.",
     counter::redis_subscribe_refusals},
    {"switchboard_bridged_messages_total", "counter", "Bridge channel payloads emitted to clients.",
     counter::bridged_messages},
    {"switchboard_cluster_bad_messages_total", "counter",
     "Messages on Redis adapter or bridge channels that were dropped as unusable.", counter::cluster_bad_messages},
    {"switchboard_recovered_sockets_total", "counter",
     "Sockets that reconnected within the recovery window and got their id, rooms and data back.",
     counter::recovered_sockets},
    {"switchboard_recovered_packets_total", "counter", "Missed broadcasts sent to recovered sockets.",
     counter::recovered_packets},
    {"switchboard_connections_refused_total", "counter",
     "New connections refused by --max-connections, --max-waiting-per-address, --connect-rate or "
     "--connect-rate-per-address.",
     counter::connections_refused},
    {"switchboard_namespaces_refused_total", "counter", "Namespace connections refused as one too many for the client.",
     counter::namespaces_refused},
    {"switchboard_joins_refused_total", "counter",
     "Room joins refused by --max-rooms-per-socket or a room's max-members.", counter::joins_refused},
    {"switchboard_caught_up_broadcasts_total", "counter",
     "Broadcasts published while this node's Redis link was down, read from the recovery stream once it was back.",
     counter::caught_up_broadcasts},
    {"switchboard_cluster_broadcasts_dropped_total", "counter",
     "Recoverable broadcasts given up on: Redis away past the outbox limit, or refusing them.",
     counter::cluster_broadcasts_dropped},
    {"switchboard_relayed_jobs_total", "counter", "Relayed client events handed to workers through Redis.",
     counter::relayed_jobs},
};

}  // namespace

std::string prometheus_text(const std::string& node_id, double uptime_seconds, bool draining) {
  std::ostringstream out;
  out << "# HELP switchboard_info This node.\n# TYPE switchboard_info gauge\n"
      << "switchboard_info{node=\"" << node_id << "\"} 1\n";
  out << "# HELP switchboard_uptime_seconds Seconds since start.\n# TYPE switchboard_uptime_seconds gauge\n"
      << "switchboard_uptime_seconds " << uptime_seconds << "\n";
  out << "# HELP switchboard_draining 1 while shutting down.\n# TYPE switchboard_draining gauge\n"
      << "switchboard_draining " << (draining ? 1 : 0) << "\n";
  out << "# HELP switchboard_connections Open Engine.IO connections by transport.\n"
      << "# TYPE switchboard_connections gauge\n"
      << "switchboard_connections{transport=\"websocket\"} " << metrics::total(counter::websocket_connections) << "\n"
      << "switchboard_connections{transport=\"polling\"} " << metrics::total(counter::polling_connections) << "\n";
  for (const auto& f : families) {
    out << "# HELP " << f.name << " " << f.help << "\n# TYPE " << f.name << " " << f.type << "\n"
        << f.name << " " << metrics::total(f.c) << "\n";
  }
  if (metrics::redis_connected() >= 0) {
    out << "# HELP switchboard_redis_connected 1 while the link to Redis is up.\n"
        << "# TYPE switchboard_redis_connected gauge\n"
        << "switchboard_redis_connected " << metrics::redis_connected() << "\n"
        << "# HELP switchboard_redis_publish_latency_seconds Round trip of the last PUBLISH.\n"
        << "# TYPE switchboard_redis_publish_latency_seconds gauge\n"
        << "switchboard_redis_publish_latency_seconds "
        << static_cast<double>(metrics::redis_publish_latency_micros()) / 1e6 << "\n";
  }
  out << "# HELP switchboard_event_loop_lag_seconds Largest event-loop delay in the last probe period.\n"
      << "# TYPE switchboard_event_loop_lag_seconds gauge\n"
      << "switchboard_event_loop_lag_seconds " << static_cast<double>(metrics::loop_lag_micros()) / 1e6 << "\n";
  return out.str();
}

}  // namespace switchboard::server
