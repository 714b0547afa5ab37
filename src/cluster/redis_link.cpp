#include "cluster/redis_link.h"

#include "base/log.h"
#include "base/metrics.h"
#include "cluster/redis_slot.h"

#include <charconv>

namespace switchboard::cluster {

void drop_bad_message(std::string_view channel, size_t bytes, std::string_view why) {
  metrics::add(metrics::counter::cluster_bad_messages);
  SB_LOG(warn, "event=redis_bad_message channel=\"" << channel << "\" bytes=" << bytes << " why=\"" << why << "\"");
}

redis_link::redis_link(loop_group& loops, redis_endpoint endpoint)
    : loops_(loops),
      endpoint_(std::move(endpoint)),
      pub_(std::make_shared<redis_connection>(loops.context(0), endpoint_, redis_connection::mode::commands, "pub")),
      sub_(std::make_shared<redis_connection>(loops.context(0), endpoint_, redis_connection::mode::subscriber, "sub")),
      resubscribe_timer_(loops.context(0)) {
  metrics::set_redis_connected(0);
  pub_->on_ready = [this] {
    discovered_ = false;
    discover();
    update_state();
  };
  pub_->on_lost = [this](std::string_view) { update_state(); };
  sub_->on_lost = [this](std::string_view) { update_state(); };
  sub_->on_push = [this](const redis_value& v) { on_push(v); };
  sub_->on_ready = [this] {
    subscribe_all();
    update_state();
  };
}

void redis_link::subscribe_all() {
  unconfirmed_ = channels_.size() + patterns_.size();
  std::vector<std::string_view> argv{"SUBSCRIBE"};
  for (const auto& [c, fn] : channels_) argv.push_back(c);
  if (argv.size() > 1) sub_->command(argv);
  argv = {"PSUBSCRIBE"};
  for (const auto& [p, fn] : patterns_) argv.push_back(p);
  if (argv.size() > 1) sub_->command(argv);
  if (discovered_ && slot_owner_.empty()) resubscribe_shards(*sub_);
}

namespace {
// A channel table's channels (or patterns), space-separated, for a log line.
std::string names_of(const std::map<std::string, redis_link::message_fn>& table) {
  std::string names;
  for (const auto& [name, fn] : table) names += (names.empty() ? "" : " ") + name;
  return names;
}
}  // namespace

void redis_link::on_subscribe_refused(const redis_value& v) {
  // Redis refuses a whole SUBSCRIBE for one channel the user may not use (an ACL without it:
  // "NOPERM …"). The link stays disconnected, so the node does not count on messages it cannot
  // hear; the operator learns which channels to grant (one line per round of subscriptions), and
  // the subscriptions are asked for again every few seconds, so that granting them is enough.
  metrics::add(metrics::counter::redis_subscribe_refusals);
  if (resubscribe_pending_) return;
  resubscribe_pending_ = true;
  SB_LOG(error, "event=redis_subscribe_refused redis="
                    << endpoint_.describe() << " error=\"" << v.str << "\" channels=\"" << names_of(channels_)
                    << "\" patterns=\"" << names_of(patterns_) << "\" shard_channels=\"" << names_of(shard_channels_)
                    << "\" retry_ms=" << std::chrono::milliseconds(subscribe_retry).count()
                    << " hint=\"grant the Redis user these channels (ACL &pattern)\"");
  resubscribe_timer_.expires_after(subscribe_retry);
  resubscribe_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // stopped: the link may be gone
    resubscribe_pending_ = false;
    if (sub_->ready()) subscribe_all();
    for (const auto& sh : shards_) {
      if (sh->sub->ready()) resubscribe_shards(*sh->sub);
    }
  });
}

void redis_link::subscribe(std::string channel, message_fn fn) { channels_[std::move(channel)] = std::move(fn); }

void redis_link::psubscribe(std::string pattern, message_fn fn) { patterns_[std::move(pattern)] = std::move(fn); }

void redis_link::ssubscribe(std::string channel, message_fn fn) {
  if (!started_) required_shard_channels_.insert(channel);
  auto& conn = sub_for(channel);
  const bool now = started_ && discovered_ && conn.ready();
  if (now) conn.command({"SSUBSCRIBE", channel});
  shard_channels_[std::move(channel)] = std::move(fn);
}

