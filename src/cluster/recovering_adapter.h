#pragma once
// What the classic and the sharded adapters share for connection state recovery: the
// fanout::adapter recovery calls, answered through the namespace's recovery stream
// (stream_recovery.h) when the window is on, and as a node without recovery answers otherwise.
#include "cluster/stream_recovery.h"
#include "fanout/adapter.h"

#include <memory>
#include <string>
#include <string_view>

namespace switchboard::cluster {

class recovering_adapter : public fanout::adapter {
 public:
  bool keeps_recovery_log() const final { return recovery_ != nullptr; }
  // Local broadcasts, and all of them without recovery, go the plain way (fanout::adapter's).
  void broadcast_recoverable(json data, fanout::broadcast_options_ptr opts, const encode_fn& encode,
                             sent_fn sent) final;
  void persist_session(fanout::recovery_session s) final;
  void find_session(const std::string& pid, session_fn done) final;
  void take_missed(const fanout::recovery_session& s, const std::string& offset, missed_fn done) final;

 protected:
  // Turns recovery on: the derived adapter's constructor calls it once what the stream needs
  // (its local_node, its uid) exists.
  void start_recovery(std::unique_ptr<stream_recovery> recovery) { recovery_ = std::move(recovery); }
  // Whether a broadcast from `uid` heard on the adapter's own channels is to be skipped: a plain
  // copy of a recoverable one, which this node delivers from the recovery channel with its offset.
  bool heard_on_recovery_channel(std::string_view uid) const {
    return recovery_ && stream_recovery::is_plain_copy(uid);
  }

 private:
  std::unique_ptr<stream_recovery> recovery_;  // null without recovery
};

}  // namespace switchboard::cluster
