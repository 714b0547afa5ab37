#include "socketio/client.h"

#include "base/log.h"
#include "base/metrics.h"
#include "base/random_id.h"
#include "socketio/encode.h"
#include "socketio/server.h"
#include "socketio/socket.h"

namespace switchboard::socketio {

std::string_view client::transport() const {
  if (!session_) return "";
  return session_->transport() == engineio::transport_kind::websocket ? "websocket" : "polling";
}

namespace sio = protocol::socketio;

client::client(server& srv, engineio::session& session)
    : server_(srv),
      session_(&session),
      worker_(session.worker()),
      connect_timer_(std::make_unique<boost::asio::steady_timer>(srv.loops().context(session.worker()))) {}

void client::start() {
  connect_timer_->expires_after(server_.opts().connect_timeout);
  connect_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || !self->session_ || !self->sockets_.empty()) return;
    self->close("forced close");  // no namespace joined in time
  });
}

struct client::assembly {
  assembly(sio::decoder&& d, boost::asio::io_context& ctx) : decoder(std::move(d)), deadline(ctx) {}
  sio::decoder decoder;
  boost::asio::steady_timer deadline;
};

client::~client() = default;

void client::on_message(std::string&& data, bool binary) {
  const auto& engine = server_.opts().engine;
  sio::decoder text_decoder{engine.max_payload};
  auto& decoder = assembling_ ? assembling_->decoder : text_decoder;
  const auto r = binary ? decoder.add_binary(std::move(data)) : decoder.add_text(data);
  if (r == sio::decoder::result::pending) {
    if (!assembling_) start_assembly(std::move(text_decoder), engine.ping_timeout);
    return;
  }
  if (r == sio::decoder::result::error) {
    SB_LOG(debug, "event=parse_error sid=" << (session_ ? session_->id() : "") << " error=\"" << decoder.error().message
                                           << "\"");
    return close("parse error");
  }
  metrics::add(metrics::counter::packets_in);
  auto packet = decoder.take();
  assembling_.reset();
  on_packet(std::move(packet));
}

// A binary packet's attachments must all arrive within the ping timeout, or the connection ends:
// a client may not keep a partial packet, and the bytes it holds, for ever.
void client::start_assembly(sio::decoder&& d, std::chrono::milliseconds within) {
  assembling_ = std::make_unique<assembly>(std::move(d), server_.loops().context(worker_));
  assembling_->deadline.expires_after(within);
  assembling_->deadline.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || !self->session_ || !self->assembling_) return;
    SB_LOG(debug, "event=attachments_timeout sid=" << self->session_->id());
    self->close("parse error");
  });
}

void client::on_packet(sio::packet&& p) {
  if (p.type == sio::packet_type::connect) {
    return connect(p.nsp, p.data ? std::move(*p.data) : json());
  }
  auto s = find(p.nsp);
  if (!s) return close("parse error");  // Node: "invalid state" for a namespace not joined
  switch (p.type) {
    case sio::packet_type::event:
    case sio::packet_type::binary_event:
      s->on_event(std::move(*p.data), p.id);
      break;
    case sio::packet_type::ack:
    case sio::packet_type::binary_ack:
      if (p.id) s->on_ack(*p.id, std::move(*p.data));
      break;
    case sio::packet_type::disconnect:
      s->on_closed("client namespace disconnect");
      break;
    default:
      break;
  }
}

void client::connect(const std::string& nsp_name, json auth) {
  if (find(nsp_name)) return close("parse error");  // a second CONNECT for a joined namespace
  namespace_* nsp = server_.find(nsp_name);
  if (!nsp) {
    sio::packet err;
    err.type = sio::packet_type::connect_error;
    err.nsp = nsp_name;
    err.data = json{{"message", "Invalid namespace"}};
    return send(err);
  }
  if (const size_t most = server_.opts().max_namespaces_per_client; most > 0 && sockets_.size() >= most) {
    metrics::add(metrics::counter::namespaces_refused);
    sio::packet err;
    err.type = sio::packet_type::connect_error;
    err.nsp = nsp_name;
    err.data = json{{"message", "Too many namespaces"}, {"data", json{{"limit", most}}}};
    return send(err);
  }
  if (nsp->adapter().keeps_recovery_log() && auth.is_object()) {
    const auto pid = auth.find("pid");
    const auto offset = auth.find("offset");
    if (pid != auth.end() && pid->is_string() && offset != auth.end() && offset->is_string()) {
      return recover(*nsp, auth, pid->get<std::string>(), offset->get<std::string>());
    }
  }
  connect_new(*nsp, std::move(auth));
}

void client::connect_new(namespace_& nsp, json auth) {
  handshake hs{session_->handshake(), std::move(auth)};
  auto s = std::make_shared<socket>(nsp, *this, random_id(), std::move(hs));
  if (nsp.adapter().keeps_recovery_log()) s->set_pid(random_id());
  run_middlewares(std::move(s), 0);
}

