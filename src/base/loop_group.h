#pragma once
// The event-loop threads (docs/design.md#performance-model, "shared nothing"). Owns N io_contexts, one thread each.
// Everything a connection touches lives on one worker for its whole life; workers talk to each
// other only by posting closures (`post`). `current()` tells code which worker it runs on.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace switchboard {

class loop_group {
 public:
  explicit loop_group(size_t threads);
  ~loop_group();
  loop_group(const loop_group&) = delete;
  loop_group& operator=(const loop_group&) = delete;

  size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(size_t worker) { return *contexts_[worker]; }

  // Runs every worker; the calling thread becomes worker 0. Returns when all are stopped.
  void run();
  void stop();

  template <class F>
  void post(size_t worker, F&& fn) {
    boost::asio::post(*contexts_[worker], std::forward<F>(fn));
  }

  // The worker index of the calling thread; size_t(-1) off the loops.
  static size_t current();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<std::thread> threads_;
};

}  // namespace switchboard
