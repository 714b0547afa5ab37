#include "protocol/socketio/packet.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sio = switchboard::protocol::socketio;
using sio::packet;
using sio::packet_type;
using switchboard::json;

namespace {

packet make(packet_type type, std::string nsp = "/", std::optional<uint64_t> id = std::nullopt,
            std::optional<json> data = std::nullopt) {
  packet p;
  p.type = type;
  p.nsp = std::move(nsp);
  p.id = id;
  p.data = std::move(data);
  return p;
}

json bin(std::initializer_list<uint8_t> b) { return json::binary(json::binary_t::container_type(b)); }

json parse(std::string_view s) { return json::parse(s); }

struct decoded {
  bool ok;
  packet p;
  sio::decode_error err;
};

decoded decode(std::string_view s) {
  decoded d{};
  d.ok = sio::decode_text(s, d.p, d.err);
  return d;
}

}  // namespace

// ---- encode: the wire examples of docs/wire-format.md#socketio-packets (without the Engine.IO `4`) ----

TEST(SocketIoEncode, ConnectRoot) {
  const auto e = sio::encode(make(packet_type::connect));
  EXPECT_EQ(e.text, "0");
  EXPECT_TRUE(e.attachments.empty());
}

TEST(SocketIoEncode, ConnectWithAuthOnNamespace) {
  EXPECT_EQ(sio::encode(make(packet_type::connect, "/admin", {}, parse(R"({"token":"123"})"))).text,
            R"(0/admin,{"token":"123"})");
}

TEST(SocketIoEncode, ServerConnectReplies) {
  EXPECT_EQ(sio::encode(make(packet_type::connect, "/", {}, json{{"sid", "wZX3oN0bSVIhsaknAAAI"}})).text,
            R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})");
  EXPECT_EQ(sio::encode(make(packet_type::connect, "/admin", {}, json{{"sid", "oSO0OpakMV_3jnilAAAA"}})).text,
            R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})");
}

TEST(SocketIoEncode, ConnectError) {
  EXPECT_EQ(sio::encode(make(packet_type::connect_error, "/", {}, json{{"message", "Not authorized"}})).text,
            R"(4{"message":"Not authorized"})");
  EXPECT_EQ(sio::encode(make(packet_type::connect_error, "/random", {}, json{{"message", "Invalid namespace"}})).text,
            R"(4/random,{"message":"Invalid namespace"})");
}

TEST(SocketIoEncode, Events) {
  EXPECT_EQ(sio::encode(make(packet_type::event, "/", {}, json::array({"hey", "Jude"}))).text, R"(2["hey","Jude"])");
  EXPECT_EQ(sio::encode(make(packet_type::event, "/admin", {}, json::array({"bar"}))).text, R"(2/admin,["bar"])");
}

TEST(SocketIoEncode, EventsWithAckId) {
  EXPECT_EQ(sio::encode(make(packet_type::event, "/", 12, json::array({"foo"}))).text, R"(212["foo"])");
  EXPECT_EQ(sio::encode(make(packet_type::event, "/admin", 13, json::array({"x"}))).text, R"(2/admin,13["x"])");
  EXPECT_EQ(sio::encode(make(packet_type::event, "/", 0, json::array({"zero"}))).text, R"(20["zero"])");
}

TEST(SocketIoEncode, Acks) {
  EXPECT_EQ(sio::encode(make(packet_type::ack, "/admin", 13, json::array({"bar"}))).text, R"(3/admin,13["bar"])");
  EXPECT_EQ(sio::encode(make(packet_type::ack, "/", 456, parse(R"([1,"2",{"3":[false]}])"))).text,
            R"(3456[1,"2",{"3":[false]}])");
  EXPECT_EQ(sio::encode(make(packet_type::ack, "/", 7, json::array())).text, "37[]");
}

TEST(SocketIoEncode, Disconnect) {
  EXPECT_EQ(sio::encode(make(packet_type::disconnect)).text, "1");
  EXPECT_EQ(sio::encode(make(packet_type::disconnect, "/admin")).text, "1/admin,");
}

TEST(SocketIoEncode, EmptyNamespaceIsRoot) { EXPECT_EQ(sio::encode(make(packet_type::connect, "")).text, "0"); }

TEST(SocketIoEncode, BinaryEventWithOneAttachment) {
  const auto e = sio::encode(make(packet_type::event, "/", {}, json::array({"baz", bin({1, 2, 3, 4})})));
  EXPECT_EQ(e.text, R"(51-["baz",{"_placeholder":true,"num":0}])");
  ASSERT_EQ(e.attachments.size(), 1u);
  EXPECT_EQ(e.attachments[0], std::string("\x01\x02\x03\x04", 4));
}

