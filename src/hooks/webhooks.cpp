#include "hooks/webhooks.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/random_id.h"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace switchboard::hooks {
webhooks::webhooks(loop_group& loops, const http::fetch_url& url, const settings& s, std::atomic<size_t>& in_flight,
                   std::vector<std::string> types, std::string node_id)
    : loops_(loops),
      max_queued_(s.webhook_max_queued),
      types_(std::move(types)),
      node_id_(std::move(node_id)),
      hook_("webhook", url, loops, s, in_flight, hook::answers::any_2xx),
      timer_(loops.context(0)) {}

bool webhooks::wants(std::string_view type) const {
  return types_.empty() || std::find(types_.begin(), types_.end(), type) != types_.end();
}

void webhooks::add(std::string_view type, const std::string& room, const std::string& user, const std::string& name,
                   const json& message) {
  if (!wants(type)) return;
  json event{{"id", random_id()}, {"type", type}, {"room", room}};
  if (!user.empty()) event["user"] = user;
  if (!name.empty()) event["name"] = name;
  if (!message.is_null()) event["message"] = message;
  event["node"] = node_id_;
  event["time_ms"] = unix_ms();
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queued_) {
      queue_.pop_front();
      dropped_.fetch_add(1, std::memory_order_relaxed);
    }
    queue_.push_back({next_seq_++, std::move(event)});
    start = !scheduled_ && !sending_;
    if (start) scheduled_ = true;
  }
  if (start) boost::asio::post(loops_.context(0), [this] { schedule(flush_after); });
}

void webhooks::flush_now() {
  boost::asio::post(loops_.context(0), [this] {
    timer_.cancel();
    flush();
  });
}

size_t webhooks::pending() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void webhooks::schedule(std::chrono::milliseconds after) {
  timer_.expires_after(after);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) flush();
  });
}

void webhooks::flush() {
  json events = json::array();
  uint64_t last = 0;
  {
    std::lock_guard lock(mutex_);
    scheduled_ = false;
    if (sending_ || queue_.empty()) return;
    sending_ = true;
    const size_t n = std::min(queue_.size(), max_batch);
    for (size_t i = 0; i < n; ++i) events.push_back(queue_[i].event);
    last = queue_[n - 1].seq;
  }
  const size_t count = events.size();
  hook_.call(json{{"time_ms", unix_ms()}, {"events", std::move(events)}}, [this, last, count](answer a) {
    std::optional<std::chrono::milliseconds> next;
    {
      std::lock_guard lock(mutex_);
      sending_ = false;
      if (a.result == outcome::ok) {
        // Taken: off the queue (those of it that a full queue did not drop meanwhile).
        int64_t taken = 0;
        for (; !queue_.empty() && queue_.front().seq <= last; ++taken) queue_.pop_front();
        sent_.fetch_add(taken, std::memory_order_relaxed);
        backoff_ = std::chrono::milliseconds(0);
        if (!queue_.empty()) next = queue_.size() >= max_batch ? std::chrono::milliseconds(0) : flush_after;
      } else {
        backoff_ = std::clamp(backoff_ * 2, first_retry, last_retry);
        next = backoff_;
        SB_LOG(warn, "event=webhook_retry events=" << count << " retry_ms=" << backoff_.count() << " error=\""
                                                   << a.error << "\"");
      }
      if (next) scheduled_ = true;
    }
    if (next) schedule(*next);
  });
}

}  // namespace switchboard::hooks
