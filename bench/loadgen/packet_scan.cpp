#include "bench/loadgen/packet_scan.h"

#include <charconv>
#include <cstring>

namespace switchboard::bench {
namespace {

template <typename T>
bool read_number(const char*& p, const char* end, T& out, char terminator) {
  const auto [next, ec] = std::from_chars(p, end, out);
  if (ec != std::errc{} || next == end || *next != terminator) return false;
  p = next + 1;
  return true;
}

}  // namespace

size_t write_marker_text(char* buf, size_t size, const bench_marker& m) {
  char* p = buf;
  char* const end = buf + max_marker_length;
  *p++ = '~';
  p = std::to_chars(p, end, m.publisher).ptr;
  *p++ = ':';
  p = std::to_chars(p, end, m.seq).ptr;
  *p++ = ':';
  p = std::to_chars(p, end, m.sent_ns).ptr;
  *p++ = '~';
  const auto used = static_cast<size_t>(p - buf);
  if (used >= size) return used;
  std::memset(p, 'x', size - used);
  return size;
}

bool find_marker(std::string_view packet, bench_marker& out) {
  static constexpr std::string_view key = "\"text\":\"~";
  const void* hit = memmem(packet.data(), packet.size(), key.data(), key.size());
  if (hit == nullptr) return false;
  const char* p = static_cast<const char*>(hit) + key.size();
  const char* end = packet.data() + packet.size();
  return read_number(p, end, out.publisher, ':') && read_number(p, end, out.seq, ':') &&
         read_number(p, end, out.sent_ns, '~');
}

bool is_event(std::string_view packet, std::string_view name) {
  if (packet.empty() || packet[0] != '2') return false;
  size_t i = 1;
  while (i < packet.size() && packet[i] >= '0' && packet[i] <= '9') ++i;
  return packet.size() >= i + name.size() + 3 && packet[i] == '[' && packet[i + 1] == '"' &&
         packet.compare(i + 2, name.size(), name) == 0 && packet[i + 2 + name.size()] == '"';
}

bool parse_ack(std::string_view packet, uint64_t& id, std::string_view& args) {
  if (packet.size() < 3 || packet[0] != '3') return false;
  const char* p = packet.data() + 1;
  const char* end = packet.data() + packet.size();
  const auto [next, ec] = std::from_chars(p, end, id);
  if (ec != std::errc{} || next == end || *next != '[') return false;
  args = std::string_view(next, static_cast<size_t>(end - next));
  return true;
}

bool ack_ok(std::string_view args) { return args.starts_with("[{\"ok\":true"); }

}  // namespace switchboard::bench
