#include "access/identity.h"

#include "access/names.h"

namespace switchboard::access {
namespace {

identity_result refuse(std::string error, std::string message) {
  identity_result r;
  r.refusal = identity_refusal{std::move(error), std::move(message)};
  return r;
}

const std::string* string_field(const json& auth, const char* key) {
  if (!auth.is_object()) return nullptr;
  const auto it = auth.find(key);
  return it != auth.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

}  // namespace

identity_result identify(const json& auth, const jwt_policy* jwt, int64_t now) {
  if (!jwt) {
    const auto* claimed = string_field(auth, "name");
    const auto name = claimed ? display_name(*claimed) : std::nullopt;
    if (!name)
      return refuse("unauthorized",
                    "auth.name must be 1 to 32 characters, without control or invisible formatting characters");
    identity_result r;
    r.who.user = *name;
    r.who.name = *name;
    return r;
  }
  const auto* token = string_field(auth, "token");
  if (!token || token->empty())
    return refuse("unauthorized", "auth.token is required: this server accepts signed tokens only");
  auto id = verify_jwt(*token, *jwt, now);
  if (id.status == token_status::expired) return refuse("token_expired", id.reason);
  if (id.status != token_status::ok) {
    auto r = refuse("invalid_token", id.reason);
    r.unknown_key = id.status == token_status::unknown_key;
    return r;
  }
  identity_result r;
  r.who = {std::move(id.user), std::move(id.name), std::move(id.rooms), id.expires_at};
  return r;
}

}  // namespace switchboard::access
