#include "fanout/memory_adapter.h"

namespace switchboard::fanout {

memory_adapter::memory_adapter(loop_group& loops, recovery_settings recovery) : loops_(loops), workers_(loops.size()) {
  if (recovery.window.count() > 0) {
    log_ = std::make_unique<recovery_log>(recovery.window, recovery.max_packets);
    inboxes_ = std::vector<inbox>(loops.size());
  }
}

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

void memory_adapter::broadcast_recoverable(json data, broadcast_options_ptr opts, const encode_fn& encode,
                                           sent_fn sent) {
  if (!log_) return adapter::broadcast_recoverable(std::move(data), std::move(opts), encode, std::move(sent));
  std::lock_guard lock(log_mutex_);
  const auto position = log_->next();
  data.push_back(recovery_log::offset_of(position));
  auto encoded = encode(std::move(data));
  encoded.position = position;
  auto packet = std::make_shared<const broadcast_packet>(std::move(encoded));
  // The log keeps the encoded messages only: a recovering socket is sent those bytes.
  auto logged = std::make_shared<broadcast_packet>();
  logged->messages = packet->messages;
  logged->position = position;
  log_->append(std::move(logged), opts, recovery_log::clock::now());
  for (size_t w = 0; w < workers_.size(); ++w) {
    {
      std::lock_guard inbox_lock(inboxes_[w].mutex);
      inboxes_[w].packets.emplace_back(packet, opts);
    }
    loops_.post(w, [this, w] { deliver_inbox(w); });
  }
  if (sent) sent();
}

// One task per broadcast, but a task may find the inbox emptied by an earlier one, or holding
// several: it delivers whatever is there, in the order the log gave it.
void memory_adapter::deliver_inbox(size_t worker) {
  std::vector<std::pair<broadcast_packet_ptr, broadcast_options_ptr>> packets;
  {
    std::lock_guard lock(inboxes_[worker].mutex);
    packets.swap(inboxes_[worker].packets);
  }
  for (const auto& [packet, opts] : packets) workers_[worker].deliver(*packet, *opts);
}

void memory_adapter::persist_session(recovery_session s) {
  if (!log_) return;
  std::lock_guard lock(log_mutex_);
  log_->keep(std::move(s), recovery_log::clock::now());
}

void memory_adapter::find_session(const std::string& pid, session_fn done) {
  std::optional<recovery_session> s;
  if (log_) {
    std::lock_guard lock(log_mutex_);
    s = log_->find(pid, recovery_log::clock::now());
  }
  done(std::move(s));
}

void memory_adapter::take_missed(const recovery_session& s, const std::string& offset, missed_fn done) {
  std::optional<missed_packets> missed;
  if (log_) {
    std::lock_guard lock(log_mutex_);
    missed = log_->take(s.pid, offset, recovery_log::clock::now());
  }
  done(std::move(missed));
}

}  // namespace switchboard::fanout
