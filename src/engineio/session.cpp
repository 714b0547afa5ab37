#include "engineio/session.h"

#include "base/log.h"
#include "base/metrics.h"
#include "engineio/errors.h"
#include "engineio/server.h"

namespace switchboard::engineio {

namespace eio = protocol::engineio;
using eio::packet_type;

namespace {
metrics::counter transport_gauge(transport_kind t) {
  return t == transport_kind::websocket ? metrics::counter::websocket_connections
                                        : metrics::counter::polling_connections;
}
}  // namespace

session::session(server& srv, std::string id, size_t worker, transport_kind transport,
                 std::shared_ptr<const handshake_info> info)
    : server_(srv), id_(std::move(id)), worker_(worker), transport_(transport), info_(std::move(info)) {
  probe_events_.owner = this;
  metrics::add(transport_gauge(transport_));
}

session::~session() = default;

std::string session::open_packet() const {
  const auto& o = server_.opts();
  std::string s = "{\"sid\":\"" + id_ + "\",\"upgrades\":[";
  if (transport_ == transport_kind::polling && o.allow_websocket) s += "\"websocket\"";
  s += "],\"pingInterval\":" + std::to_string(o.ping_interval.count()) +
       ",\"pingTimeout\":" + std::to_string(o.ping_timeout.count()) +
       ",\"maxPayload\":" + std::to_string(o.max_payload) + "}";
  return s;
}

void session::start(http::exchange_ptr handshake_get) {
  answer_get(handshake_get, "0" + open_packet());
  schedule_ping();
}

void session::start(std::shared_ptr<websocket::connection> ws, std::string response, std::string buffered) {
  ws_ = std::move(ws);
  ws_->send(std::move(response));
  ws_->send(outgoing::text(packet_type::open, open_packet())->frame());
  schedule_ping();
  ws_->start({}, std::move(buffered), this);
}

websocket::send_result session::send(const outgoing_ptr& packet, bool droppable) {
  if (closed_) return websocket::send_result::closed;
  if (transport_ == transport_kind::websocket) return ws_->send(packet->frame(), droppable);
  const auto& limits = server_.opts().send_queue;
  if (poll_buffered_bytes_ > limits.hard_bytes) return websocket::send_result::closed;  // teardown is on its way
  if (droppable && poll_buffered_bytes_ > limits.soft_bytes) {
    metrics::add(metrics::counter::dropped_packets);
    return websocket::send_result::dropped;
  }
  poll_buffered_bytes_ += packet->packet().size();
  poll_buffer_.push_back(packet);
  if (poll_buffered_bytes_ > limits.hard_bytes) {
    SB_LOG(info, "event=slow_consumer sid=" << id_ << " transport=polling queued_bytes=" << poll_buffered_bytes_);
    metrics::add(metrics::counter::slow_consumer_disconnects);
    // On the next turn, not from inside this send (see websocket::connection::send).
    boost::asio::post(server_.loops().context(worker_),
                      [self = shared_from_this()] { self->teardown("transport error"); });
    return websocket::send_result::closed;
  }
  schedule_poll_flush();
  return websocket::send_result::queued;
}

void session::schedule_poll_flush() {
  if (poll_flush_posted_ || !pending_get_) return;
  poll_flush_posted_ = true;
  boost::asio::post(server_.loops().context(worker_), [self = shared_from_this()] {
    self->poll_flush_posted_ = false;
    self->flush_poll();
  });
}

// Answers the pending GET with everything buffered, in one payload.
void session::flush_poll() {
  if (closed_ || !pending_get_ || poll_buffer_.empty() || probed_ || transport_ != transport_kind::polling) return;
  answer_get(pending_get_, take_poll_payload());
}

std::string session::take_poll_payload() {
  std::string body;
  size_t n = 0;
  for (const auto& p : poll_buffer_) {
    if (n++) body.push_back(eio::record_separator);
    body.append(p->polling_form());
  }
  poll_buffer_.clear();
  poll_buffered_bytes_ = 0;
  return body;
}

void session::answer_get(http::exchange_ptr& ex, std::string body) {
  metrics::add(metrics::counter::bytes_out, static_cast<int64_t>(body.size()));
  auto res = http::make_response(ex->req(), http::status::ok, "text/plain; charset=UTF-8", std::move(body));
  res.set(http::field::cache_control, "no-store");
  const auto taken = std::move(ex);  // leaves `ex` (often pending_get_) empty
  server_.respond(*taken, std::move(res));
}

void session::on_poll_get(http::exchange_ptr ex) {
  if (closed_) {
    // Lingering: packets queued before the close go out first, then the close (or, after a
    // client's close, a noop for the GET that raced it).
    if (!poll_buffer_.empty()) return answer_get(ex, take_poll_payload());
    answer_get(ex, std::exchange(linger_reply_, {}));
    server_.forget(*this);
    return;
  }
  if (pending_get_) {
    // Node: "overlap from client" — refuse the newcomer and end the session.
    server_.respond(*ex, http::make_response(ex->req(), http::status::bad_request, "text/html", ""));
    return teardown("transport error");
  }
  if (probed_) return answer_get(ex, "6");  // upgrading: the client must stop polling
  pending_get_ = std::move(ex);
  pending_get_->on_abort(server_.loops().context(worker_), [weak = weak_from_this(), get = pending_get_.get()] {
    auto self = weak.lock();
    if (self && self->pending_get_.get() == get) {
      self->pending_get_ = nullptr;
      self->teardown("transport error");  // a dropped long-poll ends the session
    }
  });
  flush_poll();
}

void session::on_poll_post(http::exchange_ptr ex) {
  auto self = shared_from_this();
  const auto& req = ex->req();
  if (closed_) return server_.respond(*ex, error_response(req, error_code::unknown_sid));
  metrics::add(metrics::counter::bytes_in, static_cast<int64_t>(req.body().size()));
  std::vector<eio::packet> packets;
  const bool binary_body = req[http::field::content_type] == "application/octet-stream";
  if (binary_body || !eio::decode_payload(req.body(), packets)) {
    server_.respond(*ex, http::make_response(req, http::status::bad_request, "text/html", ""));
    return teardown(binary_body ? "transport error" : "parse error");
  }
  for (auto& p : packets) {
    if (closed_) break;
    on_packet(std::move(p));
  }
  server_.respond(*ex, http::make_response(req, http::status::ok, "text/html", "ok"));
}

void session::on_packet(eio::packet&& p) {
  switch (p.type) {
    case packet_type::message:
      if (handler_) handler_->on_message(std::move(p.data), p.binary);
      break;
    case packet_type::pong:
      if (awaiting_pong_) {
        awaiting_pong_ = false;
        schedule_ping();
      }
      break;
    case packet_type::ping:
      // v4 servers send pings; a client ping is an error (Node: "invalid heartbeat direction").
      teardown("transport error");
      break;
    case packet_type::close:
      if (pending_get_) {
        answer_get(pending_get_, "6");  // client-initiated: the poll ends with a noop
      } else if (transport_ == transport_kind::polling) {
        linger_reply_ = "6";  // the client's last GET may be on its way on another connection
      }
      teardown("transport close");
      break;
    default:
      break;  // open/upgrade/noop from a client carry nothing
  }
}

void session::schedule_ping() { server_.ping_interval_list(worker_).arm(*this); }

// The deadline of the current heartbeat phase has passed: the ping interval (send a ping) or the
// ping timeout (no pong came). Runs from the list's timer: the table may hold the only reference.
void session::on_heartbeat() {
  if (closed_) return;
  auto self = shared_from_this();  // the session may end below (a slow polling consumer, a timeout)
  if (awaiting_pong_) return teardown("ping timeout");
  awaiting_pong_ = true;
  // The timeout runs from the moment the ping is queued, even with no GET pending.
  server_.ping_timeout_list(worker_).arm(*this);
  send(outgoing::text(packet_type::ping));
}

void session::on_ws_message(bool binary, std::string&& payload) {
  if (binary) return on_packet({packet_type::message, true, std::move(payload)});
  eio::packet p;
  if (!eio::decode_text_packet(payload, p)) return teardown("parse error");
  on_packet(std::move(p));
}

void session::on_ws_closed(std::string_view reason) { teardown(reason); }

void session::on_upgrade(std::shared_ptr<websocket::connection> ws, std::string response, std::string buffered) {
  if (closed_ || transport_ != transport_kind::polling || probe_) {
    // Already upgraded or upgrading: accept and close at once, as Node does.
    ws->start(std::move(response), {}, nullptr);
    ws->close(protocol::websocket::close_normal);
    return;
  }
  probe_ = std::move(ws);
  upgrade_timer_ = std::make_unique<boost::asio::steady_timer>(server_.loops().context(worker_));
  upgrade_timer_->expires_after(server_.opts().upgrade_timeout);
  upgrade_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || !self->probe_) return;
    self->probe_->detach();
    self->probe_->close(protocol::websocket::close_normal);
    self->on_probe_closed();
  });
  probe_->start(std::move(response), std::move(buffered), &probe_events_);
}

