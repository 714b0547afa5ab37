#pragma once
// The generator's threads: one io_context per thread (`--threads`), each running until stop().
// Clients are assigned to a worker for life, so a client's state is touched by one thread only;
// the main thread only posts work and reads atomics. run_on() is for set-up and reading results,
// never for the hot path.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <future>
#include <memory>
#include <thread>
#include <vector>

namespace switchboard::bench {

class worker_pool {
 public:
  explicit worker_pool(size_t threads);
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(size_t i) { return *contexts_[i]; }

  // Runs `fn` on worker `i` and waits for it to return.
  template <typename Fn>
  void run_on(size_t i, Fn&& fn) {
    std::promise<void> done;
    boost::asio::post(*contexts_[i], [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  // Runs `fn(i)` on every worker, each on its own thread, and waits for all.
  template <typename Fn>
  void run_on_all(Fn fn) {
    for (size_t i = 0; i < size(); ++i) run_on(i, [&] { fn(i); });
  }

  // Stops every loop and joins the threads; pending handlers are dropped.
  void stop();

 private:
  using guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<guard> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace switchboard::bench
