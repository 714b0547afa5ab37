// Fuzzes what the classic Redis adapter (cluster/redis_adapter.cpp) runs on a message from Redis:
// the decoders of cluster/classic_wire.h, then, for a broadcast or a BROADCAST request, the EVENT
// it delivers (cluster/remote_event.h) encoded as every recipient gets it, the selection, and the
// encoding of an answer that echoes the request's fields.
//
// Input: byte 0 picks the channel (0: broadcast, 1: request, 2: response); the rest is the payload.
#include "cluster/classic_wire.h"
#include "cluster/remote_event.h"
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

namespace {

// What local_node::deliver does with a remote broadcast: the EVENT, encoded once for everyone.
void deliver(const json& packet, const json& opts) {
  const auto event = cluster::remote_event(packet, "/");
  if (event) {
    check(event->data && event->data->is_array() && !event->data->empty());
    const auto encoded = sio::encode(*event);
    check(!encoded.text.empty());
  }
  const auto selected = cluster::options_of(opts);
  check(selected.local);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      if (const auto b = cluster::decode_classic_broadcast(payload)) {
        check(b->packet.is_object());
        deliver(b->packet, b->opts);
      }
      break;
    case 1: {
      const json req = cluster::decode_classic_request(payload);
      if (req.is_discarded()) break;
      check(req.is_object() && req.at("type").is_number_integer());
      // The fields redis_adapter::on_request reads, by request type.
      deliver(req.value("packet", json()), req.value("opts", json::object()));
      // Answers carry the requestId back, and rooms joined through REMOTE_JOIN (ALL_ROOMS).
      const json answer{{"requestId", req.value("requestId", json())},
                        {"rooms", cluster::room_list(req.value("rooms", json::array()))}};
      check(!cluster::encode_classic_response(answer).empty());
      break;
    }
    default: {
      const json res = cluster::decode_classic_response(payload);
      if (res.is_discarded()) break;
      check(res.is_object() && res.at("requestId").is_string());
      break;
    }
  }
  return 0;
}
