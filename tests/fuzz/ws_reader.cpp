// Fuzzes protocol::websocket::reader with an arbitrary client byte stream.
//
// Input: byte 0 seeds the split points and byte 1 bounds the chunk size; the rest is the stream.
// The stream is fed once whole and once in chunks (each time re-presenting the unconsumed tail, as
// the connection does); both runs must see the same callbacks, end state and leftover bytes.
// Every callback is checked against what RFC 6455 allows the reader to deliver.
#include "fuzz_check.h"
#include "protocol/websocket/reader.h"
#include "protocol/websocket/utf8.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using fuzz::check;

namespace ws = switchboard::protocol::websocket;

namespace {

constexpr uint64_t kMaxMessage = 64 * 1024;

struct recorder final : ws::reader::handler {
  std::vector<std::string> events;
  bool closed = false;

  void on_message(bool binary, std::string&& payload) override {
    check(!closed);
    check(payload.size() <= kMaxMessage);
    if (!binary) check(ws::is_valid_utf8(payload));
    events.push_back((binary ? "B" : "T") + payload);
  }
  void on_ping(std::string_view payload) override {
    check(!closed);
    check(payload.size() <= 125);
    events.push_back("P" + std::string(payload));
  }
  void on_pong(std::string_view payload) override {
    check(!closed);
    check(payload.size() <= 125);
    events.push_back("O" + std::string(payload));
  }
  void on_close(uint16_t code, std::string_view reason) override {
    check(!closed);
    check(code == ws::close_no_status ? reason.empty() : ws::is_valid_close_code(code));
    check(reason.size() <= 123);
    check(ws::is_valid_utf8(reason));
    closed = true;
    events.push_back("C" + std::to_string(code) + ":" + std::string(reason));
  }
};

struct outcome {
  std::vector<std::string> events;
  bool failed = false;
  bool closed = false;
  uint16_t code = 0;
  size_t leftover = 0;
};

outcome run(std::string_view stream, const std::vector<size_t>& chunks) {
  ws::reader r(kMaxMessage);
  recorder h;
  std::string pending;
  size_t pos = 0;
  for (size_t n : chunks) {
    n = std::min(n, stream.size() - pos);
    pending.append(stream.substr(pos, n));
    pos += n;
    const bool stopped = r.failed() || r.closed();
    const size_t used = r.consume(pending.data(), pending.size(), h);
    check(used <= pending.size());
    if (stopped) check(used == 0);
    pending.erase(0, used);
  }
  check(pos == stream.size());
  check(h.closed == r.closed());
  check(!(r.failed() && r.closed()));
  if (r.failed()) {
    const auto code = r.error().code;
    check(code == ws::close_protocol_error || code == ws::close_invalid_payload || code == ws::close_message_too_big);
    check(!r.error().reason.empty());
  }
  return {std::move(h.events), r.failed(), r.closed(), r.failed() ? r.error().code : uint16_t{0}, pending.size()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint32_t state = data[0] * 2654435761u + 1;
  const size_t max_chunk = size_t{data[1]} + 1;
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  std::vector<size_t> chunks;
  for (size_t covered = 0; covered < stream.size();) {
    state = state * 1103515245u + 12345u;
    const size_t n = (state >> 8) % (max_chunk + 1);  // 0 re-presents the tail unchanged
    chunks.push_back(n);
    covered += n;
  }
  chunks.push_back(0);

  const outcome whole = run(stream, {stream.size()});
  const outcome split = run(stream, chunks);
  check(whole.events == split.events);
  check(whole.failed == split.failed);
  check(whole.closed == split.closed);
  check(whole.code == split.code);
  check(whole.leftover == split.leftover);
  return 0;
}
