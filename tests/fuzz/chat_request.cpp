// Fuzzes what the chat application (chat/chat.cpp) reads from a client, as the Socket.IO decoder
// hands it over: an EVENT's arguments through every reader of chat/requests.h, and a CONNECT's
// `auth` through access::identify (a name, or an HS256 token with a secret set).
//
// Input: byte 0 even: the rest is the JSON array of an EVENT `2[...]`; odd: the JSON of a CONNECT
// `0{...}`. Packets the Socket.IO decoder refuses never reach the application and are skipped.
#include "access/identity.h"
#include "access/names.h"
#include "chat/requests.h"
#include "fuzz_check.h"
#include "protocol/socketio/packet.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using fuzz::check;

namespace chat = switchboard::chat;
// Not `access`: POSIX has a function of that name.
namespace idn = switchboard::access;
namespace sio = switchboard::protocol::socketio;
using switchboard::json;

namespace {

bool valid_room(const std::string& room) { return !room.empty() && room.size() <= chat::max_room_bytes; }

void check_refusal(const std::optional<chat::refusal>& r) {
  if (r) check(!r->code.empty() && !r->message.empty() && r->to_json().is_object());
}

void read_event(const json& args) {
  std::string room;
  auto r = chat::read_join(args, room);
  check_refusal(r);
  if (!r) check(valid_room(room));
  r = chat::read_leave(args, room);
  if (!r) check(valid_room(room));
  r = chat::read_typing(args, room);
  if (!r) check(valid_room(room) && args[0].is_object());
  r = chat::read_relayed("summarize", args, room);
  if (!r) check(valid_room(room) && args[0].is_object());

  chat::message_request m;
  r = chat::read_message(args, m);
  check_refusal(r);
  if (!r) {
    check(valid_room(m.room));
    const auto text = chat::check_message_text(m.text, 4000);
    check_refusal(text);
    if (!text) check(!m.text.empty() && idn::code_points(m.text) <= 4000);
  }

  chat::history_request q;
  r = chat::read_history(args, q);
  if (!r) check(valid_room(q.room) && q.before.value_or(1) > 0 && q.limit.value_or(1) > 0);
}

void read_auth(const json& auth) {
  static const idn::jwt_policy hmac{{idn::jwt_key::hmac("s3cret")}, {}, {}, 30};
  for (const idn::jwt_policy* policy : {static_cast<const idn::jwt_policy*>(nullptr), &hmac}) {
    const auto r = idn::identify(auth, policy, 1'700'000'000);
    if (r.refusal) {
      check(!r.refusal->error.empty() && !r.refusal->message.empty());
    } else if (!policy) {
      check(idn::display_name(r.who.user) == r.who.user && r.who.user == r.who.name);
    } else {
      check(idn::valid_user_id(r.who.user) && !r.who.name.empty());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool connect = data[0] & 1;
  std::string text(connect ? "0" : "2");
  text.append(reinterpret_cast<const char*>(data + 1), size - 1);

  sio::packet p;
  sio::decode_error err;
  if (!sio::decode_text(text, p, err) || !p.data) return 0;
  if (connect) {
    read_auth(*p.data);
  } else {
    check(p.data->is_array() && !p.data->empty());
    json args = *p.data;
    args.erase(args.begin());  // the event name
    read_event(args);
  }
  return 0;
}
