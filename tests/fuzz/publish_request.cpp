// Fuzzes the body of POST /api/publish (server/publish_request.h), one request or an array, then
// encodes each EVENT the API emits from it, as every recipient would be sent it.
#include "server/publish_request.h"
#include "fuzz_check.h"
#include "protocol/socketio/packet.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using fuzz::check;

namespace sio = switchboard::protocol::socketio;
using switchboard::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<switchboard::server::publish_request> batch;
  bool array = false;
  std::string error;
  if (!switchboard::server::read_publish_requests(body, batch, array, error)) {
    check(!error.empty() && batch.empty());
    return 0;
  }
  check(!batch.empty() && batch.size() <= switchboard::server::max_publish_batch && (array || batch.size() == 1));
  for (auto& r : batch) {
    check(!r.event.empty() && !sio::is_reserved_event(r.event));
    check(!r.room || !r.room->empty());
    check(!r.idempotency_key ||
          (!r.idempotency_key->empty() && r.idempotency_key->size() <= switchboard::server::max_idempotency_key_bytes));
    check(r.args.is_array() && r.args.size() <= 1);
    sio::packet p;
    p.data = json::array({r.event});
    for (auto& a : r.args) p.data->push_back(std::move(a));
    check(!sio::encode(p).text.empty());
  }
  return 0;
}
