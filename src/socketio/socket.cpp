#include "socketio/socket.h"

#include "base/log.h"
#include "base/metrics.h"
#include "socketio/client.h"
#include "socketio/encode.h"
#include "socketio/namespace.h"
#include "socketio/server.h"

#include <algorithm>

namespace switchboard::socketio {

namespace sio = protocol::socketio;

socket::socket(namespace_& nsp, client& c, std::string_view id, handshake hs)
    : nsp_(&nsp), client_(&c), id_(id), handshake_(std::move(hs)) {}

socket::~socket() = default;

void socket::begin_recovery(const fanout::recovery_session& s) {
  pid_ = s.pid;
  data_ = packed_json(s.data);
  holding_ = std::make_unique<std::vector<fanout::broadcast_packet_ptr>>();
  nsp_->adapter().add_member(*this);
  for (const auto& room : s.rooms) nsp_->adapter().join(*this, room);
}

void socket::send_missed(const fanout::missed_packets& missed) {
  for (const auto& p : missed) send_logged(*p, false);
  metrics::add(metrics::counter::recovered_packets, static_cast<int64_t>(missed.size()));
}

void socket::abandon_recovery() {
  if (!holding_) return;
  holding_.reset();
  nsp_->adapter().remove_member(*this);
}

void socket::send_logged(const fanout::broadcast_packet& packet, bool is_volatile) {
  if (packet.position) {
    if (packet.position <= position_) return;
    position_ = packet.position;
  }
  client_->send(packet, is_volatile);
}

void socket::on_connected() {
  connected_ = true;
  metrics::add(metrics::counter::sockets);
  if (holding_) {
    recovered_ = true;
    metrics::add(metrics::counter::recovered_sockets);
    const auto held = std::move(holding_);
    for (const auto& p : *held) send_logged(*p, false);
  } else {
    nsp_->adapter().add_member(*this);
    nsp_->adapter().join(*this, id_.str());
  }
  auto self = shared_from_this();
  for (const auto& h : nsp_->connection_handlers()) {
    if (!connected_) break;
    try {
      h(*this);
    } catch (const std::exception& e) {
      SB_LOG(error, "event=handler_error nsp=" << nsp_->name() << " socket=" << id_.view()
                                               << " name=\"connection\" error=\"" << e.what() << "\"");
    }
  }
}

void socket::emit(std::string_view event, json args) {
  if (!connected_) return;
  // With recovery on, as Node: through the adapter to the socket's own room, so the packet gets
  // an offset and is kept for a reconnection.
  if (!pid_.empty()) return broadcast_operator(*nsp_).to(id_.str()).emit(event, std::move(args));
  sio::packet p;
  p.type = sio::packet_type::event;
  p.nsp = nsp_->name();
  p.data = event_data(event, std::move(args));
  client_->send(p);
}

void socket::emit_with_ack(std::string_view event, json args, std::chrono::milliseconds timeout, ack_result_fn cb) {
  if (!connected_) {
    if (cb) cb(true, json::array());
    return;
  }
  const uint64_t id = next_ack_id_++;
  auto timer = std::make_unique<boost::asio::steady_timer>(client_->srv().loops().context(client_->worker()), timeout);
  timer->async_wait([weak = weak_from_this(), id](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    if (!self->acks_) return;
    auto it = self->acks_->find(id);
    if (it == self->acks_->end()) return;
    auto fn = std::move(it->second.cb);
    self->acks_->erase(it);
    if (fn) fn(true, json::array());
  });
  awaited_acks().emplace(id, pending_ack{std::move(cb), std::move(timer)});
  sio::packet p;
  p.type = sio::packet_type::event;
  p.nsp = nsp_->name();
  p.id = id;
  p.data = event_data(event, std::move(args));
  client_->send(p);
}

void socket::on_event(json data, std::optional<uint64_t> id) {
  if (!connected_ || !data.is_array() || data.empty()) return;
  const auto& name = data[0];
  const std::string event = name.is_string() ? name.get<std::string>() : name.dump();
  json args = json::array();
  for (size_t i = 1; i < data.size(); ++i) args.push_back(std::move(data[i]));
  ack_fn ack;
  if (id) {
    ack = [weak = weak_from_this(), id = *id, sent = std::make_shared<bool>(false)](json ack_args) {
      auto self = weak.lock();
      if (!self || !self->connected_ || *sent) return;  // an ack is answered once
      *sent = true;
      sio::packet p;
      p.type = sio::packet_type::ack;
      p.nsp = self->nsp_->name();
      p.id = id;
      p.data = ack_args.is_array() ? std::move(ack_args) : json::array({std::move(ack_args)});
      self->client_->send(p);
    };
  }
  auto self = shared_from_this();
  try {
    const event_handler* own = nullptr;
    if (own_) {
      if (auto it = own_->events.find(event); it != own_->events.end()) own = &it->second;
    }
    if (own) {
      auto handler = *own;  // the handler may replace itself
      handler(*this, std::move(args), std::move(ack));
    } else if (const auto* shared = nsp_->socket_event(event)) {
      (*shared)(*this, std::move(args), std::move(ack));  // read-only once the server runs
    } else {
      metrics::add(metrics::counter::unknown_events);
    }
  } catch (const std::exception& e) {
    // One handler's bug must not take down every connection of the process.
    SB_LOG(error, "event=handler_error nsp=" << nsp_->name() << " socket=" << id_.view() << " name=\"" << event
                                             << "\" error=\"" << e.what() << "\"");
  }
}

void socket::on_ack(uint64_t id, json args) {
  if (!acks_) return;
  auto it = acks_->find(id);
  if (it == acks_->end()) return;  // unknown or late: ignored, as Node does
  auto fn = std::move(it->second.cb);
  acks_->erase(it);
  if (fn) fn(false, std::move(args));
}

void socket::join(const std::string& room) {
  if (!connected_) return;
  const auto& observers = nsp_->room_changes();
  if (observers.empty()) return nsp_->adapter().join(*this, room);
  if (room == id_.view() || in_joined_room(room)) return;
  nsp_->adapter().join(*this, room);
  for (const auto& h : observers) h(*this, room, true);
}

void socket::leave(const std::string& room) {
  if (!connected_) return;
  const auto& observers = nsp_->room_changes();
  if (observers.empty()) return nsp_->adapter().leave(*this, room);
  if (room == id_.view() || !in_joined_room(room)) return;
  nsp_->adapter().leave(*this, room);
  for (const auto& h : observers) h(*this, room, false);
}

std::string_view socket::transport() const { return client_->transport(); }

const std::string& socket::node_name() const { return client_->srv().opts().node_name; }

bool socket::in_joined_room(const std::string& room) const {
  const auto& joined = joined_rooms();
  return std::find(joined.begin(), joined.end(), room) != joined.end();
}

broadcast_operator socket::to(std::string room) const {
  return broadcast_operator(*nsp_).to(std::move(room)).except(id_.str());
}

broadcast_operator socket::broadcast() const { return broadcast_operator(*nsp_).except(id_.str()); }

void socket::disconnect(bool close) {
  if (!connected_) return;
  if (close) return client_->disconnect_all();
  send_disconnect();
  on_closed("server namespace disconnect");
}

void socket::send_disconnect() {
  sio::packet p;
  p.type = sio::packet_type::disconnect;
  p.nsp = nsp_->name();
  client_->send(p);
}

void socket::close_transport() {
  if (connected_) client_->close("forced close");
}

void socket::on_closed(std::string_view reason) {
  if (!connected_) return;
  auto self = shared_from_this();
  connected_ = false;
  metrics::add(metrics::counter::sockets, -1);
  client_->remove(*this);
  if (auto acks = std::move(acks_)) {
    for (auto& [id, a] : *acks) {
      if (a.cb) a.cb(true, json::array());
    }
  }
  // Handlers still see the rooms the socket was in (Node's "disconnecting" and "disconnect" in one).
  const auto own = std::move(own_);  // no handler of its own is called again
  if (own) {
    for (const auto& h : own->disconnects) h(*this, reason);
  }
  for (const auto& h : nsp_->socket_disconnects()) h(*this, reason);
  if (!pid_.empty() && fanout::is_recoverable_reason(reason)) {
    nsp_->adapter().persist_session({id_.str(), pid_.str(), rooms(), data_.value()});
  }
  nsp_->adapter().remove_member(*this);
}

std::vector<std::string> socket::rooms() const {
  std::vector<std::string> out;
  out.reserve(joined_rooms().size() + 1);
  if (in_own_room()) out.push_back(id_.str());
  out.insert(out.end(), joined_rooms().begin(), joined_rooms().end());
  return out;
}

void socket::on(std::string event, event_handler h) {
  if (!own_) own_ = std::make_unique<own_handlers>();
  own_->events[std::move(event)] = std::move(h);
}

void socket::on_disconnect(disconnect_handler h) {
  if (!own_) own_ = std::make_unique<own_handlers>();
  own_->disconnects.push_back(std::move(h));
}

std::unordered_map<uint64_t, socket::pending_ack>& socket::awaited_acks() {
  if (!acks_) acks_ = std::make_unique<std::unordered_map<uint64_t, pending_ack>>();
  return *acks_;
}

void socket::deliver(const fanout::broadcast_packet& packet, bool is_volatile) {
  if (holding_) {
    holding_->push_back(std::make_shared<const fanout::broadcast_packet>(packet));
  } else if (connected_) {
    send_logged(packet, is_volatile);
  }
}

void socket::deliver_with_ack(const fanout::broadcast_packet& packet, uint64_t ack_id,
                              std::function<void(json)> on_ack) {
  if (!connected_) return;
  // No timer of its own: the broadcast's timeout ends the wait for all its recipients at once.
  awaited_acks().emplace(ack_id, pending_ack{[on_ack = std::move(on_ack)](bool timed_out, json args) {
                                               if (!timed_out)
                                                 on_ack(args.is_array() && !args.empty() ? args[0] : json());
                                             },
                                             nullptr});
  client_->send(packet, false);
}

}  // namespace switchboard::socketio
