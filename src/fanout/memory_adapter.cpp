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

void memory_adapter::broadcast_with_ack(broadcast_packet_ptr packet, broadcast_options_ptr opts, uint64_t ack_id,
                                        ack_handlers_ptr handlers, std::chrono::milliseconds) {
  handlers->expect(workers_.size());
  for (size_t w = 0; w < workers_.size(); ++w) {
    auto run = [this, w, packet, opts, ack_id, handlers] {
      size_t reached = 0;
      workers_[w].for_each(*opts, [&](member& m) {
        m.deliver_with_ack(*packet, ack_id, handlers->response);
        ++reached;
      });
      handlers->count(reached);
    };
    if (w == loops_.current()) {
      run();
    } else {
      loops_.post(w, std::move(run));
    }
  }
}

}  // namespace switchboard::fanout
