// Fuzzes the Engine.IO codecs with an arbitrary polling body / WebSocket text message.
//
// decode_payload: a decoded body re-encodes to one that decodes to the same packets, and encoding
// is then stable. decode_text_packet: a decoded text packet re-encodes to exactly the input.
#include "fuzz_check.h"
#include "protocol/engineio/packet.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using fuzz::check;

namespace eio = switchboard::protocol::engineio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::vector<eio::packet> packets;
  if (eio::decode_payload(input, packets)) {
    check(!input.empty());
    check(packets.size() == static_cast<size_t>(std::count(input.begin(), input.end(), eio::record_separator)) + 1);
    for (const auto& p : packets) {
      check(!p.binary || p.type == eio::packet_type::message);
      if (!p.binary) check(p.data.find(eio::record_separator) == std::string::npos);
    }
    const std::string body = eio::encode_payload(packets);
    std::vector<eio::packet> again;
    check(eio::decode_payload(body, again));
    check(again == packets);
    check(eio::encode_payload(again) == body);
  } else if (input.empty()) {
    check(packets.empty());
  }

  eio::packet p;
  if (eio::decode_text_packet(input, p)) {
    check(!p.binary);
    const std::string text = eio::encode_text_packet(p);
    check(text == input);
    check(eio::encode_polling_packet(p) == text);
    eio::packet q;
    check(eio::decode_text_packet(text, q));
    check(q == p);
  }
  return 0;
}
