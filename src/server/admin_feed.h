#pragma once
// The dashboard's data (namespace `/admin`, docs/user-guide.md): clients authenticate with the API
// key and receive `stats` once on connecting and then every second. The timer lives on worker 0;
// rates are computed there from the counter totals; the last rates are shared under a mutex with
// the connection handler, which runs on any worker.
#include "server/config.h"
#include "socketio/server.h"
#include "storage/presence.h"

#include <boost/asio/steady_timer.hpp>

#include <mutex>

namespace switchboard::server {

class admin_feed {
 public:
  admin_feed(socketio::server& io, storage::presence& presence, const config& c,
             std::chrono::steady_clock::time_point started, std::function<std::string()> redis_state);
  void start();
  void stop();

 private:
  struct rates {
    double messages_per_s = 0;
    double deliveries_per_s = 0;
  };

  json snapshot();
  void tick();

  socketio::namespace_& nsp_;
  storage::presence& presence_;
  std::string node_id_;
  std::string api_key_;
  std::chrono::steady_clock::time_point started_;
  std::function<std::string()> redis_state_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  std::mutex mutex_;
  rates rates_;
  int64_t last_messages_ = 0, last_deliveries_ = 0;  // worker 0 only
  std::chrono::steady_clock::time_point last_tick_;  // worker 0 only
};

}  // namespace switchboard::server
