#include "access/jwt.h"

#include "access/names.h"
#include "base/base64.h"
#include "base/json_parse.h"

#include <cmath>

namespace switchboard::access {
namespace {

// A JOSE header or a claims set: small objects, never deep.
constexpr size_t max_depth = 8;

token_identity refuse(token_status status, std::string reason) {
  token_identity id;
  id.status = status;
  id.reason = std::move(reason);
  return id;
}

json decode_part(std::string_view part) {
  const auto bytes = base64url_decode(part);
  if (!bytes) return json(json::value_t::discarded);
  return parse_json_within(*bytes, max_depth);
}

const std::string* string_claim(const json& claims, const char* name) {
  const auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

// A NumericDate claim (RFC 7519 §2: seconds, possibly fractional): absent is fine, anything but
// a finite number is not.
bool date_claim(const json& claims, const char* name, std::optional<double>& out) {
  const auto it = claims.find(name);
  if (it == claims.end()) return true;
  if (!it->is_number() || !std::isfinite(it->get<double>())) return false;
  out = it->get<double>();
  return true;
}

bool audience_matches(const json& claims, const std::string& audience) {
  const auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->is_string()) return *it == audience;
  if (!it->is_array()) return false;
  for (const auto& a : *it) {
    if (a.is_string() && a == audience) return true;
  }
  return false;
}

// The signature under the keys that may verify `alg` (and carry the token's `kid`, when it has one).
token_status check_signature(const json& header, std::string_view signing_input, std::string_view signature,
                             const jwt_policy& policy) {
  const auto* alg = string_claim(header, "alg");
  if (!alg) return token_status::invalid;
  const auto* kid = string_claim(header, "kid");
  // A key without a kid may verify any token; only a key of that very kid makes the kid known
  // (else a key set fetched from a URL is worth fetching again).
  bool kid_known = false;
  for (const auto& key : policy.keys) {
    if (kid && !key.kid().empty() && key.kid() != *kid) continue;
    kid_known = kid_known || (kid && key.kid() == *kid);
    if (key.allows(*alg) && key.verify(*alg, signing_input, signature)) return token_status::ok;
  }
  return kid && !kid_known ? token_status::unknown_key : token_status::invalid;
}

token_identity check_claims(const json& claims, const jwt_policy& policy, int64_t now) {
  std::optional<double> exp, nbf;
  if (!date_claim(claims, "exp", exp)) return refuse(token_status::invalid, "the token's exp claim is not a number");
  if (!date_claim(claims, "nbf", nbf)) return refuse(token_status::invalid, "the token's nbf claim is not a number");
  const auto t = static_cast<double>(now);
  if (exp && *exp + static_cast<double>(policy.leeway_seconds) <= t)
    return refuse(token_status::expired, "the token has expired");
  if (nbf && *nbf - static_cast<double>(policy.leeway_seconds) > t)
    return refuse(token_status::invalid, "the token is not valid yet (nbf)");
  if (!policy.issuer.empty()) {
    const auto* iss = string_claim(claims, "iss");
    if (!iss || *iss != policy.issuer) return refuse(token_status::invalid, "the token's issuer (iss) is not accepted");
  }
  if (!policy.audience.empty() && !audience_matches(claims, policy.audience))
    return refuse(token_status::invalid, "the token is not for this audience (aud)");
  const auto* sub = string_claim(claims, "sub");
  if (!sub || !valid_user_id(*sub))
    return refuse(token_status::invalid, "the token's sub claim must name the user: 1 to 128 printable characters");
  token_identity id;
  id.status = token_status::ok;
  id.user = *sub;
  const auto* name = string_claim(claims, "name");
  id.name = name ? display_name(*name).value_or(*sub) : *sub;
  if (const auto rooms = claims.find("rooms"); rooms != claims.end()) {
    if (!rooms->is_array()) return refuse(token_status::invalid, "the token's rooms claim must be a list of strings");
    for (const auto& r : *rooms) {
      if (!r.is_string()) return refuse(token_status::invalid, "the token's rooms claim must be a list of strings");
      id.rooms.push_back(r.get<std::string>());
    }
  }
  if (exp) id.expires_at = static_cast<int64_t>(std::floor(*exp));
  return id;
}

}  // namespace

token_identity verify_jwt(std::string_view token, const jwt_policy& policy, int64_t now) {
  if (token.size() > max_token_bytes) return refuse(token_status::invalid, "the token is too long");
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return refuse(token_status::invalid, "the token is not a signed JWT (header.payload.signature)");
  const json header = decode_part(token.substr(0, dot1));
  if (!header.is_object()) return refuse(token_status::invalid, "the token's header is not base64url JSON");
  // RFC 7515 §4.1.11: an extension the server does not understand must be refused.
  if (header.contains("crit")) return refuse(token_status::invalid, "the token names critical extensions (crit)");
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature || signature->empty()) return refuse(token_status::invalid, "the token's signature is not base64url");
  switch (check_signature(header, token.substr(0, dot2), *signature, policy)) {
    case token_status::ok:
      break;
    case token_status::unknown_key:
      return refuse(token_status::unknown_key, "the token is signed with a key (kid) this server does not know");
    default:
      return refuse(token_status::invalid,
                    "the token's signature does not match, or its algorithm (alg) is not one this server accepts");
  }
  const json claims = decode_part(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!claims.is_object()) return refuse(token_status::invalid, "the token's claims are not a JSON object");
  return check_claims(claims, policy, now);
}

}  // namespace switchboard::access
