#pragma once
// A cluster adapter's side of connection state recovery (`--recovery-window` with `--redis`),
// shared by the classic and the sharded adapters: recoverable broadcasts go through the
// namespace's recovery stream (recovery_stream.h) and reach every node's members, this node's
// too, in the order Redis appended them; a node that lost its link reads what it missed from the
// stream before what it hears live; sessions are kept in Redis, so a client may come back to any
// node.
//
// Ours wait in an outbox until Redis confirmed them, so Redis going away between a broadcast and
// its append delays it instead of losing it for the other nodes. Servers without recovery
// (Node's adapters) get a plain copy without offset, in the adapter's own format: published by
// the append script in classic mode, SPUBLISHed by this node once appended in sharded mode (on a
// Redis Cluster the copy's channel may live on another shard than the stream).
#include "base/loop_group.h"
#include "cluster/local_node.h"
#include "cluster/recovery_stream.h"
#include "cluster/redis_link.h"
#include "fanout/adapter.h"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::cluster {

class stream_recovery {
 public:
  // The plain copy of a broadcast as the adapter publishes it for servers without recovery.
  struct plain_copy {
    std::string channel;
    std::string payload;
  };
  using plain_fn =
      std::function<plain_copy(const std::string& uid, const json& data, const fanout::broadcast_options& opts)>;

  // `uid`: the adapter's. Subscribes to the namespace's recovery channel (a shard channel in
  // sharded mode) and catches up each time the link connects: before the link starts.
  stream_recovery(loop_group& loops, redis_link& link, local_node& node, const std::string& nsp,
                  const std::string& prefix, const std::string& uid, fanout::recovery_settings settings,
                  recovery_stream::pubsub mode, plain_fn plain);

  // Whether a broadcast with this uid is a plain copy of a recoverable one: a node with recovery
  // delivers those from the recovery channel, where they come with their offset.
  static bool is_plain_copy(std::string_view uid);

  // fanout::adapter's recovery calls.
  void broadcast(json data, fanout::broadcast_options_ptr opts, const fanout::adapter::encode_fn& encode,
                 fanout::adapter::sent_fn sent);
  void persist_session(const fanout::recovery_session& s) { stream_.keep(s); }
  void find_session(const std::string& pid, fanout::adapter::session_fn done);
  void take_missed(const fanout::recovery_session& s, const std::string& offset, fanout::adapter::missed_fn done);

 private:
  void on_recoverable(const std::string& payload);
  // `only_newer`: skips what is at or before the last delivered position (read from the stream).
  void deliver(const std::string& payload, bool only_newer);
  void catch_up();
  void retry_catch_up();
  void release_held(bool only_newer);
  void queue(recovery_stream::append a, plain_copy later, fanout::adapter::sent_fn sent);
  void send_outbox();

  loop_group& loops_;
  redis_link& link_;
  local_node& node_;
  std::string nsp_;
  recovery_stream::pubsub mode_;
  plain_fn plain_;
  std::string recovery_uid_;   // "sbr:<uid>": our recoverable broadcasts, which we deliver as heard
  std::string delivered_uid_;  // "sbr:<uid>~": ours that we delivered at once, Redis being away
  recovery_stream stream_;
  // Worker 0 state.
  struct outgoing {
    recovery_stream::append append;
    plain_copy after_append;  // sharded mode: SPUBLISHed once appended
    uint64_t seq = 0;
    size_t bytes = 0;
    int attempts = 0;
    bool sent = false;                     // and no answer yet
    bool unconfirmed = false;              // sent before without an answer that it was appended
    fanout::adapter::sent_fn on_appended;  // once appended (or given up on)
  };
  static constexpr int max_append_attempts = 5;         // refusals by Redis, not lost connections
  static constexpr size_t max_outbox_bytes = 64 << 20;  // and recovery_max_packets broadcasts
  static constexpr size_t max_held = 10'000;
  static constexpr std::chrono::milliseconds retry_pause{1000};
  std::deque<outgoing> outbox_;  // ours, oldest first, until Redis confirms each
  size_t outbox_limit_ = 0;
  size_t outbox_bytes_ = 0;
  uint64_t next_outgoing_ = 0;
  fanout::log_position last_heard_;  // the last delivered; zero before the first link
  bool catching_up_ = false;
  uint64_t catch_up_generation_ = 0;
  boost::asio::steady_timer catch_up_timer_;
  boost::asio::steady_timer outbox_timer_;
  std::vector<std::string> held_;  // heard while catching up or half linked
};

}  // namespace switchboard::cluster
