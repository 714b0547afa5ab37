// Fuzzes what the sharded Redis adapter (cluster/sharded_adapter.cpp) runs on a message from
// Redis: decode_cluster_message (cluster/sharded_wire.h), then the EVENT a BROADCAST delivers
// (cluster/remote_event.h) encoded as every recipient gets it, and the selection. A decoded
// message, encoded again as this node would publish it, must decode again.
#include "cluster/remote_event.h"
#include "cluster/sharded_wire.h"
#include "fuzz_check.h"
#include "protocol/socketio/packet.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using fuzz::check;

namespace cluster = switchboard::cluster;
namespace sio = switchboard::protocol::socketio;
using switchboard::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const json m = cluster::decode_cluster_message(payload);
  if (m.is_discarded()) return 0;
  check(m.is_object() && m.at("type").is_number_integer() && m.at("data").is_object());

  const json& d = m.at("data");
  if (const auto event = cluster::remote_event(d.value("packet", json()), "/")) {
    check(event->data && event->data->is_array() && !event->data->empty());
    check(!sio::encode(*event).text.empty());
  }
  check(cluster::options_of(d.value("opts", json::object())).local);
  cluster::room_list(d.value("rooms", json::array()));

  const auto uid = m.value("uid", json());
  const auto again =
      cluster::encode_cluster_message(uid.is_string() ? uid.get<std::string>() : "", "/", m.at("type").get<int>(), d);
  check(!cluster::decode_cluster_message(again).is_discarded());
  return 0;
}