TEST(SocketIoEncode, BinaryEventWithTwoAttachmentsOnNamespace) {
  const auto e =
      sio::encode(make(packet_type::event, "/admin", {}, json::array({"baz", bin({0xAA}), bin({0xBB, 0xCC})})));
  EXPECT_EQ(e.text, R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  ASSERT_EQ(e.attachments.size(), 2u);
  EXPECT_EQ(e.attachments[0], "\xaa");
  EXPECT_EQ(e.attachments[1], "\xbb\xcc");
}

TEST(SocketIoEncode, BinaryAck) {
  const auto e = sio::encode(make(packet_type::ack, "/", 15, json::array({"bar", bin({9})})));
  EXPECT_EQ(e.text, R"(61-15["bar",{"_placeholder":true,"num":0}])");
  ASSERT_EQ(e.attachments.size(), 1u);
  EXPECT_EQ(e.attachments[0], "\x09");
}

TEST(SocketIoEncode, BinaryTypeWithoutBinaryHasZeroAttachments) {
  const auto e = sio::encode(make(packet_type::binary_event, "/", {}, json::array({"x"})));
  EXPECT_EQ(e.text, R"(50-["x"])");
  EXPECT_TRUE(e.attachments.empty());
}

TEST(SocketIoEncode, PlaceholdersAreDepthFirstInKeyOrder) {
  json data = json::array();
  data.push_back("ev");
  json obj = json::object();
  obj["z"] = json::array({bin({0}), json{{"deep", bin({1})}}});
  obj["a"] = bin({2});
  data.push_back(obj);
  data.push_back(bin({3}));
  const auto e = sio::encode(make(packet_type::event, "/", {}, data));
  EXPECT_EQ(e.text, R"(54-["ev",{"z":[{"_placeholder":true,"num":0},{"deep":{"_placeholder":true,"num":1}}],)"
                    R"("a":{"_placeholder":true,"num":2}},{"_placeholder":true,"num":3}])");
  ASSERT_EQ(e.attachments.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(e.attachments[i], std::string(1, static_cast<char>(i)));
}

TEST(SocketIoEncode, CompactJsonKeepsKeyOrder) {
  EXPECT_EQ(
      sio::encode(make(packet_type::event, "/", {}, parse(R"([ "message-back" , 1, "2", { "3" : [ true ] } ])"))).text,
      R"(2["message-back",1,"2",{"3":[true]}])");
  EXPECT_EQ(sio::encode(make(packet_type::event, "/", {}, parse(R"(["o",{"z":1,"a":2,"m":{"y":null,"b":[]}}])"))).text,
            R"(2["o",{"z":1,"a":2,"m":{"y":null,"b":[]}}])");
}

TEST(SocketIoEncode, NumbersAsJavaScriptWritesThem) {
  // A client other than JavaScript may send 1.0 or 1e20; Node would answer with JSON.stringify's
  // 1 and 100000000000000000000.
  const auto data = parse(R"(["n",1.0,1e20,1e21,1e-7,0.000001,-2.50])");
  EXPECT_EQ(sio::encode(make(packet_type::event, "/", {}, data)).text,
            R"(2["n",1,100000000000000000000,1e+21,1e-7,0.000001,-2.5])");
}

TEST(SocketIoEncode, UnicodeIsNotEscaped) {
  EXPECT_EQ(sio::encode(make(packet_type::event, "/", {}, parse(R"(["\u00e9\u20ac", "a\nb\"c"])"))).text,
            "2[\"\xc3\xa9\xe2\x82\xac\",\"a\\nb\\\"c\"]");
}

// ---- decode ----

TEST(SocketIoDecode, ConnectRoot) {
  const auto d = decode("0");
  ASSERT_TRUE(d.ok) << d.err.message;
  EXPECT_EQ(d.p.type, packet_type::connect);
  EXPECT_EQ(d.p.nsp, "/");
  EXPECT_FALSE(d.p.id);
  EXPECT_FALSE(d.p.data);
}

TEST(SocketIoDecode, NamespaceWithoutComma) {
  const auto d = decode("0/custom");
  ASSERT_TRUE(d.ok) << d.err.message;
  EXPECT_EQ(d.p.type, packet_type::connect);
  EXPECT_EQ(d.p.nsp, "/custom");
  EXPECT_FALSE(d.p.data);

  const auto d1 = decode("1/custom");
  ASSERT_TRUE(d1.ok) << d1.err.message;
  EXPECT_EQ(d1.p.type, packet_type::disconnect);
  EXPECT_EQ(d1.p.nsp, "/custom");
}

TEST(SocketIoDecode, NamespaceWithComma) {
  const auto d = decode("0/custom,");
  ASSERT_TRUE(d.ok) << d.err.message;
  EXPECT_EQ(d.p.nsp, "/custom");
  EXPECT_FALSE(d.p.data);

  const auto d1 = decode("1/admin,");
  ASSERT_TRUE(d1.ok) << d1.err.message;
  EXPECT_EQ(d1.p.type, packet_type::disconnect);
  EXPECT_EQ(d1.p.nsp, "/admin");
}

TEST(SocketIoDecode, ConnectWithAuth) {
  const auto d = decode(R"(0/admin,{"token":"123"})");
  ASSERT_TRUE(d.ok) << d.err.message;
  EXPECT_EQ(d.p.nsp, "/admin");
  ASSERT_TRUE(d.p.data);
  EXPECT_EQ(*d.p.data, json({{"token", "123"}}));
}

TEST(SocketIoDecode, Events) {
  const auto d = decode(R"(2["hey","Jude"])");
  ASSERT_TRUE(d.ok) << d.err.message;
  EXPECT_EQ(d.p.type, packet_type::event);
  EXPECT_EQ(d.p.nsp, "/");
  EXPECT_FALSE(d.p.id);
  EXPECT_EQ(*d.p.data, json::array({"hey", "Jude"}));

  const auto d2 = decode(R"(2/admin,["bar"])");
  ASSERT_TRUE(d2.ok) << d2.err.message;
  EXPECT_EQ(d2.p.nsp, "/admin");
  EXPECT_EQ(*d2.p.data, json::array({"bar"}));

  const auto d3 = decode("2[42]");  // a numeric event name is allowed
  EXPECT_TRUE(d3.ok);
}

TEST(SocketIoDecode, AckIds) {
  const auto d = decode(R"(212["foo"])");
  ASSERT_TRUE(d.ok) << d.err.message;
  EXPECT_EQ(d.p.id, 12u);
  EXPECT_EQ(*d.p.data, json::array({"foo"}));

  const auto d2 = decode(R"(2/admin,13["x"])");
  ASSERT_TRUE(d2.ok) << d2.err.message;
  EXPECT_EQ(d2.p.nsp, "/admin");
  EXPECT_EQ(d2.p.id, 13u);

  const auto d3 = decode(R"(3/admin,13["bar"])");
  ASSERT_TRUE(d3.ok) << d3.err.message;
  EXPECT_EQ(d3.p.type, packet_type::ack);
  EXPECT_EQ(d3.p.id, 13u);

  const auto d4 = decode(R"(3456[1,"2",{"3":[false]}])");
  ASSERT_TRUE(d4.ok) << d4.err.message;
  EXPECT_EQ(d4.p.id, 456u);
  EXPECT_EQ(*d4.p.data, parse(R"([1,"2",{"3":[false]}])"));

  const auto d5 = decode("30[]");
  ASSERT_TRUE(d5.ok) << d5.err.message;
  EXPECT_EQ(d5.p.id, 0u);
  EXPECT_EQ(*d5.p.data, json::array());
}

TEST(SocketIoDecode, AckIdLimits) {
  const auto max = decode(R"(29007199254740992["a"])");  // 2^53
  ASSERT_TRUE(max.ok) << max.err.message;
  EXPECT_EQ(max.p.id, uint64_t{1} << 53);
  EXPECT_FALSE(decode(R"(29007199254740993["a"])").ok);
  EXPECT_FALSE(decode(R"(2123456789012345678901234567890["a"])").ok);
}

TEST(SocketIoDecode, ConnectError) {
  const auto d = decode(R"(4{"message":"Not authorized"})");
  ASSERT_TRUE(d.ok) << d.err.message;
  EXPECT_EQ(d.p.type, packet_type::connect_error);
  EXPECT_TRUE(decode(R"(4"legacy string")").ok);
}

TEST(SocketIoDecode, BinaryEventHeader) {
  const auto d = decode(R"(51-["baz",{"_placeholder":true,"num":0}])");
  ASSERT_TRUE(d.ok) << d.err.message;
  EXPECT_EQ(d.p.type, packet_type::binary_event);
  EXPECT_EQ(d.p.attachments, 1u);
  EXPECT_EQ((*d.p.data)[1], parse(R"({"_placeholder":true,"num":0})"));

  const auto d2 = decode(R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  ASSERT_TRUE(d2.ok) << d2.err.message;
  EXPECT_EQ(d2.p.attachments, 2u);
  EXPECT_EQ(d2.p.nsp, "/admin");

  const auto d3 = decode(R"(61-15["bar",{"_placeholder":true,"num":0}])");
  ASSERT_TRUE(d3.ok) << d3.err.message;
  EXPECT_EQ(d3.p.type, packet_type::binary_ack);
  EXPECT_EQ(d3.p.attachments, 1u);
  EXPECT_EQ(d3.p.id, 15u);

  const auto d4 = decode(R"(510-["ten"])");  // exactly the limit
  ASSERT_TRUE(d4.ok) << d4.err.message;
  EXPECT_EQ(d4.p.attachments, 10u);
}

TEST(SocketIoDecode, RejectsUnknownType) {
  for (const char* s : {"", "7", "9[]", "x", "-1", "/admin,0"}) EXPECT_FALSE(decode(s).ok) << s;
}

TEST(SocketIoDecode, RejectsMalformedPayloads) {
  for (const char* s : {
           "4abc",               // CONNECT_ERROR with invalid JSON
           "2{}",                // EVENT must be an array
           R"(2abc["a"])",       // garbage before the array
           "2[]",                // EVENT needs a name
           "2",                  // EVENT needs data
           R"(2["a"] x)",        // trailing garbage
           R"(2["a")",           // truncated JSON
           "2[null]",            // name neither string nor number
           "2[[\"a\"]]",         // name is an array
           "1{}",                // DISCONNECT takes no data
           R"(1["a"])",          // DISCONNECT takes no data
           "0[]",                // CONNECT data must be an object
           R"(0"x")",            // CONNECT data must be an object
           "3",                  // ACK needs an array
           "3{}",                // ACK needs an array
           "4",                  // CONNECT_ERROR needs data
           "4[]",                // CONNECT_ERROR must be a string or an object
           "4 1",                // CONNECT_ERROR must be a string or an object
           R"(2/admin,["a"],)",  // garbage after the payload
       }) {
    EXPECT_FALSE(decode(s).ok) << s;
  }
}

TEST(SocketIoDecode, RejectsReservedEventNames) {
  for (const char* name :
       {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
    const std::string s = std::string("2[\"") + name + "\"]";
    const auto d = decode(s);
    EXPECT_FALSE(d.ok) << s;
    EXPECT_FALSE(decode(std::string("51-[\"") + name + R"(",{"_placeholder":true,"num":0}])").ok) << name;
  }
  EXPECT_TRUE(decode(R"(2["connected"])").ok);
  EXPECT_TRUE(decode(R"(3["connect"])").ok);  // ACK arguments are not event names
}

TEST(SocketIoDecode, RejectsIllegalAttachments) {
  for (const char* s : {
           "5-[]",          // no count
           "5x-[]",         // not a number
           R"(5["a"])",     // no dash
           "51x-[\"a\"]",   // trailing junk in the count
           R"(511-["a"])",  // more than max_attachments
           R"(599999999999999999999999-["a"])",
       }) {
    const auto d = decode(s);
    EXPECT_FALSE(d.ok) << s;
    EXPECT_FALSE(d.err.message.empty()) << s;
  }
  EXPECT_EQ(decode(R"(511-["a"])").err.message, "too many attachments");
  EXPECT_EQ(decode("5x-[]").err.message, "illegal attachments");
}

namespace {

std::string nested_event(size_t depth) {  // depth counts the outer array
  std::string s = R"(2["deep",)";
  s.append(depth - 1, '[');
  s.append(depth - 1, ']');
  s.push_back(']');
  return s;
}

}  // namespace

TEST(SocketIoDecode, LimitsNestingDepth) {
  const auto at = decode(nested_event(sio::max_nesting_depth));
  EXPECT_TRUE(at.ok) << at.err.message;
  const auto over = decode(nested_event(sio::max_nesting_depth + 1));
  EXPECT_FALSE(over.ok);
  EXPECT_EQ(over.err.message, "payload nested too deeply");
  // A ~1 MB message nested ~500k deep is rejected instead of overflowing the stack later.
  EXPECT_FALSE(decode(nested_event(500000)).ok);
  // Brackets inside strings (with escaped quotes) do not count.
  const std::string in_string = R"(2["x","\"[[)" + std::string(5000, '[') + R"({\\"])";
  const auto s = decode(in_string);
  ASSERT_TRUE(s.ok) << s.err.message;
  EXPECT_EQ((*s.p.data)[1].get<std::string>().size(), 5000u + 5u);
}

TEST(SocketIoDecode, ResetsOutputPacket) {
  packet p = make(packet_type::ack, "/old", 99, json::array());
  p.attachments = 3;
  sio::decode_error err;
  ASSERT_TRUE(sio::decode_text(R"(2["a"])", p, err));
  EXPECT_EQ(p.type, packet_type::event);
  EXPECT_EQ(p.nsp, "/");
  EXPECT_FALSE(p.id);
  EXPECT_EQ(p.attachments, 0u);
}

// (Binary packets with attachments round-trip only after reconstruction: see decoder_test.cpp.)
TEST(SocketIoDecode, CanonicalTextRoundTripsThroughEncode) {
  for (const char* s : {
           "0",
           R"(0/admin,{"token":"123"})",
           R"(2["hey","Jude"])",
           R"(2/admin,["bar"])",
           R"(212["foo"])",
           R"(3/admin,13["bar"])",
           R"(3456[1,"2",{"3":[false]}])",
           "1/admin,",
           R"(4{"message":"Not authorized"})",
           R"(50-["baz"])",
           R"(2["message",1,"2",{"3":[true]}])",
       }) {
    const auto d = decode(s);
    ASSERT_TRUE(d.ok) << s;
    EXPECT_EQ(sio::encode(d.p).text, s);
  }
}

// ---- reconstruct / helpers ----

TEST(SocketIoReconstruct, ReplacesPlaceholders) {
  json data = parse(R"(["ev",{"_placeholder":true,"num":1},{"k":[{"_placeholder":true,"num":0}]}])");
  std::vector<std::string> att = {"zero", "one"};
  ASSERT_TRUE(sio::reconstruct(data, att));
  ASSERT_TRUE(data[1].is_binary());
  EXPECT_EQ(std::string(data[1].get_binary().begin(), data[1].get_binary().end()), "one");
  ASSERT_TRUE(data[2]["k"][0].is_binary());
  EXPECT_EQ(std::string(data[2]["k"][0].get_binary().begin(), data[2]["k"][0].get_binary().end()), "zero");
}

TEST(SocketIoReconstruct, RejectsInvalidPlaceholders) {
  std::vector<std::string> att = {"only"};
  for (const char* s : {
           R"(["e",{"_placeholder":true,"num":1}])",
           R"(["e",{"_placeholder":true,"num":-1}])",
           R"(["e",{"_placeholder":true,"num":"0"}])",
           R"(["e",{"_placeholder":true,"num":0.5}])",
           R"(["e",{"_placeholder":true}])",
       }) {
    json data = parse(s);
    EXPECT_FALSE(sio::reconstruct(data, att)) << s;
  }
}

TEST(SocketIoReconstruct, EachAttachmentIsUsedOnce) {
  // socket.io-parser numbers every binary it sends; a repeated num would copy one attachment
  // as many times as it is referenced.
  std::vector<std::string> att = {"a", "b"};
  json twice = parse(R"(["e",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}])");
  EXPECT_FALSE(sio::reconstruct(twice, att));
  json each = parse(R"(["e",{"_placeholder":true,"num":1},[{"_placeholder":true,"num":0}]])");
  EXPECT_TRUE(sio::reconstruct(each, att));
}

TEST(SocketIoReconstruct, LeavesNonPlaceholdersAlone) {
  json data = parse(R"(["e",{"_placeholder":false,"num":0},{"_placeholder":"true","num":0},{"num":0}])");
  const json before = data;
  std::vector<std::string> att = {"x"};
  ASSERT_TRUE(sio::reconstruct(data, att));
  EXPECT_EQ(data, before);
}

TEST(SocketIoHelpers, HasBinary) {
  EXPECT_FALSE(sio::has_binary(parse(R"(["a",{"b":[1,2,{"c":null}]}])")));
  EXPECT_TRUE(sio::has_binary(bin({1})));
  EXPECT_TRUE(sio::has_binary(json::array({"a", json{{"b", json::array({1, bin({})})}}})));
}

TEST(SocketIoHelpers, ReservedEvents) {
  for (const char* name :
       {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
    EXPECT_TRUE(sio::is_reserved_event(name)) << name;
  }
  for (const char* name : {"message", "Connect", "", "connect ", "error"}) {
    EXPECT_FALSE(sio::is_reserved_event(name)) << name;
  }
}
