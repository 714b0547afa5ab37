#include "chat/identity.h"

#include "chat/jwt.h"

namespace switchboard::chat {
namespace {

constexpr size_t max_name_code_points = 32;

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

identity_result refuse(std::string error, std::string message) {
  return {{}, identity_refusal{std::move(error), std::move(message)}};
}

std::string string_field(const json& auth, const char* key) {
  if (!auth.is_object()) return {};
  const auto it = auth.find(key);
  return it != auth.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

size_t code_points(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

identity_result identify(const json& auth, const std::string& jwt_secret, int64_t now) {
  std::string user;
  if (jwt_secret.empty()) {
    user = trimmed(string_field(auth, "name"));
    if (user.empty() || code_points(user) > max_name_code_points)
      return refuse("unauthorized", "auth.name must be 1 to 32 characters");
    return {user, std::nullopt};
  }
  const auto token = string_field(auth, "token");
  if (token.empty()) return refuse("unauthorized", "auth.token is required: this server accepts signed tokens only");
  const auto id = verify_hs256(token, jwt_secret, now);
  if (id.status == token_status::expired) return refuse("token_expired", id.reason);
  if (id.status != token_status::ok) return refuse("invalid_token", id.reason);
  user = trimmed(id.user);
  if (user.empty() || code_points(user) > max_name_code_points)
    return refuse("invalid_token", "the token's user name must be 1 to 32 characters");
  return {user, std::nullopt};
}

}  // namespace switchboard::chat
