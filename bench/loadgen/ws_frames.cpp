#include "bench/loadgen/ws_frames.h"

#include <cstring>

namespace switchboard::bench {

void append_masked_frame(std::string& out, opcode op, std::string_view head, std::string_view body, uint32_t mask_key) {
  const size_t n = head.size() + body.size();
  const size_t header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
  const size_t start = out.size();
  out.resize(start + header + 4 + n);
  auto* p = reinterpret_cast<uint8_t*>(out.data() + start);
  p[0] = static_cast<uint8_t>(0x80 | static_cast<uint8_t>(op));
  if (n < 126) {
    p[1] = static_cast<uint8_t>(0x80 | n);
  } else if (n <= 0xFFFF) {
    p[1] = 0x80 | 126;
    p[2] = static_cast<uint8_t>(n >> 8);
    p[3] = static_cast<uint8_t>(n);
  } else {
    p[1] = 0x80 | 127;
    for (size_t i = 0; i < 8; ++i) p[2 + i] = static_cast<uint8_t>(uint64_t{n} >> (56 - 8 * i));
  }
  uint8_t key[4];
  std::memcpy(key, &mask_key, 4);
  std::memcpy(p + header, key, 4);
  uint8_t* dst = p + header + 4;
  if (!head.empty()) std::memcpy(dst, head.data(), head.size());
  if (!body.empty()) std::memcpy(dst + head.size(), body.data(), body.size());
  // Eight bytes at a time: the key repeats every 4 bytes, so a doubled key masks a whole word.
  uint64_t key8 = 0;
  std::memcpy(&key8, key, 4);
  std::memcpy(reinterpret_cast<uint8_t*>(&key8) + 4, key, 4);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, dst + i, 8);
    w ^= key8;
    std::memcpy(dst + i, &w, 8);
  }
  for (; i < n; ++i) dst[i] ^= key[i & 3];
}

frame_status parse_server_frame(std::string_view data, server_frame& out) {
  if (data.size() < 2) return frame_status::need_more;
  const auto b0 = static_cast<uint8_t>(data[0]);
  const auto b1 = static_cast<uint8_t>(data[1]);
  if ((b0 & 0x70) != 0 || (b1 & 0x80) != 0) return frame_status::error;
  out.fin = (b0 & 0x80) != 0;
  out.op = static_cast<opcode>(b0 & 0x0F);
  uint64_t len = b1 & 0x7F;
  size_t pos = 2;
  if (len == 126) {
    if (data.size() < 4) return frame_status::need_more;
    len = (uint64_t{static_cast<uint8_t>(data[2])} << 8) | static_cast<uint8_t>(data[3]);
    pos = 4;
  } else if (len == 127) {
    if (data.size() < 10) return frame_status::need_more;
    len = 0;
    for (size_t i = 2; i < 10; ++i) len = (len << 8) | static_cast<uint8_t>(data[i]);
    pos = 10;
  }
  out.header_length = pos;
  out.payload_length = len;
  return frame_status::complete;
}

}  // namespace switchboard::bench
