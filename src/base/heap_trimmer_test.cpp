#include "base/heap_trimmer.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

using namespace switchboard;

// A sanitizer's allocator replaces glibc's malloc (and its statistics).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SB_NO_GLIBC_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SB_NO_GLIBC_MALLOC 1
#endif
#endif

// The policy: a trim once the heap has changed and then stayed quiet for one look, with enough
// free; never again while nothing changes. (The timer only calls check() every period.)
TEST(HeapTrimmer, TrimsOnceAfterABurstWhenQuiet) {
#if defined(SB_NO_GLIBC_MALLOC) || !defined(__GLIBC__)
  GTEST_SKIP() << "needs glibc's malloc";
#else
  boost::asio::io_context ctx;  // never run: the test makes the looks itself
  heap_trimmer trimmer(ctx, std::chrono::hours(1), 1 << 20, 256 << 10);
  trimmer.check();  // the start: whatever the heap was, it is the reference from here on
  trimmer.check();
  // A burst of 8 MiB in small blocks, then all but the last one freed: the free space is a hole
  // below a live block, which free() alone does not give back.
  std::vector<std::unique_ptr<char[]> > burst;
  for (int i = 0; i < 8192; ++i) {
    burst.push_back(std::make_unique<char[]>(1024));
    burst.back()[0] = 1;
  }
  auto pin = std::make_unique<char[]>(1024);
  pin[0] = 1;
  EXPECT_FALSE(trimmer.check());  // growing: not quiet
  burst.clear();
  burst.shrink_to_fit();
  EXPECT_FALSE(trimmer.check());  // shrinking: not quiet yet
  EXPECT_TRUE(trimmer.check());   // quiet since the last look, and megabytes free: trims
  EXPECT_FALSE(trimmer.check());  // nothing changed since: no second trim
#endif
}
