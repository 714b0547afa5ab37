// Fuzzes cluster::bridge_argument (cluster/rules.h), what a bridge makes of each payload published
// on its channel: a JSON value, or the payload as a string. Either way the emit that follows must
// be able to encode it (JSON text with valid UTF-8 only).
#include "cluster/rules.h"
#include "protocol/socketio/packet.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace sio = switchboard::protocol::socketio;
using switchboard::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const json argument = switchboard::cluster::bridge_argument(payload);
  if (argument.is_discarded()) std::abort();
  (void)argument.dump();  // throws on invalid UTF-8: an uncaught exception is a finding

  sio::packet p;
  p.data = json::array({"bridged", argument});
  if (sio::encode(p).text.empty()) std::abort();
  return 0;
}