void redis_link::sunsubscribe(const std::string& channel) {
  auto& conn = sub_for(channel);
  if (shard_channels_.erase(channel) && started_ && discovered_ && conn.ready())
    conn.command({"SUNSUBSCRIBE", channel});
}

redis_connection& redis_link::sub_for(const std::string& channel) {
  if (slot_owner_.empty()) return *sub_;
  shard* s = slot_owner_[key_slot(channel)];
  return s ? *s->sub : *sub_;
}

void redis_link::resubscribe_shards(redis_connection& conn) {
  // One SSUBSCRIBE per channel: on a Redis Cluster the channels of one command must share a slot.
  for (const auto& [c, fn] : shard_channels_) {
    if (&sub_for(c) != &conn) continue;
    if (required_shard_channels_.contains(c)) unconfirmed_shard_channels_.insert(c);
    conn.command({"SSUBSCRIBE", c});
  }
}

void redis_link::discover() {
  pub_->command({"CLUSTER", "SLOTS"}, [this](const redis_value& v) {
    if (v.type == redis_value::kind::array && !v.elements.empty()) {
      apply_slots(v);
    } else {
      slot_owner_.clear();  // "cluster support disabled": a single Redis
    }
    discovered_ = true;
    if (slot_owner_.empty() && sub_->ready()) resubscribe_shards(*sub_);
    update_state();
  });
}

void redis_link::apply_slots(const redis_value& slots) {
  // [[start, end, [host, port, id], replicas…], …]
  const bool first = slot_owner_.empty();
  slot_owner_.assign(redis_slot_count, nullptr);
  for (const auto& range : slots.elements) {
    if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) continue;
    const auto& master = range.elements[2];
    std::string host = master.elements[0].str.empty() ? endpoint_.host : master.elements[0].str;
    shard& s = shard_at(host, static_cast<uint16_t>(master.elements[1].integer));
    for (int64_t slot = range.elements[0].integer; slot <= range.elements[1].integer && slot < redis_slot_count; ++slot)
      slot_owner_[static_cast<size_t>(slot)] = &s;
  }
  SB_LOG(info, "event=redis_cluster masters=" << shards_.size() << (first ? "" : " refreshed=1"));
}

redis_link::shard& redis_link::shard_at(const std::string& host, uint16_t port) {
  const std::string address = host + ":" + std::to_string(port);
  for (auto& s : shards_) {
    if (s->address == address) return *s;
  }
  redis_endpoint e = endpoint_;
  e.host = host;
  e.port = port;
  e.db = 0;  // a Redis Cluster has database 0 only
  auto s = std::make_unique<shard>();
  s->address = address;
  s->pub = std::make_shared<redis_connection>(loops_.context(0), e, redis_connection::mode::commands, "pub " + address);
  s->sub =
      std::make_shared<redis_connection>(loops_.context(0), e, redis_connection::mode::subscriber, "sub " + address);
  s->pub->on_ready = [this] { update_state(); };
  s->pub->on_lost = [this](std::string_view) { update_state(); };
  s->sub->on_lost = [this](std::string_view) { update_state(); };
  s->sub->on_push = [this](const redis_value& v) { on_push(v); };
  redis_connection* sub = s->sub.get();
  s->sub->on_ready = [this, sub] {
    resubscribe_shards(*sub);
    update_state();
  };
  if (started_) {
    s->pub->start();
    s->sub->start();
  }
  shards_.push_back(std::move(s));
  return *shards_.back();
}

void redis_link::start() {
  loops_.post(0, [this] {
    started_ = true;
    pub_->start();
    sub_->start();
    for (auto& s : shards_) {
      s->pub->start();
      s->sub->start();
    }
  });
}

void redis_link::stop() {
  loops_.post(0, [this] {
    resubscribe_timer_.cancel();
    pub_->stop();
    sub_->stop();
    for (auto& s : shards_) {
      s->pub->stop();
      s->sub->stop();
    }
    update_state();
  });
}

