#pragma once
// The fuzz targets' assertion: a property that does not hold is a finding, so it aborts (libFuzzer
// keeps the input), in release builds too, unlike assert().
#include <cstdlib>

namespace fuzz {

inline void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace fuzz
