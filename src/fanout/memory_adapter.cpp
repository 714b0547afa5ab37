#include "fanout/memory_adapter.h"

namespace switchboard::fanout {

void memory_adapter::broadcast(broadcast_packet_ptr packet, broadcast_options_ptr opts) {
  const size_t self = loops_.current();
  for (size_t w = 0; w < workers_.size(); ++w) {
    if (w == self) continue;
    loops_.post(w, [this, w, packet, opts] { workers_[w].deliver(*packet, *opts); });
  }
  if (self < workers_.size()) workers_[self].deliver(*packet, *opts);
}

}  // namespace switchboard::fanout
