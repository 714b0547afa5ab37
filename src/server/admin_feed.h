#pragma once
// The dashboard's data (namespace `/admin`, docs/user-guide.md): clients pass the API's gate
// (server/api_gate.h: the key in auth.key, or this machine only without one) and receive `stats` once on connecting and
// then every second, with every node of the cluster in `nodes`. The timer lives on worker 0; rates are computed there
// from the counter totals; the last rates are shared under a mutex with the connection handler, which runs on any
// worker.
#include "server/api_gate.h"
#include "server/cluster_nodes.h"
#include "server/config.h"
#include "socketio/server.h"
#include "storage/presence.h"

#include <boost/asio/steady_timer.hpp>

#include <mutex>

namespace switchboard::server {

class admin_feed {
 public:
  // `nodes` is null on a single node: the dashboard then lists this node alone.
  admin_feed(socketio::server& io, storage::presence& presence, const config& c,
             std::chrono::steady_clock::time_point started, std::function<std::string()> redis_state,
             cluster_nodes* nodes, shared_rate_limiter& auth_failures);
  void start();
  void stop();

 private:
  struct rates {
    double messages_per_s = 0;
    double deliveries_per_s = 0;
  };

  json snapshot();
  json this_node();
  void tick();
  void emit_stats();

  socketio::namespace_& nsp_;
  storage::presence& presence_;
  std::string node_id_;
  api_gate gate_;
  std::chrono::steady_clock::time_point started_;
  std::function<std::string()> redis_state_;
  cluster_nodes* cluster_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  std::mutex mutex_;
  rates rates_;
  json nodes_ = json::array();                       // every node's figures, as last read
  int64_t last_messages_ = 0, last_deliveries_ = 0;  // worker 0 only
  std::chrono::steady_clock::time_point last_tick_;  // worker 0 only
};

}  // namespace switchboard::server
