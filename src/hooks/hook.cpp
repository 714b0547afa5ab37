#include "hooks/hook.h"

#include "base/clock.h"
#include "base/json_parse.h"
#include "base/json_write.h"
#include "base/log.h"
#include "hooks/signature.h"

#include <boost/asio/post.hpp>

#include <cassert>

namespace switchboard::hooks {
namespace {

// An answer is a small JSON object: nested no deeper than a client's own payloads may be.
constexpr size_t max_answer_depth = 32;

answer read_response(const http::client_response& r, hook::answers kind) {
  answer a;
  a.status = r.status;
  if (!r.answered) {
    a.result = r.timed_out ? outcome::timeout : outcome::error;
    a.error = r.error;
    return a;
  }
  if (kind == hook::answers::any_2xx) {
    a.result = r.status >= 200 && r.status < 300 ? outcome::ok : outcome::error;
    if (a.result != outcome::ok) a.error = "the backend answered HTTP " + std::to_string(r.status);
    a.body = json::object();
    return a;
  }
  json body = r.body.empty() ? json::object() : parse_json_within(r.body, max_answer_depth);
  if (r.status == 401 || r.status == 403) {
    a.result = outcome::refused;
    a.body = body.is_object() ? std::move(body) : json::object();
    return a;
  }
  if (r.status != 200) {
    a.error = "the backend answered HTTP " + std::to_string(r.status);
    return a;
  }
  if (!body.is_object() || r.body.empty()) {
    a.error = "the backend's 200 answer is not a JSON object";
    return a;
  }
  a.result = outcome::ok;
  a.body = std::move(body);
  return a;
}

}  // namespace

const char* outcome_name(outcome o) {
  switch (o) {
    case outcome::ok:
      return "ok";
    case outcome::refused:
      return "refused";
    case outcome::error:
      return "error";
    case outcome::timeout:
      return "timeout";
    case outcome::rejected:
      return "rejected";
  }
  return "error";
}

hook::hook(std::string name, const http::fetch_url& url, loop_group& loops, const settings& s,
           std::atomic<size_t>& in_flight, answers kind)
    : name_(std::move(name)), kind_(kind), target_(url.target), loops_(loops), settings_(s), in_flight_(in_flight) {
  for (size_t w = 0; w < loops.size(); ++w) clients_.push_back(std::make_shared<http::client>(loops.context(w), url));
}

void hook::call(const json& body, done_fn done) {
  const size_t worker = loop_group::current();
  assert(worker < clients_.size() && "a hook is called on a worker");
  auto& client = *clients_[worker];
  const auto now = std::chrono::steady_clock::now();
  const auto reject = [&](std::string why) {
    stats_.by_outcome[static_cast<size_t>(outcome::rejected)].fetch_add(1, std::memory_order_relaxed);
    answer a;
    a.result = outcome::rejected;
    a.error = std::move(why);
    // Asynchronous like every other answer: the caller's state is settled before it runs.
    boost::asio::post(loops_.context(worker),
                      [a = std::move(a), done = std::move(done)]() mutable { done(std::move(a)); });
  };
  if (in_flight_.fetch_add(1, std::memory_order_relaxed) >= settings_.max_in_flight) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    return reject("too many hook requests in flight on this node (" + std::to_string(settings_.max_in_flight) + ")");
  }
  if (!breaker_.allow(now)) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    return reject("the backend kept failing: requests to it are paused");
  }
  auto text = switchboard::to_json(body);
  const auto ts = unix_seconds();
  http::client::header_list headers{{std::string(timestamp_header), std::to_string(ts)},
                                    {std::string(signature_header), signature(settings_.secret, ts, text)}};
  client.post(target_, std::move(headers), std::move(text), settings_.timeout,
              [this, now, done = std::move(done)](http::client_response r) {
                in_flight_.fetch_sub(1, std::memory_order_relaxed);
                finished(read_response(r, kind_), now, done);
              });
}

void hook::finished(answer a, std::chrono::steady_clock::time_point started, const done_fn& done) {
  const auto now = std::chrono::steady_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - started).count();
  size_t bucket = 0;
  while (bucket < stats::bounds_ms.size() && us > stats::bounds_ms[bucket] * 1000) ++bucket;
  stats_.latency[bucket].fetch_add(1, std::memory_order_relaxed);
  stats_.latency_sum_us.fetch_add(us, std::memory_order_relaxed);
  stats_.by_outcome[static_cast<size_t>(a.result)].fetch_add(1, std::memory_order_relaxed);
  const bool healthy = a.result == outcome::ok || a.result == outcome::refused;
  if (healthy) {
    if (breaker_.succeeded()) SB_LOG(info, "event=hook_recovered hook=" << name_);
  } else {
    SB_LOG(debug, "event=hook_failed hook=" << name_ << " error=\"" << a.error << "\"");
    if (breaker_.failed(now))
      SB_LOG(warn, "event=hook_paused hook=" << name_ << " pause_ms=" << breaker_.pause().count() << " error=\""
                                             << a.error << "\"");
  }
  done(std::move(a));
}

}  // namespace switchboard::hooks
