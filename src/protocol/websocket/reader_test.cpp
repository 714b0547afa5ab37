#include "protocol/websocket/reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ws = switchboard::protocol::websocket;

namespace {

// A masked client frame; `b0` carries FIN and the opcode.
std::string client_frame(uint8_t b0, std::string_view payload, const uint8_t mask[4] = nullptr) {
  static const uint8_t default_mask[4] = {0xA1, 0x5E, 0x03, 0xC7};
  if (!mask) mask = default_mask;
  std::string f;
  f.push_back(static_cast<char>(b0));
  const auto n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xFF));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<char>((uint64_t{n} >> shift) & 0xFF));
  }
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>(mask[i]));
  for (size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ static_cast<char>(mask[i & 3])));
  return f;
}

constexpr uint8_t kFin = 0x80;
constexpr uint8_t kCont = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA;

std::string close_payload(uint16_t code, std::string_view reason = {}) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason);
  return p;
}

struct recorder final : ws::reader::handler {
  std::vector<std::string> events;
  uint16_t close_code = 0;
  std::string close_reason;

  void on_message(bool binary, std::string&& payload) override {
    events.push_back((binary ? "binary:" : "text:") + payload);
  }
  void on_ping(std::string_view payload) override { events.push_back("ping:" + std::string(payload)); }
  void on_pong(std::string_view payload) override { events.push_back("pong:" + std::string(payload)); }
  void on_close(uint16_t code, std::string_view reason) override {
    close_code = code;
    close_reason = std::string(reason);
    events.push_back("close");
  }
};

using events_t = std::vector<std::string>;

}  // namespace

TEST(WebSocketReader, SingleTextFrame) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kFin | kText, "Hello");
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_EQ(h.events, events_t{"text:Hello"});
  EXPECT_FALSE(r.failed());
  EXPECT_FALSE(r.closed());
}

TEST(WebSocketReader, Rfc6455MaskedHelloExample) {
  ws::reader r(1 << 20);
  recorder h;
  std::string buf("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), 11u);
  EXPECT_EQ(h.events, events_t{"text:Hello"});
}

TEST(WebSocketReader, SingleBinaryFrameMayHoldAnyBytes) {
  ws::reader r(1 << 20);
  recorder h;
  const std::string payload("\x00\xff\xc0\x80", 4);
  auto buf = client_frame(kFin | kBinary, payload);
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_EQ(h.events, events_t{"binary:" + payload});
  EXPECT_FALSE(r.failed());
}

TEST(WebSocketReader, EmptyTextFrame) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kFin | kText, "");
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_EQ(h.events, events_t{"text:"});
}

TEST(WebSocketReader, SixteenAndSixtyFourBitFrames) {
  ws::reader r(1 << 20);
  recorder h;
  const std::string mid(300, 'm');
  const std::string large(70000, 'L');
  auto buf = client_frame(kFin | kText, mid) + client_frame(kFin | kBinary, large);
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_EQ(h.events, (events_t{"text:" + mid, "binary:" + large}));
}

TEST(WebSocketReader, SeveralFramesInOneBuffer) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kFin | kText, "one") + client_frame(kFin | kPing, "p") + client_frame(kFin | kPong, "q") +
             client_frame(kFin | kBinary, "two");
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_EQ(h.events, (events_t{"text:one", "ping:p", "pong:q", "binary:two"}));
}

TEST(WebSocketReader, LeavesIncompleteFrameUnconsumed) {
  ws::reader r(1 << 20);
  recorder h;
  const auto first = client_frame(kFin | kText, "first");
  const auto second = client_frame(kFin | kText, "second");
  auto buf = first + second.substr(0, second.size() - 1);
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), first.size());
  EXPECT_EQ(h.events, events_t{"text:first"});
  // The caller presents the tail again with the rest.
  auto rest = second;
  EXPECT_EQ(r.consume(rest.data(), rest.size(), h), rest.size());
  EXPECT_EQ(h.events, (events_t{"text:first", "text:second"}));
}

TEST(WebSocketReader, FragmentedMessageWithInterleavedPing) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kText, "Hel") + client_frame(kFin | kPing, "are you there") + client_frame(kCont, "lo ") +
             client_frame(kFin | kCont, "World");
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_EQ(h.events, (events_t{"ping:are you there", "text:Hello World"}));
  EXPECT_FALSE(r.failed());
}

TEST(WebSocketReader, FragmentedBinaryMessage) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kBinary, std::string("\xff", 1)) + client_frame(kFin | kCont, std::string("\xfe", 1));
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_EQ(h.events, events_t{"binary:\xff\xfe"});
}

