#pragma once
// Process-wide counters and gauges for /metrics and the dashboard (docs/design.md#http-api). Every layer adds
// to them on its hot path, so an update is one relaxed atomic add into a slot owned by the calling
// worker thread: no lock and no cache line shared between workers. A read sums the slots; it is
// exact for counters once writers are quiet and never off by more than in-flight updates.
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace switchboard::metrics {

enum class counter : uint8_t {
  websocket_connections,       // gauge: open Engine.IO sessions on WebSocket
  polling_connections,         // gauge: open Engine.IO sessions on long-polling
  sockets,                     // gauge: connected Socket.IO sockets (all namespaces)
  packets_in,                  // Socket.IO packets received
  packets_out,                 // Socket.IO packets handed to a connection, one per recipient
  broadcasts,                  // broadcasts encoded (each once, whatever the number of recipients)
  bytes_in,                    // WebSocket frame payload and polling body bytes received
  bytes_out,                   // bytes written to WebSocket connections and polling responses
  dropped_packets,             // volatile packets dropped on a full send queue
  slow_consumer_disconnects,   // connections closed because their send queue overflowed
  unknown_events,              // events with no handler
  chat_messages,               // chat messages stored and sent
  rate_limited,                // requests refused by a rate limit
  api_requests,                // HTTP server API requests
  redis_round_trips,           // Redis commands answered
  redis_reconnects,            // Redis connections re-established
  redis_subscribe_refusals,    // SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE Redis refused (an ACL without the channel)
  bridged_messages,            // payloads from bridge channels emitted to clients
  relayed_jobs,                // relayed client events Redis accepted for workers
  cluster_bad_messages,        // messages on cluster channels that could not be used (dropped)
  recovered_sockets,           // sockets recovered after a reconnection (id, rooms, data)
  recovered_packets,           // missed broadcasts sent to recovered sockets
  connections_refused,         // connections and handshakes refused by an admission limit (count or rate)
  namespaces_refused,          // namespace CONNECTs refused by the per-client namespace limit
  joins_refused,               // room joins refused by the per-socket room limit or max-members
  caught_up_broadcasts,        // recoverable broadcasts a node read from the stream after its Redis link came back
  cluster_broadcasts_dropped,  // recoverable broadcasts given up on: Redis away too long, or refusing them
  count_
};

inline constexpr size_t counter_count = static_cast<size_t>(counter::count_);
inline constexpr size_t max_slots = 64;  // worker threads; others share the last slot

struct alignas(64) slot {
  std::array<std::atomic<int64_t>, counter_count> values{};
};

// The slot of the calling thread.
slot& this_slot();

inline void add(counter c, int64_t n = 1) {
  this_slot().values[static_cast<size_t>(c)].fetch_add(n, std::memory_order_relaxed);
}

int64_t total(counter c);

// The Redis link (cluster nodes): 1 connected, 0 not, -1 no Redis configured; and the round trip
// of the last PUBLISH, in microseconds.
void set_redis_connected(int state);
int redis_connected();
void record_redis_publish_latency(int64_t micros);
int64_t redis_publish_latency_micros();

// The largest event-loop lag seen in the last measurement period, in microseconds, over all workers.
void record_loop_lag(size_t worker, int64_t micros);
int64_t loop_lag_micros();

}  // namespace switchboard::metrics
