// Fuzzes auth::verify_jwt (access/jwt.h): whatever token a client presents, verification
// answers ok, invalid, expired or unknown_key without crashing, and "ok" only for a token this
// target signed itself, whose identity then follows the rules (a valid user id, a display name).
//
// Input: byte 0 even: the rest is the token as a client sends it; odd: the rest is
// "HEADER\nCLAIMS" (JSON texts), signed here with the HMAC key, so that the claims checks (exp,
// nbf, iss, aud, sub, name, rooms) see every kind of claims set with a valid signature.
#include "access/jwt.h"
#include "access/names.h"
#include "base/base64.h"
#include "fuzz_check.h"

#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using fuzz::check;
// Not `access`: POSIX has a function of that name.
namespace auth = switchboard::access;

namespace {

const std::string secret = "fuzz-secret";

std::string b64url(std::string_view s) {
  std::string b = switchboard::base64_encode(s);
  for (auto& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

std::string signed_token(std::string_view header, std::string_view claims) {
  const std::string input = b64url(header) + "." + b64url(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + b64url({reinterpret_cast<const char*>(mac), len});
}

const auth::jwt_policy& policy() {
  static const auth::jwt_policy p = [] {
    auth::jwt_policy q;
    q.keys.push_back(auth::jwt_key::hmac(secret));
    q.issuer = "https://id.example";
    q.audience = "chat";
    return q;
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string token(rest);
  const bool sign = data[0] & 1;
  if (sign) {
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return 0;
    token = signed_token(rest.substr(0, nl), rest.substr(nl + 1));
  }
  const auto id = auth::verify_jwt(token, policy(), 1'700'000'000);
  if (id.status == auth::token_status::ok) {
    check(sign);  // nobody else can make a token that verifies
    check(auth::valid_user_id(id.user) && !id.name.empty());
  } else {
    check(!id.reason.empty() && id.user.empty());
  }
  return 0;
}