TEST(WebSocketReader, MessagesAfterAFragmentedOne) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kText, "a") + client_frame(kFin | kCont, "b") + client_frame(kFin | kText, "c");
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_EQ(h.events, (events_t{"text:ab", "text:c"}));
}

TEST(WebSocketReader, ContinuationWithoutStartFails) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kFin | kCont, "orphan");
  r.consume(buf.data(), buf.size(), h);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error().code, ws::close_protocol_error);
  EXPECT_TRUE(h.events.empty());
}

TEST(WebSocketReader, NewMessageWhileFragmentedFails) {
  for (uint8_t second : {uint8_t(kFin | kText), uint8_t(kText), uint8_t(kFin | kBinary)}) {
    ws::reader r(1 << 20);
    recorder h;
    auto buf = client_frame(kText, "start") + client_frame(second, "again");
    r.consume(buf.data(), buf.size(), h);
    EXPECT_TRUE(r.failed()) << int(second);
    EXPECT_EQ(r.error().code, ws::close_protocol_error);
    EXPECT_TRUE(h.events.empty());
  }
}

TEST(WebSocketReader, InvalidUtf8TextFailsWith1007) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kFin | kText, "ok\xc0\xaf");
  r.consume(buf.data(), buf.size(), h);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error().code, ws::close_invalid_payload);
  EXPECT_TRUE(h.events.empty());
}

TEST(WebSocketReader, Utf8SplitAcrossFragmentsIsValid) {
  ws::reader r(1 << 20);
  recorder h;
  // "€" is E2 82 AC; "😀" is F0 9F 98 80. Each is cut between frames.
  auto buf =
      client_frame(kText, "\xe2") + client_frame(kCont, "\x82\xac\xf0\x9f") + client_frame(kFin | kCont, "\x98\x80");
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(h.events, events_t{"text:\xe2\x82\xac\xf0\x9f\x98\x80"});
}

TEST(WebSocketReader, InvalidUtf8AcrossFragmentsFailsWith1007) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kText, "\xe2\x82") + client_frame(kFin | kCont, "A");
  r.consume(buf.data(), buf.size(), h);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error().code, ws::close_invalid_payload);
  EXPECT_TRUE(h.events.empty());
}

TEST(WebSocketReader, CloseFrameCodeAndReason) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kFin | kClose, close_payload(1001, "going away \xe2\x82\xac"));
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_TRUE(r.closed());
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(h.close_code, 1001);
  EXPECT_EQ(h.close_reason, "going away \xe2\x82\xac");
}

TEST(WebSocketReader, EmptyCloseFrameMeansNoStatus) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kFin | kClose, "");
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_TRUE(r.closed());
  EXPECT_EQ(h.close_code, ws::close_no_status);
  EXPECT_EQ(h.close_reason, "");
}

TEST(WebSocketReader, InvalidCloseCodeFails) {
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 2999, 5000}) {
    ws::reader r(1 << 20);
    recorder h;
    auto buf = client_frame(kFin | kClose, close_payload(code));
    r.consume(buf.data(), buf.size(), h);
    EXPECT_TRUE(r.failed()) << code;
    EXPECT_EQ(r.error().code, ws::close_protocol_error) << code;
    EXPECT_FALSE(r.closed());
    EXPECT_TRUE(h.events.empty());
  }
}

TEST(WebSocketReader, CloseReasonMustBeUtf8) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kFin | kClose, close_payload(1000, "\xff"));
  r.consume(buf.data(), buf.size(), h);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error().code, ws::close_invalid_payload);
  EXPECT_TRUE(h.events.empty());
}

TEST(WebSocketReader, OneByteClosePayloadFails) {
  ws::reader r(1 << 20);
  recorder h;
  auto buf = client_frame(kFin | kClose, "\x03");
  r.consume(buf.data(), buf.size(), h);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error().code, ws::close_protocol_error);
  EXPECT_TRUE(h.events.empty());
}

TEST(WebSocketReader, ByteByByteFeeding) {
  ws::reader r(1 << 20);
  recorder h;
  const auto frame = client_frame(kFin | kText, std::string(200, 'z'));
  std::string buf;
  for (size_t i = 0; i < frame.size(); ++i) {
    buf.push_back(frame[i]);
    const size_t used = r.consume(buf.data(), buf.size(), h);
    if (i + 1 < frame.size()) {
      ASSERT_EQ(used, 0u) << "after " << i + 1 << " bytes";
      ASSERT_TRUE(h.events.empty());
    } else {
      EXPECT_EQ(used, frame.size());
    }
  }
  EXPECT_EQ(h.events, events_t{"text:" + std::string(200, 'z')});
}

