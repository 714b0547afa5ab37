// Fuzzes the readers of the backend's hook answers (hooks/answers.h): the first byte picks the
// status the backend answered with, the rest is its body. Whatever a backend sends, each reader
// gives a verdict or a reason, never both and never a crash, and a verdict holds only what the
// chat may use as it is: a valid user id and display name, room patterns, refusal codes, at most
// max_rpc_actions actions.
#include "access/names.h"
#include "access/room_rules.h"
#include "base/json_parse.h"
#include "fuzz_check.h"
#include "hooks/answers.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using fuzz::check;
namespace hooks = switchboard::hooks;
namespace names = switchboard::access;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr unsigned statuses[] = {200, 401, 403};
  const unsigned status = statuses[data[0] % 3];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto body = switchboard::parse_json_within(text, 32);
  if (!body.is_object()) return 0;  // the hook client reports that as an error before any reader
  const hooks::answer a{status == 200 ? hooks::outcome::ok : hooks::outcome::refused, status, std::move(body), {}};

  std::string error;
  if (const auto v = hooks::read_connect_answer(a, error)) {
    if (!v->refused) {
      check(names::valid_user_id(v->who.user));
      // The display name is the user id when the backend gave none.
      check(v->who.name == v->who.user || names::display_name(v->who.name).value_or("") == v->who.name);
      for (const auto& r : v->who.rooms) check(names::valid_room_pattern(r));
    } else {
      check(v->refused->error == "unauthorized" || v->refused->error == "forbidden");
      check(names::printable(v->refused->message));
    }
  } else {
    check(!error.empty());
  }
  error.clear();
  if (!hooks::read_join_answer(a, error)) check(!error.empty());
  error.clear();
  if (const auto v = hooks::read_message_answer(a, error); v && v->refused) {
    check(!v->refused->error.empty() && v->refused->error.size() <= 32);
  } else if (!v) {
    check(!error.empty());
  }
  error.clear();
  if (const auto v = hooks::read_rpc_answer(a, error)) {
    check(v->actions.size() <= hooks::max_rpc_actions);
    for (const auto& act : v->actions) {
      if (const auto* j = std::get_if<hooks::join_action>(&act)) check(!names::reserved_room(j->room));
    }
  } else {
    check(!error.empty());
  }
  return 0;
}
