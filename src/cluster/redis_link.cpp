#include "cluster/redis_link.h"

#include "base/log.h"
#include "base/metrics.h"

namespace switchboard::cluster {

redis_link::redis_link(loop_group& loops, redis_endpoint endpoint)
    : loops_(loops),
      endpoint_(std::move(endpoint)),
      pub_(std::make_shared<redis_connection>(loops.context(0), endpoint_, redis_connection::mode::commands, "pub")),
      sub_(std::make_shared<redis_connection>(loops.context(0), endpoint_, redis_connection::mode::subscriber, "sub")) {
  metrics::set_redis_connected(0);
  pub_->on_ready = [this] { update_state(); };
  pub_->on_lost = [this](std::string_view) { update_state(); };
  sub_->on_lost = [this](std::string_view) { update_state(); };
  sub_->on_push = [this](const redis_value& v) { on_push(v); };
  sub_->on_ready = [this] {
    std::vector<std::string_view> argv{"SUBSCRIBE"};
    for (const auto& [c, fn] : channels_) argv.push_back(c);
    if (argv.size() > 1) sub_->command(argv);
    argv = {"PSUBSCRIBE"};
    for (const auto& [p, fn] : patterns_) argv.push_back(p);
    if (argv.size() > 1) sub_->command(argv);
    // One SSUBSCRIBE per channel: on a Redis Cluster the channels of one command must share a slot.
    for (const auto& [c, fn] : shard_channels_) sub_->command({"SSUBSCRIBE", c});
    update_state();
  };
}

void redis_link::subscribe(std::string channel, message_fn fn) { channels_[std::move(channel)] = std::move(fn); }

void redis_link::psubscribe(std::string pattern, message_fn fn) { patterns_[std::move(pattern)] = std::move(fn); }

void redis_link::ssubscribe(std::string channel, message_fn fn) {
  const bool now = started_ && sub_->ready();
  if (now) sub_->command({"SSUBSCRIBE", channel});
  shard_channels_[std::move(channel)] = std::move(fn);
}

void redis_link::sunsubscribe(const std::string& channel) {
  if (shard_channels_.erase(channel) && started_ && sub_->ready()) sub_->command({"SUNSUBSCRIBE", channel});
}

void redis_link::start() {
  loops_.post(0, [this] {
    started_ = true;
    pub_->start();
    sub_->start();
  });
}

void redis_link::stop() {
  loops_.post(0, [this] {
    pub_->stop();
    sub_->stop();
    update_state();
  });
}

void redis_link::update_state() {
  const bool now = pub_->ready() && sub_->ready();
  metrics::set_redis_connected(now ? 1 : 0);
  if (connected_.exchange(now) == now) return;
  SB_LOG(info, "event=redis_state state=" << (now ? "connected" : "disconnected"));
  if (!now) return;
  for (const auto& fn : on_connected_) fn();
}

void redis_link::publish(std::string channel, std::string payload) {
  send_publish("PUBLISH", std::move(channel), std::move(payload));
}

void redis_link::spublish(std::string channel, std::string payload) {
  send_publish("SPUBLISH", std::move(channel), std::move(payload));
}

void redis_link::send_publish(const char* verb, std::string channel, std::string payload) {
  loops_.post(0, [this, verb, channel = std::move(channel), payload = std::move(payload)] {
    pub_->command({verb, channel, payload}, [sent = std::chrono::steady_clock::now()](const redis_value& v) {
      if (v.is_error()) return;
      metrics::record_redis_publish_latency(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - sent).count());
    });
  });
}

void redis_link::command(std::vector<std::string> argv, redis_connection::reply_fn done) {
  loops_.post(0, [this, argv = std::move(argv), done = std::move(done)]() mutable {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    pub_->command(views, std::move(done));
  });
}

void redis_link::on_push(const redis_value& v) {
  // ["message" | "smessage", channel, payload] or ["pmessage", pattern, channel, payload]; the
  // rest are subscription confirmations.
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
    }
  } catch (const std::exception& e) {
    // Anyone can PUBLISH: a message we cannot handle is logged, never fatal.
    SB_LOG(warn, "event=redis_bad_message channel=\"" << (v.elements.size() > 1 ? v.elements[1].str : "")
                                                      << "\" error=\"" << e.what() << "\"");
  }
}

}  // namespace switchboard::cluster