void redis_link::update_state() {
  bool now = pub_->ready() && sub_->ready() && unconfirmed_ == 0 && unconfirmed_shard_channels_.empty() && discovered_;
  for (const auto& s : shards_) now = now && s->pub->ready() && s->sub->ready();
  metrics::set_redis_connected(now ? 1 : 0);
  if (connected_.exchange(now) == now) return;
  SB_LOG(info, "event=redis_state state=" << (now ? "connected" : "disconnected"));
  if (!now) return;
  for (const auto& fn : on_connected_) fn();
}

void redis_link::publish(std::string channel, std::string payload) {
  command({"PUBLISH", std::move(channel), std::move(payload)}, {});
}

void redis_link::spublish(std::string channel, std::string payload) {
  command({"SPUBLISH", std::move(channel), std::move(payload)}, {});
}

void redis_link::command(std::vector<std::string> argv, redis_connection::reply_fn done) {
  loops_.post(0, [this, argv = std::move(argv), done = std::move(done)]() mutable {
    route(std::move(argv), std::move(done), false);
  });
}

void redis_link::route(std::vector<std::string> argv, redis_connection::reply_fn done, bool redirected) {
  redis_connection* conn = pub_.get();
  if (!slot_owner_.empty()) {
    if (const auto key = routing_key(argv)) {
      if (shard* s = slot_owner_[key_slot(*key)]) conn = s->pub.get();
    }
  }
  const bool is_publish = argv[0] == "PUBLISH" || argv[0] == "SPUBLISH";
  std::vector<std::string_view> views(argv.begin(), argv.end());
  conn->command(views, [this, argv = std::move(argv), done = std::move(done), redirected, is_publish,
                        sent = std::chrono::steady_clock::now()](const redis_value& v) mutable {
    // "MOVED <slot> <host>:<port>": the cluster changed; learn the new owners and go there once.
    if (v.is_error() && v.str.starts_with("MOVED ") && !redirected) {
      discover();
      const auto colon = v.str.rfind(':');
      const auto space = v.str.rfind(' ', colon);
      uint16_t port = 0;
      if (colon != std::string::npos && space != std::string::npos) {
        std::from_chars(v.str.data() + colon + 1, v.str.data() + v.str.size(), port);
        shard& s = shard_at(v.str.substr(space + 1, colon - space - 1), port);
        std::vector<std::string_view> again(argv.begin(), argv.end());
        return s.pub->command(again, [this, argv, done](const redis_value& r) {
          if (done) done(r);
        });
      }
    }
    if (is_publish && !v.is_error())
      metrics::record_redis_publish_latency(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - sent).count());
    if (done) done(v);
  });
}

void redis_link::on_push(const redis_value& v) {
  // ["message" | "smessage", channel, payload] or ["pmessage", pattern, channel, payload]; the
  // rest are subscription confirmations.
  if (v.is_error()) return on_subscribe_refused(v);
  if (v.type != redis_value::kind::array || v.elements.empty()) return;
  const auto& kind = v.elements[0].str;
  try {
    if (kind == "message" && v.elements.size() == 3) {
      if (auto it = channels_.find(v.elements[1].str); it != channels_.end())
        it->second(v.elements[1].str, v.elements[2].str);
    } else if (kind == "smessage" && v.elements.size() == 3) {
      if (auto it = shard_channels_.find(v.elements[1].str); it != shard_channels_.end())
        it->second(v.elements[1].str, v.elements[2].str);
    } else if (kind == "pmessage" && v.elements.size() == 4) {
      if (auto it = patterns_.find(v.elements[1].str); it != patterns_.end())
        it->second(v.elements[2].str, v.elements[3].str);
    } else if ((kind == "subscribe" || kind == "psubscribe") && unconfirmed_ > 0 && --unconfirmed_ == 0) {
      update_state();
    } else if (kind == "ssubscribe" && v.elements.size() >= 2 && unconfirmed_shard_channels_.erase(v.elements[1].str) &&
               unconfirmed_shard_channels_.empty()) {
      update_state();
    }
  } catch (const std::exception& e) {
    // Anyone can PUBLISH: a message we cannot handle is logged and counted, never fatal.
    drop_bad_message(v.elements.size() > 1 ? v.elements[1].str : "", v.elements.back().str.size(), e.what());
  }
}

}  // namespace switchboard::cluster
