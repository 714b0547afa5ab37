#include "access/jwks.h"

#include "base/json_parse.h"

namespace switchboard::access {
namespace {

constexpr size_t max_depth = 8;

// Keys a provider may publish beside its signing keys, which are no concern of a verifier.
bool skipped(const json& jwk) {
  const auto use = jwk.find("use");
  if (use != jwk.end() && *use == "enc") return true;
  const auto kty = jwk.find("kty");
  return kty != jwk.end() && kty->is_string() && *kty != "RSA" && *kty != "EC" && *kty != "OKP" && *kty != "oct";
}

}  // namespace

std::vector<jwt_key> parse_jwks(std::string_view text, std::string& error) {
  const json set = parse_json_within(text, max_depth);
  const auto list = set.is_object() ? set.find("keys") : set.end();
  if (!set.is_object() || list == set.end() || !list->is_array()) {
    error = "not a JWK set: expected a JSON object {\"keys\": [...]}";
    return {};
  }
  if (list->size() > max_jwks_keys) {
    error = "the JWK set has more than " + std::to_string(max_jwks_keys) + " keys";
    return {};
  }
  std::vector<jwt_key> keys;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& jwk = (*list)[i];
    if (jwk.is_object() && skipped(jwk)) continue;
    std::string why;
    auto key = jwt_key::from_jwk(jwk, why);
    if (!key) {
      error = "key " + std::to_string(i) + " of the JWK set: " + why;
      return {};
    }
    keys.push_back(std::move(*key));
  }
  if (keys.empty()) error = "the JWK set has no signature key";
  return keys;
}

}  // namespace switchboard::access
