#include "base/heap_trimmer.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace switchboard {

heap_trimmer::heap_trimmer(boost::asio::io_context& ctx, std::chrono::milliseconds period, size_t min_free,
                           size_t min_change)
    : timer_(ctx), period_(period), min_free_(min_free), min_change_(min_change) {
#if defined(__GLIBC__)
  wait();
#endif
}

void heap_trimmer::wait() {
  timer_.expires_after(period_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // the trimmer is going away
    check();
    wait();
  });
}

bool heap_trimmer::check() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 mi = mallinfo2();
  const size_t heap = mi.arena;                        // obtained from the system, every arena
  const size_t in_use = mi.uordblks;                   // allocated chunks
  const size_t free_bytes = mi.fordblks + mi.fsmblks;  // free chunks, the top included
  const auto distance = [](size_t a, size_t b) { return a > b ? a - b : b - a; };
  const bool changed = heap != heap_at_trim_ || distance(in_use, in_use_at_trim_) >= min_change_;
  const bool quiet = distance(in_use, last_in_use_) < min_change_;
  last_in_use_ = in_use;
  if (!changed || !quiet || free_bytes < min_free_) return false;
  malloc_trim(0);
  heap_at_trim_ = mallinfo2().arena;
  in_use_at_trim_ = in_use;
  return true;
#else
  return false;
#endif
}

}  // namespace switchboard
