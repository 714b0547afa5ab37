#include "cluster/stream_recovery.h"

#include "base/log.h"
#include "base/metrics.h"
#include "base/random_id.h"
#include "cluster/classic_wire.h"

#include <algorithm>

namespace switchboard::cluster {
namespace {

// The uid of recoverable broadcasts starts with this: a node with recovery delivers them from the
// recovery channel, where they come with their offset, not from the adapter's channels.
constexpr std::string_view recovery_uid_prefix = "sbr:";

// The recovery position of a packet whose data ends with an offset.
fanout::log_position position_of(const json& packet) {
  const auto data = packet.find("data");
  if (data == packet.end() || !data->is_array() || data->empty() || !data->back().is_string()) return {};
  return offset_position(data->back().get_ref<const std::string&>()).value_or(fanout::log_position{});
}

}  // namespace

stream_recovery::stream_recovery(loop_group& loops, redis_link& link, local_node& node, const std::string& nsp,
                                 const std::string& prefix, const std::string& uid, fanout::recovery_settings settings,
                                 recovery_stream::pubsub mode, plain_fn plain)
    : loops_(loops),
      link_(link),
      node_(node),
      nsp_(nsp),
      mode_(mode),
      plain_(std::move(plain)),
      recovery_uid_(std::string(recovery_uid_prefix) + uid),
      delivered_uid_(recovery_uid_ + "~"),
      stream_(link, prefix, nsp, settings.window, settings.max_packets, mode),
      outbox_limit_(settings.max_packets),
      catch_up_timer_(loops.context(0)),
      outbox_timer_(loops.context(0)) {
  auto on_message = [this](const std::string&, const std::string& payload) { on_recoverable(payload); };
  if (mode == recovery_stream::pubsub::sharded) {
    link_.ssubscribe(stream_.channel(), std::move(on_message));
  } else {
    link_.subscribe(stream_.channel(), std::move(on_message));
  }
  link_.on_connected([this] {
    catch_up();
    send_outbox();
  });
}

bool stream_recovery::is_plain_copy(std::string_view uid) { return uid.starts_with(recovery_uid_prefix); }

void stream_recovery::on_recoverable(const std::string& payload) {
  // While catching up, and while the link is only half back (the subscriber before the command
  // connection), live messages wait: what was published before them comes first, from the stream.
  if (catching_up_ || !link_.connected()) {
    // Past the bound they are dropped here and read again from the stream, where they all are.
    if (held_.size() >= max_held) held_.clear();
    return held_.push_back(payload);
  }
  deliver(payload, false);
}

void stream_recovery::deliver(const std::string& payload, bool only_newer) {
  const auto message = decode_classic_broadcast(payload);
  if (!message) return drop_bad_message(stream_.channel(), payload.size(), "not a MessagePack [uid, packet, opts]");
  const auto position = position_of(message->packet);
  if (only_newer && position && position <= last_heard_) return;  // delivered already
  if (position) last_heard_ = position;
  if (message->uid == delivered_uid_) return;  // ours, delivered here when Redis was away
  // Ours too: they were not delivered when emitted, so that every node delivers in Redis' order.
  node_.deliver(message->packet, message->opts, position);
}

void stream_recovery::catch_up() {
  const uint64_t generation = ++catch_up_generation_;  // an older catch-up's answer is ignored
  catching_up_ = true;
  if (!last_heard_) {
    // The first link: what the stream holds now was never this node's to deliver.
    return stream_.newest([this, generation](std::optional<fanout::log_position> newest) {
      if (generation != catch_up_generation_) return;
      if (!newest) return retry_catch_up();
      release_held(false);
      if (last_heard_ < *newest) last_heard_ = *newest;
    });
  }
  // A link back after a loss: whatever was published meanwhile is in the stream; deliver it
  // before what the subscription has heard since.
  stream_.read_after(last_heard_, [this, generation](std::optional<recovery_stream::entries> missed) {
    if (generation != catch_up_generation_) return;
    if (!missed) return retry_catch_up();  // still holding: nothing is skipped
    if (!missed->empty()) {
      SB_LOG(info, "event=caught_up nsp=" << nsp_ << " broadcasts=" << missed->size());
      metrics::add(metrics::counter::caught_up_broadcasts, static_cast<int64_t>(missed->size()));
    }
    for (const auto& entry : *missed) deliver(entry.second, true);
    release_held(true);
  });
}

void stream_recovery::retry_catch_up() {
  catch_up_timer_.expires_after(retry_pause);
  catch_up_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && catching_up_ && link_.connected()) catch_up();  // else the next link catches up
  });
}

void stream_recovery::release_held(bool only_newer) {
  catching_up_ = false;
  auto held = std::move(held_);
  held_.clear();
  for (const auto& payload : held) deliver(payload, only_newer);
}

