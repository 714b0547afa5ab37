#pragma once
// Comparing secrets (API key, dashboard key) in constant time, so response timing tells nothing
// about how much of a guess was right.
#include <openssl/crypto.h>

#include <string_view>

namespace switchboard {

inline bool secrets_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace switchboard
