#include "cluster/recovering_adapter.h"

namespace switchboard::cluster {

void recovering_adapter::broadcast_recoverable(json data, fanout::broadcast_options_ptr opts, const encode_fn& encode,
                                               sent_fn sent) {
  if (!recovery_ || opts->local)
    return adapter::broadcast_recoverable(std::move(data), std::move(opts), encode, std::move(sent));
  recovery_->broadcast(std::move(data), std::move(opts), encode, std::move(sent));
}

void recovering_adapter::persist_session(fanout::recovery_session s) {
  if (recovery_) recovery_->persist_session(s);
}

void recovering_adapter::find_session(const std::string& pid, session_fn done) {
  if (!recovery_) return done(std::nullopt);
  recovery_->find_session(pid, std::move(done));
}

void recovering_adapter::take_missed(const fanout::recovery_session& s, const std::string& offset, missed_fn done) {
  if (!recovery_) return done(std::nullopt);
  recovery_->take_missed(s, offset, std::move(done));
}

}  // namespace switchboard::cluster
