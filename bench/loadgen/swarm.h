#pragma once
// A crowd of clients spread over the worker threads (client i on worker i % threads), over the
// server nodes (i % urls) and over source addresses 127.0.0.1… (i % source_addresses), brought up
// with a bounded number of handshakes in progress, optionally each joining one room.
//
// Owns the clients and their set-up state (each touched only by its worker); the main thread reads
// only the atomic counters. Connection failures during set-up are retried twice, then reported.
// After set-up, events, acks and closes go to the scenario's handler on the client's worker thread;
// the handler must not block and must not destroy clients.
#include "bench/loadgen/client.h"
#include "bench/loadgen/options.h"
#include "bench/loadgen/worker_pool.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace switchboard::bench {

class swarm final : private client::listener {
 public:
  struct handler {
    virtual void on_event(client&, std::string_view /*packet*/, int64_t /*received_ns*/) {}
    virtual void on_ack(client&, uint64_t /*id*/, std::string_view /*args*/) {}
    virtual void on_closed(client&, bool /*clean*/, std::string_view /*reason*/) {}

   protected:
    ~handler() = default;
  };

  swarm(worker_pool& pool, const options& o, handler& h);
  // Stops the workers first, so that no completion runs against a destroyed client.
  ~swarm();

  // Connects every client (and joins `o.room` when `join`). false with the first error when any
  // client failed three times or `o.timeout` passed.
  bool establish(bool join, std::string& error);
  // Waits until no event has arrived for `quiet` seconds (the presence storm that joins cause),
  // at most `limit` seconds.
  void wait_quiet(double quiet, double limit);
  // Closes every client with the WebSocket close handshake; waits at most `limit` seconds.
  void close_all(double limit);

  size_t size() const { return clients_.size(); }
  client& at(size_t i) { return *clients_[i]; }
  size_t worker_of(size_t i) const { return i % pool_.size(); }
  uint64_t events() const;
  size_t ready() const { return ready_.load(); }

 private:
  enum class phase : uint8_t { waiting, connecting, joining, ready, failed };
  struct alignas(64) worker_state {
    size_t next = 0;  // next client index of this worker to start
    size_t in_progress = 0;
    std::atomic<uint64_t> events{0};
  };

  void on_connected(client& c) override;
  void on_event(client& c, std::string_view packet, int64_t received_ns) override;
  void on_ack(client& c, uint64_t id, std::string_view args) override;
  void on_closed(client& c, bool clean, std::string_view reason) override;
  void start_more(size_t worker);
  void set_up_done(client& c, bool ok, std::string_view reason);

  worker_pool& pool_;
  const options& options_;
  handler& handler_;
  std::string join_array_;
  bool join_ = false;
  std::vector<std::unique_ptr<client>> clients_;
  std::vector<phase> phase_;
  std::vector<uint64_t> join_ack_;
  std::vector<uint8_t> attempts_;
  std::vector<worker_state> workers_;
  size_t window_per_worker_ = 1;
  std::atomic<size_t> ready_{0};
  std::atomic<size_t> failed_{0};
  std::atomic<size_t> closed_{0};
  std::atomic<bool> closing_{false};
  std::mutex error_mutex_;
  std::string first_error_;
};

}  // namespace switchboard::bench
