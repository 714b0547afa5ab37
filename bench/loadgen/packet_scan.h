#pragma once
// Fast, allocation-free readers for the few Socket.IO packets the load generator acts on. A full
// JSON parse per delivery would cost more than the server's own work per delivery, and the
// generator must never be the bottleneck; these look only at the bytes they need. Pure functions.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace switchboard::bench {

// What a fanout publisher puts at the front of every text: "~<publisher>:<seq>:<sent_ns>~", then
// padding to the requested size. It survives any server that stores and re-emits the text.
struct bench_marker {
  uint32_t publisher = 0;
  uint32_t seq = 0;
  int64_t sent_ns = 0;
};

inline constexpr size_t max_marker_length = 48;

// Writes the marker and 'x' padding into `buf` (at least max(size, max_marker_length) bytes);
// returns the length: `size`, or the marker's length when that is longer.
size_t write_marker_text(char* buf, size_t size, const bench_marker& m);

// Finds the marker in a `message` event ("2[\"message\",{…\"text\":\"~…"); false when absent.
bool find_marker(std::string_view packet, bench_marker& out);

// "2[\"<name>\"…" (an EVENT, optionally with an ack id, in namespace "/").
bool is_event(std::string_view packet, std::string_view name);

// "3<id>[…]" → the ack id and the arguments' JSON text.
bool parse_ack(std::string_view packet, uint64_t& id, std::string_view& args);

// Whether an ack's arguments start with {"ok":true (the chat contract's success shape).
bool ack_ok(std::string_view args);

}  // namespace switchboard::bench
