#pragma once
// The four scenarios. Each runs to completion within a bounded time and returns the one JSON
// object the generator prints; "ok" is false when the scenario did not complete or lost or
// duplicated a message (never because of timing).
#include "base/json.h"
#include "bench/loadgen/options.h"

namespace switchboard::bench {

json run_fanout(const options& o);
json run_idle(const options& o);
json run_connect(const options& o);
json run_broadcast_all(const options& o);

}  // namespace switchboard::bench
