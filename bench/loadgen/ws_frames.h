#pragma once
// The client's side of RFC 6455 framing, which the server's codec (protocol/websocket) does not
// cover: clients mask what they send and read unmasked frames. Pure: bytes in, bytes out.
#include "protocol/websocket/frame.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::bench {

using protocol::websocket::opcode;

// Appends one unfragmented frame: header, the 4-byte masking key, the masked payload. Appending
// into a buffer that keeps its capacity means no allocation per frame once warmed up.
// The payload is `head` followed by `body` (e.g. Engine.IO's type digit and a Socket.IO packet), so
// callers need not concatenate them first.
void append_masked_frame(std::string& out, opcode op, std::string_view head, std::string_view body, uint32_t mask_key);
inline void append_masked_frame(std::string& out, opcode op, std::string_view payload, uint32_t mask_key) {
  append_masked_frame(out, op, {}, payload, mask_key);
}

struct server_frame {
  bool fin = false;
  opcode op = opcode::continuation;
  size_t header_length = 0;
  uint64_t payload_length = 0;
};

enum class frame_status { complete, need_more, error };

// Reads the header of a server frame at the front of `data`. Servers never mask (RFC 6455 §5.1)
// and negotiate no extension here, so a masked frame or a set RSV bit is an error.
frame_status parse_server_frame(std::string_view data, server_frame& out);

}  // namespace switchboard::bench
