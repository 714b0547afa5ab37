#pragma once
// A key that verifies JSON Web Token signatures (RFC 7515, 7518): an HMAC secret (HS256/384/512),
// or a public key from PEM or a JWK (RFC 7517): RSA (RS256/384/512, PS256/384/512), EC on P-256,
// P-384 or P-521 (ES256, ES384, ES512, each on its own curve) and Ed25519/Ed448 (EdDSA). A key
// verifies the algorithms of its own family only, so a token can never choose HMAC with a public
// key as its secret, or "none". Immutable once made; shared by every worker.
//
// Written over OpenSSL's EVP interface rather than libjwt: the libjwt of Debian 12 (1.10) has no
// PS or EdDSA, reads no JWK, and verifies with whatever algorithm the token names, which leaves
// the family check to every caller.
#include "base/json.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace switchboard::access {

class jwt_key {
 public:
  static jwt_key hmac(std::string secret);
  // A PEM public key (SubjectPublicKeyInfo) or certificate; nullopt with `error` set otherwise.
  static std::optional<jwt_key> from_pem(std::string_view pem, std::string& error);
  // One JWK object: kty RSA (n, e), EC (crv, x, y), OKP (crv Ed25519/Ed448, x) or oct (k); its
  // `alg`, when present, is the only algorithm it verifies, and its `kid` names it.
  static std::optional<jwt_key> from_jwk(const json& jwk, std::string& error);

  const std::string& kid() const { return kid_; }
  // Whether this key may verify a token signed with `alg` (a JWS "alg" value).
  bool allows(std::string_view alg) const;
  // The signature (decoded bytes) of `signing_input` (header.payload) under `alg`; false for an
  // algorithm this key does not allow.
  bool verify(std::string_view alg, std::string_view signing_input, std::string_view signature) const;

 private:
  enum class family { hmac, rsa, ec, eddsa };
  jwt_key(family f, std::shared_ptr<evp_pkey_st> pkey, std::string secret);
  static std::optional<jwt_key> from_pkey(std::shared_ptr<evp_pkey_st> pkey, std::string& error);

  family family_;
  std::shared_ptr<evp_pkey_st> pkey_;  // public keys
  std::string secret_;                 // HMAC
  std::string curve_alg_;              // EC: the one ES algorithm of its curve
  std::string only_alg_;               // from a JWK's "alg"
  std::string kid_;
};

}  // namespace switchboard::access
