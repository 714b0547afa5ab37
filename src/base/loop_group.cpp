#include "base/loop_group.h"

#include <boost/asio/executor_work_guard.hpp>

namespace switchboard {
namespace {
thread_local size_t this_worker = static_cast<size_t>(-1);
}

loop_group::loop_group(size_t threads) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
}

loop_group::~loop_group() {
  stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void loop_group::run() {
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards;
  for (auto& c : contexts_) guards.emplace_back(c->get_executor());
  for (size_t i = 1; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      this_worker = i;
      contexts_[i]->run();
    });
  }
  this_worker = 0;
  contexts_[0]->run();
  for (auto& t : threads_) t.join();
  threads_.clear();
  this_worker = static_cast<size_t>(-1);
}

void loop_group::stop() {
  for (auto& c : contexts_) c->stop();
}

size_t loop_group::current() { return this_worker; }

}  // namespace switchboard
