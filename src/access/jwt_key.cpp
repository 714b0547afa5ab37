#include "access/jwt_key.h"

#include "base/base64.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <vector>

namespace switchboard::access {
namespace {

// RSA keys shorter than this are refused (RFC 7518 §3.3 requires 2048 bits).
constexpr int min_rsa_bits = 2048;

template <typename T, void (*Free)(T*)>
using owned = std::unique_ptr<T, decltype([](T* p) { Free(p); })>;
using bio_ptr = owned<BIO, BIO_free_all>;
using bn_ptr = owned<BIGNUM, BN_free>;
using x509_ptr = owned<X509, X509_free>;
using md_ctx_ptr = owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using pkey_ctx_ptr = owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using param_bld_ptr = owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using param_ptr = owned<OSSL_PARAM, OSSL_PARAM_free>;
using ecdsa_sig_ptr = owned<ECDSA_SIG, ECDSA_SIG_free>;

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* p) { return {p, EVP_PKEY_free}; }

// The digest of an algorithm's last three characters (HS256, RS384, ES512, PS256...).
const EVP_MD* digest_of(std::string_view alg) {
  if (alg.ends_with("256")) return EVP_sha256();
  if (alg.ends_with("384")) return EVP_sha384();
  if (alg.ends_with("512")) return EVP_sha512();
  return nullptr;
}

bool one_of(std::string_view alg, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    if (alg == n) return true;
  }
  return false;
}

// The ES algorithm of an EC key's curve (RFC 7518 §3.4: each is defined on one curve), or "".
std::string es_algorithm_of(EVP_PKEY* pkey) {
  std::array<char, 64> name{};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name.data(), name.size(), &len) != 1) return {};
  const std::string_view group(name.data(), len);
  if (group == "prime256v1" || group == "P-256") return "ES256";
  if (group == "secp384r1" || group == "P-384") return "ES384";
  if (group == "secp521r1" || group == "P-521") return "ES512";
  return {};
}

