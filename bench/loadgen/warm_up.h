#pragma once
// Before a memory figure's first reading: some clients connect (and join, as the measured ones
// will) and leave again. A server pages in the code it runs on first use (its binary's and its
// libraries' text: file-backed, shared, about 0.6 MiB for Switchboard; Node compiles its handlers
// then), and that one-time cost is not a connection's.
#include "bench/loadgen/options.h"

#include <string>

namespace switchboard::bench {

inline constexpr size_t warm_up_clients = 64;

// False with `error` when the warm-up clients could not connect.
bool warm_up(const options& o, bool join, std::string& error);

}  // namespace switchboard::bench
