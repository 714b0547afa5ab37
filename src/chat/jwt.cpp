#include "chat/jwt.h"

#include <jwt.h>

#include <cerrno>
#include <memory>

namespace switchboard::chat {

token_identity verify_hs256(std::string_view token, std::string_view secret, int64_t now) {
  const std::string text(token);
  jwt_t* raw = nullptr;
  // jwt_decode checks the signature against the key for the token's HMAC algorithm.
  if (jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                 static_cast<int>(secret.size())) != 0 ||
      raw == nullptr) {
    return {token_status::invalid, {}, "the token is malformed or its signature does not match"};
  }
  const std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, jwt_free);
  // Only HS256: a token may not choose a weaker or unsigned algorithm ("none").
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256)
    return {token_status::invalid, {}, "the token must be signed with HS256"};
  errno = 0;
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno == 0 && exp <= now) return {token_status::expired, {}, "the token has expired"};
  if (errno != 0 && errno != ENOENT) return {token_status::invalid, {}, "the token's exp claim is not a number"};
  const char* user = jwt_get_grant(jwt.get(), "sub");
  if (user == nullptr || *user == '\0') user = jwt_get_grant(jwt.get(), "name");
  if (user == nullptr || *user == '\0') return {token_status::invalid, {}, "the token has no sub or name claim"};
  return {token_status::ok, user, {}};
}

}  // namespace switchboard::chat
