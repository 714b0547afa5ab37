#include "bench/loadgen/worker_pool.h"

namespace switchboard::bench {

worker_pool::worker_pool(size_t threads) {
  for (size_t i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread, so Asio may skip its locks.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([ctx = contexts_[i].get()] { ctx->run(); });
}

worker_pool::~worker_pool() { stop(); }

void worker_pool::stop() {
  for (auto& g : guards_) g.reset();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace switchboard::bench
