#include "server/api.h"

#include "base/json_write.h"
#include "base/metrics.h"
#include "http/url.h"
#include "server/publish_request.h"

#include <charconv>

namespace switchboard::server {
namespace {

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// A positive integer query parameter; true when absent.
bool positive_param(const http::target& t, const char* key, std::optional<uint64_t>& out) {
  const auto* v = t.param(key);
  if (v == nullptr || v->empty()) return true;
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || end != v->data() + v->size() || n == 0) return false;
  out = n;
  return true;
}

}  // namespace

bool is_json_content_type(std::string_view ct) {
  if (!iequals_prefix(ct, "application/json")) return false;
  const auto rest = ct.substr(16);
  return rest.empty() || rest[0] == ';' || rest[0] == ' ';
}

api::api(socketio::server& io, storage::history_store& history, storage::presence_directory& directory, const config& c,
         const std::atomic<bool>& draining, shared_rate_limiter& auth_failures, idempotency_keys& idempotency)
    : io_(io),
      history_(history),
      directory_(directory),
      gate_(c.api_key, auth_failures),
      rate_(c.api_rate),
      draining_(draining),
      idempotency_(idempotency) {}

bool api::refused_by_gate(const http::exchange_ptr& ex) {
  const auto& req = ex->req();
  // `Authorization: Bearer KEY` (RFC 6750; the scheme is case-insensitive); anything else presents no key.
  std::string_view presented = req[http::field::authorization];
  presented = iequals_prefix(presented, "bearer ") ? presented.substr(7) : std::string_view{};
  const auto refusal = gate_.check(ex->remote().address().to_string(), presented, [&req](std::string_view name) {
    const auto it = req.find(name);
    return it == req.end() ? std::string_view{} : std::string_view(it->value());
  });
  if (!refusal) return false;
  refuse(ex, *refusal);
  return true;
}

void api::refuse(const http::exchange_ptr& ex, const gate_refusal& r) const {
  auto res = http::make_response(ex->req(), r.status, "application/json",
                                 to_json(json{{"error", r.error}, {"message", r.message}}));
  res.set(http::field::cache_control, "no-store");
  if (r.retry_after_seconds > 0) res.set(http::field::retry_after, std::to_string(r.retry_after_seconds));
  if (r.status == http::status::unauthorized) res.set(http::field::www_authenticate, "Bearer");
  io_.engine().respond(*ex, std::move(res));
}

void api::answer(const http::exchange_ptr& ex, http::status code, const json& body) const {
  auto res = http::make_response(ex->req(), code, "application/json", to_json(body));
  res.set(http::field::cache_control, "no-store");
  io_.engine().respond(*ex, std::move(res));
}

void api::fail(const http::exchange_ptr& ex, http::status code, std::string_view error,
               std::string_view message) const {
  answer(ex, code, json{{"error", error}, {"message", message}});
}

bool api::over_rate_limit(const http::exchange_ptr& ex) {
  const double wait = rate_.take(ex->remote().address().to_string());
  if (wait == 0) return false;
  metrics::add(metrics::counter::rate_limited);
  refuse(ex, {http::status::too_many_requests, "rate_limited", "too many API requests from this address; retry later",
              retry_after_seconds(wait)});
  return true;
}

void api::handle(const http::exchange_ptr& ex, std::string_view raw_path) {
  metrics::add(metrics::counter::api_requests);
  if (draining_.load(std::memory_order_relaxed))
    return fail(ex, http::status::service_unavailable, "draining", "this node is shutting down; use another node");
  if (over_rate_limit(ex) || refused_by_gate(ex)) return;
  // Split before decoding, so a room name may hold an encoded "/".
  std::vector<std::string> parts;
  for (size_t pos = 1; pos <= raw_path.size();) {
    const auto next = std::min(raw_path.find('/', pos), raw_path.size());
    std::string part;
    if (!http::percent_decode(raw_path.substr(pos, next - pos), part, false))
      return fail(ex, http::status::bad_request, "bad_request", "invalid percent-encoding in the path");
    parts.push_back(std::move(part));
    pos = next + 1;
  }
  const auto method = ex->req().method();
  const auto only = [&](http::beast_http::verb verb) {
    if (method == verb) return true;
    auto res = http::make_response(ex->req(), http::status::method_not_allowed, "application/json",
                                   to_json(json{{"error", "method_not_allowed"},
                                                {"message", "use " + std::string(http::beast_http::to_string(verb))}}));
    res.set(http::field::allow, http::beast_http::to_string(verb));
    io_.engine().respond(*ex, std::move(res));
    return false;
  };
  using verb = http::beast_http::verb;
  // parts[0] is "api".
  if (parts.size() == 2 && parts[1] == "publish") {
    if (only(verb::post)) publish(ex);
    return;
  }
  if (parts.size() == 2 && parts[1] == "emit") {
    if (only(verb::post)) emit(ex);
    return;
  }
  if (parts.size() == 2 && parts[1] == "disconnect") {
    if (only(verb::post)) disconnect(ex);
    return;
  }
  if (parts.size() == 2 && (parts[1] == "join" || parts[1] == "leave")) {
    if (only(verb::post)) membership(ex, parts[1] == "join");
    return;
  }
  if (parts.size() == 2 && parts[1] == "sockets") {
    if (only(verb::get)) sockets(ex);
    return;
  }
  if (parts.size() == 2 && parts[1] == "rooms") {
    if (only(verb::get)) rooms(ex);
    return;
  }
  if (parts.size() == 4 && parts[1] == "rooms" && !parts[2].empty() && parts[3] == "history") {
    if (only(verb::get)) history(ex, parts[2]);
    return;
  }
  if (parts.size() == 4 && parts[1] == "rooms" && !parts[2].empty() && parts[3] == "members") {
    if (only(verb::get)) members(ex, parts[2]);
    return;
  }
  fail(ex, http::status::not_found, "not_found", "no such API endpoint; see docs/user-guide.md");
}

