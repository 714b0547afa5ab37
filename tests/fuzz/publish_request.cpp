// Fuzzes the body of POST /api/publish (server/publish_request.h), then encodes the EVENT the API
// emits from it, as every recipient would be sent it.
#include "server/publish_request.h"
#include "fuzz_check.h"
#include "protocol/socketio/packet.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using fuzz::check;

namespace sio = switchboard::protocol::socketio;
using switchboard::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  switchboard::server::publish_request r;
  std::string error;
  if (!switchboard::server::read_publish_request(body, r, error)) {
    check(!error.empty());
    return 0;
  }
  check(!r.event.empty() && !sio::is_reserved_event(r.event));
  check(!r.room || !r.room->empty());
  check(r.args.is_array() && r.args.size() <= 1);

  sio::packet p;
  p.data = json::array({r.event});
  for (auto& a : r.args) p.data->push_back(std::move(a));
  check(!sio::encode(p).text.empty());
  return 0;
}
