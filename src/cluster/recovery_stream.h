#pragma once
// Connection state recovery across a cluster: what a client missed must be readable by every
// node, since it may come back to another one. One script appends each recoverable broadcast to a
// Redis stream per namespace and publishes it on the namespace's recovery channel, so the
// stream's order is the order every Switchboard node hears them in. In sharded mode that channel
// is a shard channel in the stream's slot, so the script may SPUBLISH it on a Redis Cluster too. The
// stream entry id becomes the packet's offset: the node encodes the message with a placeholder
// where the offset goes and the script splices the id in (fixed width, so the MessagePack string
// header stays right). The same script publishes the message without offset on the adapter's
// usual channel, for servers without recovery (Node's Redis adapter: its clients see no extra
// argument); in sharded mode the adapter publishes that copy itself (stream_recovery.h).
// Sessions are kept as keys that expire after the window. Keys share the namespace's hash tag, so
// the scripts run on one Redis Cluster shard.
#include "cluster/redis_link.h"
#include "fanout/recovery.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::cluster {

// A stream entry id "<ms>-<seq>" as the client sees it: both parts zero-padded to 13 and 6
// digits (20 characters), so that every offset has the same length. Empty when the id is not one.
std::string padded_offset(std::string_view stream_id);
// The position of an offset as padded_offset writes it; empty for anything else.
std::optional<fanout::log_position> offset_position(std::string_view offset);
inline constexpr size_t offset_length = 20;

class recovery_stream {
 public:
  // How the recovery channel is published and subscribed: PUBLISH/SUBSCRIBE, or SPUBLISH/SSUBSCRIBE.
  enum class pubsub { classic, sharded };

  recovery_stream(redis_link& link, const std::string& prefix, const std::string& nsp, std::chrono::milliseconds window,
                  size_t max_packets, pubsub mode = pubsub::classic);

  // One recoverable broadcast for append_and_publish: the message around the offset's place, the
  // plain copy and its channel (none: the script publishes no copy), and a token that tells this
  // broadcast apart in the stream.
  struct append {
    std::string before;
    std::string after;
    std::string plain_channel;
    std::string plain;
    std::string token;
  };
  // `message` holds `placeholder` (offset_length characters) where the offset goes, which also
  // serves as the token; empty when it does not.
  static std::optional<append> prepare(const std::string& message, const std::string& placeholder,
                                       std::string plain_channel, std::string plain);
  // Appends to the stream and publishes on channel() with the stream id as offset, and the plain
  // copy on its channel. `done(false)` (worker 0) when Redis did not confirm it: it may have been
  // appended all the same (the reply lost with the connection), so a `retry` appends only when
  // the token's key (kept for the window) does not say it was.
  void append_and_publish(const append& a, bool retry, std::function<void(bool appended)> done);
  // On worker 0: the newest entry's position ({0, 1} for an empty stream); nothing when Redis
  // did not answer.
  void newest(std::function<void(std::optional<fanout::log_position>)> done);
  // On worker 0: the entries after `after` as published, oldest first, at most the stream's
  // length (for a node that missed some while its link was down).
  using entries = std::vector<std::pair<std::string, std::string>>;
  void read_after(fanout::log_position after, std::function<void(std::optional<entries>)> done);
  // Where every recoverable broadcast of the namespace is published with its offset.
  const std::string& channel() const { return channel_; }
  pubsub mode() const { return mode_; }
  void keep(const fanout::recovery_session& s);
  // On worker 0. The session is left in place.
  void find(const std::string& pid, std::function<void(std::optional<fanout::recovery_session>)> done);
  // On worker 0: consumes the session; the messages after `offset` as published (offset spliced
  // in), each with its stream id, oldest first; nothing when the session or the offset is gone.
  void take(const std::string& pid, const std::string& offset, std::function<void(std::optional<entries>)> done);

 private:
  std::string session_key(const std::string& pid) const { return session_prefix_ + pid; }

  redis_link& link_;
  pubsub mode_;
  std::string channel_;         // <prefix>-recovery#<nsp>#, sharded: <prefix>-recovery#{<nsp>}#
  std::string stream_key_;      // <prefix>:recovery:{<nsp>}
  std::string session_prefix_;  // <prefix>:recovery:{<nsp>}:session:
  std::string window_ms_;
  std::string max_packets_;
};

}  // namespace switchboard::cluster