void client::recover(namespace_& nsp, json auth, std::string pid, std::string offset) {
  // Two steps: the socket joins its rooms (holding what they receive) before the adapter reads
  // what it missed, so nothing sent in between falls through the gap.
  auto weak = weak_from_this();
  nsp.adapter().find_session(pid, [weak, &nsp, auth = std::move(auth),
                                   offset = std::move(offset)](std::optional<fanout::recovery_session> found) mutable {
    auto self = weak.lock();
    if (!self || !self->session_ || self->find(nsp.name())) return;
    if (!found) return self->connect_new(nsp, std::move(auth));
    auto s = std::make_shared<socket>(nsp, *self, found->sid, handshake{self->session_->handshake(), auth});
    s->begin_recovery(*found);
    nsp.adapter().take_missed(
        *found, offset, [weak, s, &nsp, auth = std::move(auth)](std::optional<fanout::missed_packets> missed) mutable {
          auto me = weak.lock();
          if (!me || !me->session_ || !missed) {
            s->abandon_recovery();
            if (me && me->session_ && !missed) me->connect_new(nsp, std::move(auth));
            return;
          }
          // The middlewares judge a recovered socket as a new one (an identity is checked again
          // on every CONNECT); what it missed waits for their answer.
          me->run_middlewares(std::move(s), 0, std::make_shared<fanout::missed_packets>(std::move(*missed)));
        });
  });
}

void client::run_middlewares(std::shared_ptr<socket> s, size_t index,
                             std::shared_ptr<const fanout::missed_packets> missed) {
  const auto& chain = s->nsp().middlewares();
  if (index == chain.size()) return accept(std::move(s), missed.get());
  auto weak = weak_from_this();
  const namespace_::next_fn next = [weak, s, index, missed,
                                    called = std::make_shared<bool>(false)](std::optional<connect_error> err) {
    if (std::exchange(*called, true)) return;  // a middleware answers once
    auto self = weak.lock();
    if (!self || !self->session_) return s->abandon_recovery();
    if (err) {
      s->abandon_recovery();
      // One connection may not try credentials for ever: past a few refusals it is closed.
      if (++self->refused_connects_ > max_refused_connects) return self->close("forced close");
      sio::packet p;
      p.type = sio::packet_type::connect_error;
      p.nsp = s->nsp().name();
      json data = json::object();
      data["message"] = err->message;
      if (err->data) data["data"] = *err->data;
      p.data = std::move(data);
      return self->send(p);
    }
    self->run_middlewares(s, index + 1, missed);
  };
  try {
    chain[index](*s, next);
  } catch (const std::exception& e) {
    // A throwing middleware refuses the connection instead of ending the process.
    SB_LOG(error, "event=middleware_error nsp=" << s->nsp().name() << " error=\"" << e.what() << "\"");
    next(connect_error{"server error", std::nullopt});
  }
}

void client::accept(std::shared_ptr<socket> s, const fanout::missed_packets* missed) {
  if (!session_ || find(s->nsp().name())) return s->abandon_recovery();
  sockets_.push_back(s);
  connect_timer_.reset();               // cancels the wait
  if (missed) s->send_missed(*missed);  // before the CONNECT reply, as Node: the client holds them
  sio::packet p;
  p.type = sio::packet_type::connect;
  p.nsp = s->nsp().name();
  p.data = json{{"sid", s->id()}};
  if (!s->pid().empty()) (*p.data)["pid"] = s->pid();
  send(p);
  s->on_connected();
}

std::shared_ptr<socket> client::find(const std::string& nsp) const {
  for (const auto& s : sockets_) {
    if (s->nsp().name() == nsp) return s;
  }
  return nullptr;
}

void client::send(const sio::packet& p, bool droppable) { send(encode_packet(p), droppable); }

void client::send(const fanout::broadcast_packet& encoded, bool droppable) {
  if (!session_) return;
  for (const auto& m : encoded.messages) {
    if (session_->send(m, droppable) != websocket::send_result::queued) return;
  }
  metrics::add(metrics::counter::packets_out);
}

void client::remove(socket& s) {
  for (auto it = sockets_.begin(); it != sockets_.end(); ++it) {
    if (it->get() == &s) {
      sockets_.erase(it);
      return;
    }
  }
}

void client::close(std::string_view reason) {
  if (!session_) return;
  session_->close(reason);  // comes back through on_close
}

void client::disconnect_all() {
  for (const auto& s : sockets_) s->send_disconnect();
  close("forced server close");
}

void client::on_close(std::string_view reason) {
  auto self = shared_from_this();
  session_ = nullptr;
  connect_timer_.reset();
  assembling_.reset();
  auto sockets = std::move(sockets_);
  sockets_.clear();
  for (auto& s : sockets) s->on_closed(reason);
}

}  // namespace switchboard::socketio