void session::on_probe_message(bool binary, std::string&& payload) {
  if (!binary && payload == "2probe") {
    probe_->send(outgoing::text(packet_type::pong, "probe")->frame());
    probed_ = true;
    if (pending_get_) answer_get(pending_get_, "6");
    return;
  }
  if (!binary && payload == "5" && probed_) {
    if (pending_get_) answer_get(pending_get_, "6");
    upgrade_timer_.reset();
    transport_ = transport_kind::websocket;
    metrics::add(transport_gauge(transport_kind::polling), -1);
    metrics::add(transport_gauge(transport_kind::websocket));
    ws_ = std::exchange(probe_, nullptr);
    ws_->set_events(this);
    probed_ = false;
    for (const auto& p : poll_buffer_) ws_->send(p->frame());
    poll_buffer_.clear();
    poll_buffered_bytes_ = 0;
    return;
  }
  // Anything else during an upgrade aborts the upgrade; the polling session carries on.
  probe_->detach();
  probe_->close(protocol::websocket::close_protocol_error);
  on_probe_closed();
}

void session::on_probe_closed() {
  probe_ = nullptr;
  probed_ = false;
  upgrade_timer_.reset();
  flush_poll();
}

void session::close(std::string_view reason) { teardown(reason); }

void session::teardown(std::string_view reason) {
  if (closed_) return;
  auto self = shared_from_this();
  closed_ = true;
  metrics::add(transport_gauge(transport_), -1);
  unlink();  // no more heartbeat
  upgrade_timer_.reset();
  if (probe_) {
    probe_->detach();
    probe_->close(protocol::websocket::close_normal);
    probe_ = nullptr;
  }
  if (ws_) {
    ws_->detach();
    ws_->close(protocol::websocket::close_normal);
  }
  const bool server_initiated =
      reason == "forced close" || reason == "forced server close" || reason == "server shutting down";
  if (transport_ == transport_kind::polling && server_initiated && (!poll_buffer_.empty() || !pending_get_)) {
    // Node delivers what was queued and sends the close packet with the next poll: the client
    // must see the queued packets (a DISCONNECT, say) before the transport closes.
    linger_reply_ = "1";
    if (pending_get_) answer_get(pending_get_, take_poll_payload());
  } else if (pending_get_) {
    answer_get(pending_get_, "1");
  }
  if (!linger_reply_.empty()) {
    linger_timer_ = std::make_unique<boost::asio::steady_timer>(server_.loops().context(worker_));
    linger_timer_->expires_after(linger_reply_ == "6" ? linger_time
                                                      : server_.opts().ping_interval + server_.opts().ping_timeout);
    linger_timer_->async_wait([self](boost::system::error_code ec) {
      if (!ec) self->server_.forget(*self);
    });
  } else {
    poll_buffer_.clear();
    server_.forget(*this);
  }
  SB_LOG(debug, "event=session_close sid=" << id_ << " reason=\"" << reason << "\"");
  if (auto h = handler_) h->on_close(reason);
}

}  // namespace switchboard::engineio
