// Fuzzes protocol::socketio::decoder with a sequence of Engine.IO messages.
//
// Input: byte 0 is a bit mask (bit i % 8 set: segment i is a binary message, else text); the rest
// is split into segments at each 0x1e. For every packet the decoder emits, encode() must give text
// that decodes again, a fresh decoder fed that text and the attachments must rebuild the packet,
// and encoding that must give the same text and attachments.
#include "fuzz_check.h"
#include "protocol/socketio/decoder.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using fuzz::check;

namespace sio = switchboard::protocol::socketio;
using result = sio::decoder::result;

namespace {

void check_round_trip(const sio::packet& p) {
  const sio::encoded_packet e = sio::encode(p);
  check(e.attachments.size() <= sio::max_attachments);

  sio::packet q;
  sio::decode_error err;
  check(sio::decode_text(e.text, q, err));
  check(q.nsp == (p.nsp.empty() ? "/" : p.nsp));
  check(q.id == p.id);
  check(q.attachments == e.attachments.size());

  sio::decoder d{std::numeric_limits<size_t>::max()};  // no cap: the round trip must hold
  result r = d.add_text(e.text);
  for (const auto& a : e.attachments) {
    check(r == result::pending);
    r = d.add_binary(std::string(a));
  }
  check(r == result::packet);
  const sio::encoded_packet again = sio::encode(d.take());
  check(again.text == e.text);
  check(again.attachments == e.attachments);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t kinds = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  // A small cap on attachment bytes, so that inputs reach the refusal past it as well.
  sio::decoder d{4096};
  size_t start = 0;
  for (size_t i = 0; start <= rest.size(); ++i) {
    const size_t end = std::min(rest.find('\x1e', start), rest.size());
    const std::string_view segment = rest.substr(start, end - start);
    start = end + 1;

    const bool binary = (kinds >> (i % 8)) & 1;
    const result r = binary ? d.add_binary(std::string(segment)) : d.add_text(segment);
    if (r == result::error) {
      check(!d.error().message.empty());
    } else if (r == result::packet) {
      check_round_trip(d.take());
    }
  }
  return 0;
}
