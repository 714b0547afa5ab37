#include "hooks/backend.h"

#include <cassert>
#include <sstream>

namespace switchboard::hooks {
namespace {

// A label value as the Prometheus text format writes one.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

backend::backend(loop_group& loops, settings s, const urls& u, std::string node_id)
    : loops_(loops), settings_(std::move(s)) {
  connect_ = make("connect", u.connect);
  join_ = make("join", u.join);
  message_ = make("message", u.message);
  for (const auto& [event, url] : u.rpc) rpc_.emplace(event, make("rpc:" + event, url));
  if (!u.webhook.empty()) {
    const auto parsed = http::parse_fetch_url(u.webhook);
    assert(parsed && "the webhook URL is checked with the configuration");
    webhooks_ =
        std::make_unique<hooks::webhooks>(loops_, *parsed, settings_, in_flight_, u.webhook_events, std::move(node_id));
  }
}

std::unique_ptr<hook> backend::make(std::string name, const std::string& url) {
  if (url.empty()) return nullptr;
  const auto parsed = http::parse_fetch_url(url);
  assert(parsed && "hook URLs are checked with the configuration");
  return std::make_unique<hook>(std::move(name), *parsed, loops_, settings_, in_flight_);
}

std::string backend::prometheus_text() const {
  std::vector<const hook*> all;
  for (const auto* h : {connect_.get(), join_.get(), message_.get()}) {
    if (h) all.push_back(h);
  }
  for (const auto& [event, h] : rpc_) all.push_back(h.get());
  if (webhooks_) all.push_back(&webhooks_->sender());
  if (all.empty()) return {};
  std::ostringstream out;
  if (webhooks_) {
    out << "# HELP switchboard_webhook_events_total Webhook events by outcome: sent (the backend took their "
           "batch) or dropped (the queue was full).\n"
        << "# TYPE switchboard_webhook_events_total counter\n"
        << "switchboard_webhook_events_total{outcome=\"sent\"} " << webhooks_->sent() << "\n"
        << "switchboard_webhook_events_total{outcome=\"dropped\"} " << webhooks_->dropped() << "\n";
  }
  out << "# HELP switchboard_hook_requests_total Backend hook requests by outcome (ok, refused: the backend's 401 "
         "or 403, error, timeout, rejected: not sent while the backend kept failing or too many were in flight).\n"
      << "# TYPE switchboard_hook_requests_total counter\n";
  for (const auto* h : all) {
    for (size_t o = 0; o < outcome_count; ++o) {
      out << "switchboard_hook_requests_total{hook=\"" << label(h->name()) << "\",outcome=\""
          << outcome_name(static_cast<outcome>(o)) << "\"} " << h->counters().by_outcome[o].load() << "\n";
    }
  }
  out << "# HELP switchboard_hook_duration_seconds Time from sending a hook request to its answer or failure.\n"
      << "# TYPE switchboard_hook_duration_seconds histogram\n";
  for (const auto* h : all) {
    const auto& s = h->counters();
    const auto name = label(h->name());
    int64_t cumulative = 0;
    for (size_t b = 0; b <= stats::bounds_ms.size(); ++b) {
      cumulative += s.latency[b].load();
      out << "switchboard_hook_duration_seconds_bucket{hook=\"" << name << "\",le=\"";
      if (b < stats::bounds_ms.size()) {
        out << stats::bounds_ms[b] / 1000.0;
      } else {
        out << "+Inf";
      }
      out << "\"} " << cumulative << "\n";
    }
    out << "switchboard_hook_duration_seconds_sum{hook=\"" << name << "\"} " << s.latency_sum_us.load() / 1e6 << "\n"
        << "switchboard_hook_duration_seconds_count{hook=\"" << name << "\"} " << cumulative << "\n";
  }
  return out.str();
}

}  // namespace switchboard::hooks
