#include "socketio/broadcast.h"

#include "base/metrics.h"
#include "socketio/encode.h"
#include "socketio/namespace.h"

namespace switchboard::socketio {

broadcast_operator broadcast_operator::to(std::string room) const {
  auto b = *this;
  b.opts_.rooms.push_back(std::move(room));
  return b;
}

broadcast_operator broadcast_operator::except(std::string room) const {
  auto b = *this;
  b.opts_.except.push_back(std::move(room));
  return b;
}

broadcast_operator broadcast_operator::volatile_() const {
  auto b = *this;
  b.opts_.is_volatile = true;
  return b;
}

broadcast_operator broadcast_operator::local() const {
  auto b = *this;
  b.opts_.local = true;
  return b;
}

void broadcast_operator::emit(std::string_view event, json args) const {
  protocol::socketio::packet p;
  p.type = protocol::socketio::packet_type::event;
  p.nsp = nsp_->name();
  p.data = event_data(event, std::move(args));
  auto encoded = encode_packet(p);
  encoded.data = std::move(*p.data);
  auto packet = std::make_shared<const fanout::broadcast_packet>(std::move(encoded));
  metrics::add(metrics::counter::broadcasts);
  nsp_->adapter().broadcast(std::move(packet), std::make_shared<const fanout::broadcast_options>(opts_));
}

}  // namespace switchboard::socketio
