#include "chat/jwt.h"

#include "base/json.h"

#include <jwt.h>

#include <cstdlib>
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
  // The claims as JSON: `exp` may be a fraction (RFC 7519 NumericDate), which libjwt's integer
  // getter cannot read.
  const std::unique_ptr<char, decltype(&std::free)> grants(jwt_get_grants_json(jwt.get(), nullptr), std::free);
  const json claims = grants ? json::parse(grants.get(), nullptr, false) : json();
  if (!claims.is_object()) return {token_status::invalid, {}, "the token's claims are not a JSON object"};
  if (const auto exp = claims.find("exp"); exp != claims.end()) {
    if (!exp->is_number()) return {token_status::invalid, {}, "the token's exp claim is not a number"};
    if (exp->get<double>() <= static_cast<double>(now)) return {token_status::expired, {}, "the token has expired"};
  }
  std::string user;
  for (const char* claim : {"sub", "name"}) {
    const auto it = claims.find(claim);
    if (it != claims.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      user = it->get<std::string>();
      break;
    }
  }
  if (user.empty()) return {token_status::invalid, {}, "the token has no sub or name claim"};
  return {token_status::ok, user, {}};
}

}  // namespace switchboard::chat
