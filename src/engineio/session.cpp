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

session::session(server& srv, std::string_view id, size_t worker, transport_kind transport,
                 std::shared_ptr<const handshake_info> info)
    : server_(srv), id_(id), worker_(worker), transport_(transport), info_(std::move(info)) {
  probe_events_.owner = this;
  if (transport_ == transport_kind::polling) polling_ = std::make_unique<polling_state>();
  metrics::add(transport_gauge(transport_));
}

session::~session() = default;

std::string session::open_packet() const {
  const auto& o = server_.opts();
  std::string s = "{\"sid\":\"";
  s += id();
  s += "\",\"upgrades\":[";
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
  auto& poll = *polling_;
  if (poll.buffered_bytes > limits.hard_bytes) return websocket::send_result::closed;  // teardown is on its way
  if (droppable && poll.buffered_bytes > limits.soft_bytes) {
    metrics::add(metrics::counter::dropped_packets);
    return websocket::send_result::dropped;
  }
  poll.buffered_bytes += packet->packet().size();
  poll.buffer.push_back(packet);
  if (poll.buffered_bytes > limits.hard_bytes) {
    SB_LOG(info, "event=slow_consumer sid=" << id() << " transport=polling queued_bytes=" << poll.buffered_bytes);
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
  if (polling_->flush_posted || !polling_->pending_get) return;
  polling_->flush_posted = true;
  boost::asio::post(server_.loops().context(worker_), [self = shared_from_this()] {
    if (self->polling_) self->polling_->flush_posted = false;
    self->flush_poll();
  });
}

// Answers the pending GET with everything buffered, in one payload.
void session::flush_poll() {
  if (closed_ || !polling_ || !polling_->pending_get || polling_->buffer.empty() || polling_->probed) return;
  answer_get(polling_->pending_get, take_poll_payload());
}

std::string session::take_poll_payload() {
  std::string body;
  size_t n = 0;
  for (const auto& p : polling_->buffer) {
    if (n++) body.push_back(eio::record_separator);
    body.append(p->polling_form());
  }
  std::vector<outgoing_ptr>().swap(polling_->buffer);  // an idle poller keeps no block
  polling_->buffered_bytes = 0;
  return body;
}

void session::answer_get(http::exchange_ptr& ex, std::string body) {
  metrics::add(metrics::counter::bytes_out, static_cast<int64_t>(body.size()));
  auto res = http::make_response(ex->req(), http::status::ok, "text/plain; charset=UTF-8", std::move(body));
  res.set(http::field::cache_control, "no-store");
  const auto taken = std::move(ex);  // leaves `ex` (often the pending GET) empty
  server_.respond(*taken, std::move(res));
}

void session::on_poll_get(http::exchange_ptr ex) {
  auto& poll = *polling_;  // the server routes GETs to polling sessions only
  if (closed_) {
    // Lingering: packets queued before the close go out first, then the close (or, after a
    // client's close, a noop for the GET that raced it).
    if (!poll.buffer.empty()) return answer_get(ex, take_poll_payload());
    answer_get(ex, std::exchange(poll.linger_reply, {}));
    server_.forget(*this);
    return;
  }
  if (poll.pending_get) {
    // Node: "overlap from client" — refuse the newcomer and end the session.
    server_.respond(*ex, http::make_response(ex->req(), http::status::bad_request, "text/html", ""));
    return teardown("transport error");
  }
  if (poll.probed) return answer_get(ex, "6");  // upgrading: the client must stop polling
  poll.pending_get = std::move(ex);
  poll.pending_get->on_abort(server_.loops().context(worker_), [weak = weak_from_this(), get = poll.pending_get.get()] {
    auto self = weak.lock();
    if (self && self->polling_ && self->polling_->pending_get.get() == get) {
      self->polling_->pending_get = nullptr;
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
      if (polling_ && polling_->pending_get) {
        answer_get(polling_->pending_get, "6");  // client-initiated: the poll ends with a noop
      } else if (polling_) {
        polling_->linger_reply = "6";  // the client's last GET may be on its way on another connection
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
  if (closed_ || !polling_ || polling_->probe) {
    // Already upgraded or upgrading: accept and close at once, as Node does.
    ws->start(std::move(response), {}, nullptr);
    ws->close(protocol::websocket::close_normal);
    return;
  }
  auto& poll = *polling_;
  poll.probe = std::move(ws);
  poll.upgrade_timer = std::make_unique<boost::asio::steady_timer>(server_.loops().context(worker_));
  poll.upgrade_timer->expires_after(server_.opts().upgrade_timeout);
  poll.upgrade_timer->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || !self->polling_ || !self->polling_->probe) return;
    self->polling_->probe->detach();
    self->polling_->probe->close(protocol::websocket::close_normal);
    self->on_probe_closed();
  });
  poll.probe->start(std::move(response), std::move(buffered), &probe_events_);
}

void session::on_probe_message(bool binary, std::string&& payload) {
  auto& poll = *polling_;  // a probe exists only on a polling session
  if (!binary && payload == "2probe") {
    poll.probe->send(outgoing::text(packet_type::pong, "probe")->frame());
    poll.probed = true;
    if (poll.pending_get) answer_get(poll.pending_get, "6");
    return;
  }
  if (!binary && payload == "5" && poll.probed) {
    if (poll.pending_get) answer_get(poll.pending_get, "6");
    transport_ = transport_kind::websocket;
    metrics::add(transport_gauge(transport_kind::polling), -1);
    metrics::add(transport_gauge(transport_kind::websocket));
    ws_ = std::move(poll.probe);
    ws_->set_events(this);
    for (const auto& p : poll.buffer) ws_->send(p->frame());
    polling_.reset();  // upgraded: the polling state, the upgrade timer with it, is done
    return;
  }
  // Anything else during an upgrade aborts the upgrade; the polling session carries on.
  poll.probe->detach();
  poll.probe->close(protocol::websocket::close_protocol_error);
  on_probe_closed();
}

void session::on_probe_closed() {
  polling_->probe = nullptr;
  polling_->probed = false;
  polling_->upgrade_timer.reset();
  flush_poll();
}

void session::close(std::string_view reason) { teardown(reason); }

void session::teardown(std::string_view reason) {
  if (closed_) return;
  auto self = shared_from_this();
  closed_ = true;
  metrics::add(transport_gauge(transport_), -1);
  unlink();  // no more heartbeat
  if (ws_) {
    ws_->detach();
    ws_->close(protocol::websocket::close_normal);
  }
  if (!polling_) {
    server_.forget(*this);
  } else {
    auto& poll = *polling_;
    poll.upgrade_timer.reset();
    if (poll.probe) {
      poll.probe->detach();
      poll.probe->close(protocol::websocket::close_normal);
      poll.probe = nullptr;
    }
    const bool server_initiated =
        reason == "forced close" || reason == "forced server close" || reason == "server shutting down";
    if (server_initiated && (!poll.buffer.empty() || !poll.pending_get)) {
      // Node delivers what was queued and sends the close packet with the next poll: the client
      // must see the queued packets (a DISCONNECT, say) before the transport closes.
      poll.linger_reply = "1";
      if (poll.pending_get) answer_get(poll.pending_get, take_poll_payload());
    } else if (poll.pending_get) {
      answer_get(poll.pending_get, "1");
    }
    if (!poll.linger_reply.empty()) {
      poll.linger_timer = std::make_unique<boost::asio::steady_timer>(server_.loops().context(worker_));
      poll.linger_timer->expires_after(
          poll.linger_reply == "6" ? linger_time : server_.opts().ping_interval + server_.opts().ping_timeout);
      poll.linger_timer->async_wait([self](boost::system::error_code ec) {
        if (!ec) self->server_.forget(*self);
      });
    } else {
      poll.buffer.clear();
      server_.forget(*this);
    }
  }
  SB_LOG(debug, "event=session_close sid=" << id() << " reason=\"" << reason << "\"");
  if (auto h = handler_) h->on_close(reason);
}

}  // namespace switchboard::engineio