TEST(WebSocketReader, ByteByByteFragmentedStream) {
  ws::reader r(1 << 20);
  recorder h;
  const auto stream = client_frame(kText, "ab") + client_frame(kFin | kPing, "") + client_frame(kFin | kCont, "cd") +
                      client_frame(kFin | kClose, close_payload(1000));
  std::string pending;
  for (char c : stream) {
    pending.push_back(c);
    const size_t used = r.consume(pending.data(), pending.size(), h);
    pending.erase(0, used);
  }
  EXPECT_TRUE(pending.empty());
  EXPECT_EQ(h.events, (events_t{"ping:", "text:abcd", "close"}));
  EXPECT_EQ(h.close_code, 1000);
}

TEST(WebSocketReader, StopsAfterClose) {
  ws::reader r(1 << 20);
  recorder h;
  const auto close = client_frame(kFin | kClose, close_payload(1000, "done"));
  auto buf = close + client_frame(kFin | kText, "late");
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), close.size());
  EXPECT_TRUE(r.closed());
  EXPECT_EQ(h.events, events_t{"close"});
  auto more = client_frame(kFin | kText, "later");
  EXPECT_EQ(r.consume(more.data(), more.size(), h), 0u);
  EXPECT_EQ(h.events, events_t{"close"});
}

TEST(WebSocketReader, StopsAfterError) {
  ws::reader r(1 << 20);
  recorder h;
  std::string bad("\x81\x05hello", 7);  // unmasked
  auto buf = bad + client_frame(kFin | kText, "after");
  r.consume(buf.data(), buf.size(), h);
  EXPECT_TRUE(r.failed());
  auto more = client_frame(kFin | kText, "later");
  EXPECT_EQ(r.consume(more.data(), more.size(), h), 0u);
  EXPECT_TRUE(h.events.empty());
}

TEST(WebSocketReader, EnforcesMaxMessageOnSingleFrame) {
  ws::reader r(10);
  recorder h;
  auto ok = client_frame(kFin | kBinary, std::string(10, 'x'));
  EXPECT_EQ(r.consume(ok.data(), ok.size(), h), ok.size());
  auto big = client_frame(kFin | kBinary, std::string(11, 'x'));
  r.consume(big.data(), big.size(), h);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error().code, ws::close_message_too_big);
  EXPECT_EQ(h.events.size(), 1u);
}

TEST(WebSocketReader, EnforcesMaxMessageAcrossFragments) {
  {
    ws::reader r(10);
    recorder h;
    auto buf = client_frame(kText, "12345") + client_frame(kFin | kCont, "67890");
    EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
    EXPECT_EQ(h.events, events_t{"text:1234567890"});
  }
  {
    ws::reader r(10);
    recorder h;
    auto buf = client_frame(kText, "123456") + client_frame(kCont, "789") + client_frame(kFin | kCont, "01");
    r.consume(buf.data(), buf.size(), h);
    EXPECT_TRUE(r.failed());
    EXPECT_EQ(r.error().code, ws::close_message_too_big);
    EXPECT_TRUE(h.events.empty());
  }
}

TEST(WebSocketReader, ControlFramesPassDuringFullFragmentBudget) {
  ws::reader r(4);
  recorder h;
  auto buf = client_frame(kText, "abcd") + client_frame(kFin | kPing, "ping payload") + client_frame(kFin | kCont, "");
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(h.events, (events_t{"ping:ping payload", "text:abcd"}));
}

TEST(WebSocketReader, UnmasksInPlaceWithEachFramesMask) {
  ws::reader r(1 << 20);
  recorder h;
  const uint8_t m1[4] = {1, 2, 3, 4};
  const uint8_t m2[4] = {0xFF, 0x00, 0xAA, 0x55};
  auto buf = client_frame(kText, "mask", m1) + client_frame(kFin | kCont, "ed!", m2);
  EXPECT_EQ(r.consume(buf.data(), buf.size(), h), buf.size());
  EXPECT_EQ(h.events, events_t{"text:masked!"});
}

TEST(WebSocketReader, RejectsUnmaskedAndReservedBits) {
  {
    ws::reader r(1 << 20);
    recorder h;
    std::string buf("\x81\x02hi", 4);
    r.consume(buf.data(), buf.size(), h);
    EXPECT_TRUE(r.failed());
    EXPECT_EQ(r.error().code, ws::close_protocol_error);
  }
  {
    ws::reader r(1 << 20);
    recorder h;
    auto buf = client_frame(kFin | 0x40 | kText, "hi");
    r.consume(buf.data(), buf.size(), h);
    EXPECT_TRUE(r.failed());
    EXPECT_EQ(r.error().code, ws::close_protocol_error);
  }
}