void api::publish(const http::exchange_ptr& ex) {
  if (!json_body(ex)) return;
  std::vector<publish_request> batch;
  bool array = false;
  if (std::string error; !read_publish_requests(ex->req().body(), batch, array, error))
    return fail(ex, http::status::bad_request, "bad_request", error);
  std::vector<std::string> keys;
  std::vector<size_t> keyed;  // the entries with a key, in order
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].idempotency_key) continue;
    keys.push_back(*batch[i].idempotency_key);
    keyed.push_back(i);
  }
  if (keys.empty()) return publish_fresh(ex, batch, array, std::vector<bool>(batch.size(), false));
  idempotency_.claim(std::move(keys), io_.loops().context(ex->worker()),
                     [this, ex, batch = std::move(batch), array,
                      keyed = std::move(keyed)](std::optional<std::vector<bool>> fresh) mutable {
                       if (!fresh) {
                         return fail(ex, http::status::service_unavailable, "unavailable",
                                     "the idempotency keys could not be checked (Redis is not answering); nothing "
                                     "was published; retry");
                       }
                       std::vector<bool> repeat(batch.size(), false);
                       for (size_t k = 0; k < keyed.size(); ++k) repeat[keyed[k]] = !(*fresh)[k];
                       publish_fresh(ex, batch, array, repeat);
                     });
}

void api::publish_fresh(const http::exchange_ptr& ex, std::vector<publish_request>& batch, bool array,
                        const std::vector<bool>& repeat) {
  auto& nsp = io_.of("/");
  size_t published = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (repeat[i]) continue;
    auto& p = batch[i];
    if (p.room) {
      nsp.to(*p.room).emit(p.event, std::move(p.args));
    } else {
      nsp.emit(p.event, std::move(p.args));
    }
    ++published;
  }
  // A repeat is answered as the first time was: a single request's answer does not change.
  if (!array) return answer(ex, http::status::ok, json{{"ok", true}});
  answer(ex, http::status::ok, json{{"ok", true}, {"published", published}, {"repeats", batch.size() - published}});
}

void api::rooms(const http::exchange_ptr& ex) {
  directory_.rooms(io_.loops().context(ex->worker()), [this, ex](std::vector<storage::room_summary> rooms) {
    json list = json::array();
    for (const auto& r : rooms) list.push_back(json{{"room", r.room}, {"members", r.members}});
    answer(ex, http::status::ok, json{{"rooms", std::move(list)}});
  });
}

void api::unless_unknown(const http::exchange_ptr& ex, const std::string& room, std::function<void()> known) {
  auto& ctx = io_.loops().context(ex->worker());
  directory_.members(room, ctx, [this, ex, room, &ctx, known = std::move(known)](std::vector<std::string> members) {
    if (!members.empty()) return known();
    history_.read({room, std::nullopt, 1}, ctx, [this, ex, known](bool, std::vector<storage::message> any) {
      if (any.empty()) return fail(ex, http::status::not_found, "not_found", "no such room");
      known();
    });
  });
}

void api::history(const http::exchange_ptr& ex, const std::string& room) {
  http::target t;
  if (!http::parse_target(ex->req().target(), t))
    return fail(ex, http::status::bad_request, "bad_request", "invalid percent-encoding in the query");
  std::optional<uint64_t> before, limit;
  if (!positive_param(t, "before", before) || !positive_param(t, "limit", limit))
    return fail(ex, http::status::bad_request, "bad_request", "before and limit must be positive integers");
  history_.read(storage::history_query::page(room, before, limit), io_.loops().context(ex->worker()),
                [this, ex, room](bool ok, std::vector<storage::message> newest_first) {
                  if (!ok)
                    return fail(ex, http::status::service_unavailable, "unavailable", "storage could not be read");
                  json messages = json::array();
                  for (const auto& m : newest_first) messages.push_back(storage::to_json(m));
                  json body{{"room", room}, {"messages", std::move(messages)}};
                  if (!body["messages"].empty()) return answer(ex, http::status::ok, body);
                  // An empty page of a known room (past its oldest message) is a list, not a 404.
                  unless_unknown(ex, room, [this, ex, body] { answer(ex, http::status::ok, body); });
                });
}

void api::members(const http::exchange_ptr& ex, const std::string& room) {
  directory_.members(room, io_.loops().context(ex->worker()), [this, ex, room](std::vector<std::string> names) {
    if (!names.empty()) return answer(ex, http::status::ok, json{{"room", room}, {"members", std::move(names)}});
    unless_unknown(ex, room, [this, ex, room] {
      answer(ex, http::status::ok, json{{"room", room}, {"members", json::array()}});
    });
  });
}

}  // namespace switchboard::server
