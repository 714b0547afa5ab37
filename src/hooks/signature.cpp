#include "hooks/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace switchboard::hooks {

std::string signature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  const std::string signed_text = std::to_string(unix_seconds) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac, &size);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 0xf];
  }
  return out;
}

}  // namespace switchboard::hooks