void stream_recovery::broadcast(json data, fanout::broadcast_options_ptr opts, const fanout::adapter::encode_fn& encode,
                                fanout::adapter::sent_fn sent) {
  // Redis away: this node's clients get it now, without offset; the other nodes once Redis is
  // back (the uid tells this node not to deliver it again then).
  const bool away = !link_.connected();
  if (away) node_.members().broadcast(std::make_shared<const fanout::broadcast_packet>(encode(data)), opts);
  const std::string& uid = away ? delivered_uid_ : recovery_uid_;
  // As long as the offset the script puts in its place: the MessagePack header stays right.
  const std::string placeholder = random_id().substr(0, offset_length);
  auto plain = plain_(uid, data, *opts);
  data.push_back(placeholder);
  const bool script_publishes = mode_ == recovery_stream::pubsub::classic;
  auto a = recovery_stream::prepare(encode_broadcast(uid, nsp_, data, *opts), placeholder,
                                    script_publishes ? std::move(plain.channel) : std::string(),
                                    script_publishes ? std::move(plain.payload) : std::string());
  if (!a) return;  // cannot happen: the placeholder is in the message
  loops_.post(0, [this, a = std::move(*a), later = script_publishes ? plain_copy{} : std::move(plain),
                  sent = std::move(sent)]() mutable { queue(std::move(a), std::move(later), std::move(sent)); });
}

void stream_recovery::queue(recovery_stream::append a, plain_copy later, fanout::adapter::sent_fn sent) {
  const size_t bytes = a.before.size() + a.after.size() + a.plain.size() + later.payload.size();
  // Full: the oldest not yet handed to Redis goes (one in flight may still land).
  while (outbox_.size() >= outbox_limit_ || outbox_bytes_ + bytes > max_outbox_bytes) {
    const auto oldest = std::find_if(outbox_.begin(), outbox_.end(), [](const outgoing& o) { return !o.sent; });
    if (oldest == outbox_.end()) break;
    SB_LOG(warn, "event=broadcast_dropped nsp=" << nsp_ << " reason=\"Redis has not confirmed the " << outbox_.size()
                                                << " broadcasts before it (" << outbox_bytes_ << " bytes)\"");
    metrics::add(metrics::counter::cluster_broadcasts_dropped);
    outbox_bytes_ -= oldest->bytes;
    if (oldest->on_appended) oldest->on_appended();
    outbox_.erase(oldest);
  }
  outbox_bytes_ += bytes;
  outbox_.push_back({std::move(a), std::move(later), next_outgoing_++, bytes, 0, false, false, std::move(sent)});
  send_outbox();
}

void stream_recovery::send_outbox() {
  if (!link_.connected()) return;  // on_connected sends them
  for (auto& o : outbox_) {
    if (o.sent) continue;
    o.sent = true;
    ++o.attempts;
    stream_.append_and_publish(o.append, o.unconfirmed, [this, seq = o.seq](bool appended) {
      const auto it = std::find_if(outbox_.begin(), outbox_.end(), [seq](const outgoing& x) { return x.seq == seq; });
      if (it == outbox_.end()) return;
      // A lost connection is no fault of the broadcast's: only Redis' refusals count.
      if (!appended && !link_.connected()) --it->attempts;
      if (appended || it->attempts >= max_append_attempts) {
        if (!appended) {
          SB_LOG(warn,
                 "event=broadcast_dropped nsp=" << nsp_ << " reason=\"Redis refused it " << it->attempts << " times\"");
          metrics::add(metrics::counter::cluster_broadcasts_dropped);
        } else if (!it->after_append.channel.empty()) {
          link_.spublish(std::move(it->after_append.channel), std::move(it->after_append.payload));
        }
        outbox_bytes_ -= it->bytes;
        const auto done = std::move(it->on_appended);
        outbox_.erase(it);
        if (done) done();
        return;
      }
      it->sent = false;        // again with the next link, or after a pause while linked
      it->unconfirmed = true;  // it may have been appended: the retry checks first
      if (link_.connected()) {
        outbox_timer_.expires_after(retry_pause);
        outbox_timer_.async_wait([this](boost::system::error_code ec) {
          if (!ec) send_outbox();
        });
      }
    });
  }
}

void stream_recovery::find_session(const std::string& pid, fanout::adapter::session_fn done) {
  const size_t worker = loop_group::current();
  stream_.find(pid, [this, worker, done = std::move(done)](std::optional<fanout::recovery_session> s) mutable {
    loops_.post(worker, [done = std::move(done), s = std::move(s)]() mutable { done(std::move(s)); });
  });
}

void stream_recovery::take_missed(const fanout::recovery_session& s, const std::string& offset,
                                  fanout::adapter::missed_fn done) {
  const size_t worker = loop_group::current();
  stream_.take(
      s.pid, offset,
      [this, worker, rooms = s.rooms, done = std::move(done)](std::optional<recovery_stream::entries> entries) mutable {
        std::optional<fanout::missed_packets> missed;
        if (entries) {
          missed.emplace();
          for (const auto& [id, payload] : *entries) {
            const auto message = decode_classic_broadcast(payload);
            if (!message || !fanout::reaches(rooms, options_of(message->opts))) continue;
            const auto position = offset_position(padded_offset(id)).value_or(fanout::log_position{});
            if (auto packet = node_.encode(message->packet, position)) missed->push_back(std::move(packet));
          }
        }
        loops_.post(worker,
                    [done = std::move(done), missed = std::move(missed)]() mutable { done(std::move(missed)); });
      });
}

}  // namespace switchboard::cluster
