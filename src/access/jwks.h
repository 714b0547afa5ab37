#pragma once
// A JWK Set (RFC 7517 §5), as identity providers publish it: `{"keys": [...]}`. Pure: text in,
// the signing keys or the reason there are none out.
#include "access/jwt_key.h"

#include <string>
#include <string_view>
#include <vector>

namespace switchboard::access {

// At most this many keys are read from one set: providers publish a handful.
inline constexpr size_t max_jwks_keys = 100;

// The set's signature keys. Keys for encryption (`use` "enc") and of types no JWS algorithm
// here uses are skipped, as a provider's set may hold them; any other bad key, or a set with no
// usable key, is an error naming it.
std::vector<jwt_key> parse_jwks(std::string_view text, std::string& error);

}  // namespace switchboard::access
