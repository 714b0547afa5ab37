#pragma once
// Gives free heap pages back to the kernel after a burst (docs/design.md#performance-model, "small idle
// connections"). glibc's malloc returns memory only from the top of the heap; a burst (a join storm whose
// acknowledgements carry member lists, a broadcast backlog) leaves its peak as free holes in the
// middle, which stay resident: twice the live data after 2,000 clients joined one room. Every
// `period` it looks at the heap (mallinfo2); once the heap has changed since the last trim (by
// `min_change` in use, or in size) and then stayed quiet for one period, and at least `min_free`
// is free, it calls malloc_trim(0), which releases every whole free page. So a trim follows each
// burst once, when it is over: a trim walks the free chunks, and under steady load or in a heap
// that does not change it is not repeated.
// `min_free` is small (64 KiB): the holes a join storm of 1,000 clients leaves are a few hundred
// KiB, 0.4 KiB per client, as much as the join itself costs.
//
// Lives on one io_context; touches only process-wide malloc state. A no-op where malloc is not
// glibc's.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>

namespace switchboard {

class heap_trimmer {
 public:
  explicit heap_trimmer(boost::asio::io_context& ctx, std::chrono::milliseconds period = std::chrono::seconds(2),
                        size_t min_free = 64 << 10, size_t min_change = 256 << 10);
  heap_trimmer(const heap_trimmer&) = delete;
  heap_trimmer& operator=(const heap_trimmer&) = delete;

  // One look at the heap (what the timer does every period); true if it trimmed.
  bool check();

 private:
  void wait();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  size_t min_free_;
  size_t min_change_;
  size_t heap_at_trim_ = 0;    // bytes obtained from the system, after the last trim
  size_t in_use_at_trim_ = 0;  // bytes allocated, at the last trim
  size_t last_in_use_ = 0;     // bytes allocated, at the previous look
};

}  // namespace switchboard
