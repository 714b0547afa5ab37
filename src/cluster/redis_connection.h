#pragma once
// One TCP connection to Redis, living on one io_context. Commands are pipelined: each is
// formatted (hiredis) into the outgoing buffer, all buffered commands leave in one write per loop
// turn, and replies (parsed by hiredis' reader) complete the callbacks in order. A lost
// connection fails every pending callback, then reconnects with backoff (100 ms doubling to 5 s);
// each (re)connection authenticates and selects the database before `on_ready` runs, which is
// where a subscriber subscribes again. Commands issued while not ready fail at once: Pub/Sub has
// no memory, so queueing publishes for a Redis that is away would only delay and bloat.
//
// In subscriber mode every reply after the handshake goes to `on_push` (SUBSCRIBE confirmations
// and messages alike).
#include "cluster/redis_url.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace switchboard::cluster {

struct redis_value {
  enum class kind { nil, string, status, error, integer, array };
  kind type = kind::nil;
  std::string str;  // string, status or error text
  int64_t integer = 0;
  std::vector<redis_value> elements;

  bool is_error() const { return type == kind::error; }
  static redis_value make_error(std::string text) { return {kind::error, std::move(text), 0, {}}; }
};

class redis_connection : public std::enable_shared_from_this<redis_connection> {
 public:
  enum class mode { commands, subscriber };
  using reply_fn = std::function<void(const redis_value&)>;

  redis_connection(boost::asio::io_context& ctx, redis_endpoint endpoint, mode m, std::string name);
  ~redis_connection();

  // All of these on the connection's io_context.
  void start();
  void stop();
  bool ready() const { return state_ == state::ready; }
  void command(const std::vector<std::string_view>& argv, reply_fn done = {});

  std::function<void()> on_ready;                     // after each (re)connection
  std::function<void(std::string_view why)> on_lost;  // connection lost (not after stop)
  std::function<void(const redis_value&)> on_push;    // subscriber mode

 private:
  enum class state { idle, connecting, handshake, ready, stopped };

  void connect();
  void tls_handshake();
  void handshake();
  void read();
  void schedule_flush();
  void flush();
  void enqueue(const std::vector<std::string_view>& argv, reply_fn done);
  void dispatch(redis_value&& v);
  void fail(std::string_view why);

  boost::asio::io_context& ctx_;
  redis_endpoint endpoint_;
  mode mode_;
  std::string name_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  // rediss://: the TLS layer over socket_, made again for every connection attempt.
  std::unique_ptr<boost::asio::ssl::context> tls_context_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  boost::asio::steady_timer retry_;
  std::chrono::milliseconds backoff_{100};
  state state_ = state::idle;
  bool ever_ready_ = false;
  redisReader* reader_ = nullptr;
  std::string out_;      // formatted commands not yet written
  std::string writing_;  // the write in flight
  bool flush_posted_ = false;
  std::deque<reply_fn> pending_;  // one per command awaiting its reply, in order
  std::array<char, 64 * 1024> in_{};
};

}  // namespace switchboard::cluster