// JOSE's ECDSA signature is R || S, each the curve's size; OpenSSL verifies DER.
std::optional<std::vector<unsigned char>> ecdsa_der(std::string_view raw, size_t half) {
  if (raw.size() != 2 * half) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ecdsa_sig_ptr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(bytes + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::vector<unsigned char> der(static_cast<size_t>(len));
  unsigned char* out = der.data();
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

// A string member, or "" when absent or not a string (JWK sets may come from the network).
std::string string_member(const json& jwk, const char* member) {
  const auto it = jwk.find(member);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::optional<std::string> jwk_bytes(const json& jwk, const char* member, std::string& error) {
  const auto it = jwk.find(member);
  std::optional<std::string> bytes;
  if (it != jwk.end() && it->is_string()) bytes = base64url_decode(it->get_ref<const std::string&>());
  if (!bytes || bytes->empty()) error = std::string("the key's \"") + member + "\" is missing or not base64url";
  return bytes;
}

bn_ptr to_bignum(const std::string& bytes) {
  return bn_ptr(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

// A public key from OpenSSL parameters of `type` ("RSA" or "EC"), checked as a public key.
std::shared_ptr<EVP_PKEY> pkey_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  param_ptr params(OSSL_PARAM_BLD_to_param(bld));
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  auto key = share(pkey);
  pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

std::shared_ptr<EVP_PKEY> rsa_from_jwk(const json& jwk, std::string& error) {
  const auto n = jwk_bytes(jwk, "n", error);
  const auto e = jwk_bytes(jwk, "e", error);
  if (!n || !e) return nullptr;
  const bn_ptr bn_n = to_bignum(*n), bn_e = to_bignum(*e);
  param_bld_ptr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
    return nullptr;
  return pkey_from_params("RSA", bld.get());
}

std::shared_ptr<EVP_PKEY> ec_from_jwk(const json& jwk, std::string& error) {
  const auto crv = string_member(jwk, "crv");
  size_t size = 0;
  const char* group = nullptr;
  if (crv == "P-256") size = 32, group = "prime256v1";
  if (crv == "P-384") size = 48, group = "secp384r1";
  if (crv == "P-521") size = 66, group = "secp521r1";
  if (!group) {
    error = "an EC key's \"crv\" must be P-256, P-384 or P-521";
    return nullptr;
  }
  const auto x = jwk_bytes(jwk, "x", error);
  const auto y = jwk_bytes(jwk, "y", error);
  if (!x || !y) return nullptr;
  if (x->size() != size || y->size() != size) {
    error = "an EC key's \"x\" and \"y\" must be " + std::to_string(size) + " bytes on " + crv;
    return nullptr;
  }
  const std::string point = "\x04" + *x + *y;  // uncompressed
  param_bld_ptr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return nullptr;
  return pkey_from_params("EC", bld.get());
}

std::shared_ptr<EVP_PKEY> okp_from_jwk(const json& jwk, std::string& error) {
  const auto crv = string_member(jwk, "crv");
  const int type = crv == "Ed25519" ? EVP_PKEY_ED25519 : crv == "Ed448" ? EVP_PKEY_ED448 : 0;
  if (type == 0) {
    error = "an OKP key's \"crv\" must be Ed25519 or Ed448";
    return nullptr;
  }
  const auto x = jwk_bytes(jwk, "x", error);
  if (!x) return nullptr;
  return share(
      EVP_PKEY_new_raw_public_key(type, nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size()));
}

}  // namespace

jwt_key::jwt_key(family f, std::shared_ptr<evp_pkey_st> pkey, std::string secret)
    : family_(f), pkey_(std::move(pkey)), secret_(std::move(secret)) {}

jwt_key jwt_key::hmac(std::string secret) { return jwt_key(family::hmac, nullptr, std::move(secret)); }

std::optional<jwt_key> jwt_key::from_pkey(std::shared_ptr<evp_pkey_st> pkey, std::string& error) {
  if (!pkey) {
    if (error.empty()) error = "not a valid public key";
    return std::nullopt;
  }
  switch (EVP_PKEY_get_base_id(pkey.get())) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(pkey.get()) < min_rsa_bits) {
        error = "an RSA key must have at least 2048 bits";
        return std::nullopt;
      }
      return jwt_key(family::rsa, std::move(pkey), {});
    case EVP_PKEY_EC: {
      jwt_key key(family::ec, pkey, {});
      key.curve_alg_ = es_algorithm_of(pkey.get());
      if (key.curve_alg_.empty()) {
        error = "an EC key must be on P-256, P-384 or P-521";
        return std::nullopt;
      }
      return key;
    }
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448:
      return jwt_key(family::eddsa, std::move(pkey), {});
    default:
      error = "the key is neither RSA, EC nor Ed25519/Ed448";
      return std::nullopt;
  }
}

std::optional<jwt_key> jwt_key::from_pem(std::string_view pem, std::string& error) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* pkey = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!pkey) {  // a certificate, whose public key it is
    bio_ptr again(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    x509_ptr cert(again ? PEM_read_bio_X509(again.get(), nullptr, nullptr, nullptr) : nullptr);
    if (cert) pkey = X509_get_pubkey(cert.get());
  }
  if (!pkey) {
    error = "not a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate";
    return std::nullopt;
  }
  return from_pkey(share(pkey), error);
}

std::optional<jwt_key> jwt_key::from_jwk(const json& jwk, std::string& error) {
  if (!jwk.is_object()) {
    error = "a key must be a JSON object";
    return std::nullopt;
  }
  const auto kty = string_member(jwk, "kty");
  std::optional<jwt_key> key;
  if (kty == "oct") {
    if (const auto k = jwk_bytes(jwk, "k", error)) key = hmac(*k);
  } else if (kty == "RSA") {
    key = from_pkey(rsa_from_jwk(jwk, error), error);
  } else if (kty == "EC") {
    key = from_pkey(ec_from_jwk(jwk, error), error);
  } else if (kty == "OKP") {
    key = from_pkey(okp_from_jwk(jwk, error), error);
  } else {
    error = "a key's \"kty\" must be RSA, EC, OKP or oct";
  }
  if (!key) return std::nullopt;
  if (const auto use = jwk.find("use"); use != jwk.end() && *use != "sig") {
    error = "the key is not for signatures (\"use\" is not \"sig\")";
    return std::nullopt;
  }
  key->kid_ = string_member(jwk, "kid");
  key->only_alg_ = string_member(jwk, "alg");
  if (!key->only_alg_.empty() && !key->allows(key->only_alg_)) {
    error = "the key's \"alg\" " + key->only_alg_ + " is not one its type can verify";
    return std::nullopt;
  }
  return key;
}

bool jwt_key::allows(std::string_view alg) const {
  if (!only_alg_.empty() && alg != only_alg_) return false;
  switch (family_) {
    case family::hmac:
      return one_of(alg, {"HS256", "HS384", "HS512"});
    case family::rsa:
      return one_of(alg, {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"});
    case family::ec:
      return alg == curve_alg_;
    case family::eddsa:
      return alg == "EdDSA";
  }
  return false;
}

bool jwt_key::verify(std::string_view alg, std::string_view signing_input, std::string_view signature) const {
  if (!allows(alg)) return false;
  const auto* input = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (family_ == family::hmac) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int len = 0;
    if (!HMAC(digest_of(alg), secret_.data(), static_cast<int>(secret_.size()), input, signing_input.size(), mac.data(),
              &len))
      return false;
    return signature.size() == len && CRYPTO_memcmp(mac.data(), signature.data(), len) == 0;
  }
  std::string_view sig = signature;
  std::optional<std::vector<unsigned char>> der;
  if (family_ == family::ec) {
    const size_t half = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 66;
    der = ecdsa_der(signature, half);
    if (!der) return false;
    sig = {reinterpret_cast<const char*>(der->data()), der->size()};
  }
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = family_ == family::eddsa ? nullptr : digest_of(alg);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey_.get()) != 1) return false;
  if (alg.starts_with("PS") && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(), input,
                          signing_input.size()) == 1;
}

}  // namespace switchboard::access
