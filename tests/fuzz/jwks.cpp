// Fuzzes access::parse_jwks (access/jwks.h), the JWK set of --jwks: any text gives keys or a
// reason, never both and never a crash; every key read verifies no signature of garbage.
#include "access/jwks.h"
#include "fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto keys = switchboard::access::parse_jwks(text, error);
  check(keys.empty() != error.empty());
  check(keys.size() <= switchboard::access::max_jwks_keys);
  for (const auto& key : keys) {
    for (const char* alg : {"HS256", "RS256", "PS384", "ES256", "ES512", "EdDSA", "none"}) {
      if (key.allows(alg)) check(!key.verify(alg, "e30.e30", "not a signature"));
    }
    check(!key.allows("none"));
  }
  return 0;
}
