#include "access/jwt.h"

#include "base/base64.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <gtest/gtest.h>

#include <map>

namespace switchboard::access {
namespace {

// Keys and tokens are made here, with OpenSSL, as an identity provider would make them.

std::string b64url(std::string_view s) {
  std::string b = base64_encode(s);
  for (auto& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

std::string bytes(const unsigned char* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

const EVP_MD* md_of(std::string_view alg) {
  return alg.ends_with("256") ? EVP_sha256() : alg.ends_with("384") ? EVP_sha384() : EVP_sha512();
}

std::string hmac_sign(std::string_view alg, std::string_view input, std::string_view secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md_of(alg), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &len);
  return bytes(mac, len);
}

std::string pkey_sign(std::string_view alg, std::string_view input, EVP_PKEY* key) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx, &pctx, alg == "EdDSA" ? nullptr : md_of(alg), nullptr, key);
  if (alg.starts_with("PS")) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx, nullptr, &len, in, input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (!alg.starts_with("ES")) return sig;
  // DER → R || S, as JOSE wants it.
  const size_t half = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 66;
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  std::string raw(2 * half, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(half));
  BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data() + half), static_cast<int>(half));
  ECDSA_SIG_free(es);
  return raw;
}

std::string token(const json& header, const json& claims, const std::function<std::string(std::string_view)>& sign) {
  const std::string input = b64url(header.dump()) + "." + b64url(claims.dump());
  return input + "." + b64url(sign(input));
}

std::string hs(const json& claims, std::string_view secret = "s3cret", std::string alg = "HS256") {
  return token(json{{"alg", alg}, {"typ", "JWT"}}, claims,
               [&](std::string_view in) { return hmac_sign(alg, in, secret); });
}

std::string signed_by(EVP_PKEY* key, std::string alg, const json& claims, std::string kid = {}) {
  json header{{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = kid;
  return token(header, claims, [&](std::string_view in) { return pkey_sign(alg, in, key); });
}

std::string public_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

std::string bn_param(EVP_PKEY* key, const char* name, size_t pad = 0) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(pad ? pad : static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return b64url(out);
}

struct pkey_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using owned_pkey = std::unique_ptr<EVP_PKEY, pkey_free>;

// Made once (RSA key generation takes a while), and kept for the process.
struct keys {
  EVP_PKEY* rsa = EVP_RSA_gen(2048);
  EVP_PKEY* p256 = EVP_EC_gen("P-256");
  EVP_PKEY* p384 = EVP_EC_gen("P-384");
  EVP_PKEY* p521 = EVP_EC_gen("P-521");
  EVP_PKEY* ed25519 = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
};
const keys& test_keys() {
  static const keys k;
  return k;
}

jwt_key pem_key(EVP_PKEY* key) {
  std::string error;
  auto k = jwt_key::from_pem(public_pem(key), error);
  EXPECT_TRUE(k) << error;
  return *k;
}

jwt_policy policy_of(jwt_key key) {
  jwt_policy p;
  p.keys.push_back(std::move(key));
  return p;
}

const jwt_policy hmac_policy = policy_of(jwt_key::hmac("s3cret"));

TEST(Jwt, HmacTokensNameTheUserBySubAndCarryNameAndRooms) {
  for (const char* alg : {"HS256", "HS384", "HS512"}) {
    const auto id = verify_jwt(hs({{"sub", "u1"}, {"name", "Ada L."}, {"rooms", {"team-*", "ops"}}}, "s3cret", alg),
                               hmac_policy, 1000);
    ASSERT_EQ(id.status, token_status::ok) << alg << ": " << id.reason;
    EXPECT_EQ(id.user, "u1");
    EXPECT_EQ(id.name, "Ada L.");
    EXPECT_EQ(id.rooms, (std::vector<std::string>{"team-*", "ops"}));
  }
  const auto plain = verify_jwt(hs({{"sub", "u2"}}), hmac_policy, 1000);
  EXPECT_EQ(plain.name, "u2");  // no name claim: the display name is sub
  EXPECT_EQ(verify_jwt(hs({{"sub", "u3"}, {"name", "a\u202ebc"}}), hmac_policy, 1000).name, "u3");  // not displayable
}

TEST(Jwt, SubIsRequiredAndRoomsMustBeStrings) {
  EXPECT_EQ(verify_jwt(hs({{"name", "bob"}}), hmac_policy, 1).status, token_status::invalid);
  EXPECT_EQ(verify_jwt(hs({{"sub", 42}}), hmac_policy, 1).status, token_status::invalid);
  EXPECT_EQ(verify_jwt(hs({{"sub", ""}}), hmac_policy, 1).status, token_status::invalid);
  EXPECT_EQ(verify_jwt(hs({{"sub", std::string("a\0b", 3)}}), hmac_policy, 1).status, token_status::invalid);
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"rooms", "all"}}), hmac_policy, 1).status, token_status::invalid);
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"rooms", {1}}}), hmac_policy, 1).status, token_status::invalid);
}

TEST(Jwt, ExpAndNbfHaveThirtySecondsOfLeeway) {
  const int64_t now = 10'000;
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"exp", now - 29}}), hmac_policy, now).status, token_status::ok);
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"exp", now - 30}}), hmac_policy, now).status, token_status::expired);
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"exp", now - 60.5}}), hmac_policy, now).status, token_status::expired);
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"exp", "tomorrow"}}), hmac_policy, now).status, token_status::invalid);
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"nbf", now + 30}}), hmac_policy, now).status, token_status::ok);
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"nbf", now + 31}}), hmac_policy, now).status, token_status::invalid);
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"nbf", "now"}}), hmac_policy, now).status, token_status::invalid);
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}, {"exp", now + 3600.7}}), hmac_policy, now).expires_at, now + 3600);
}

TEST(Jwt, IssuerAndAudienceAreCheckedWhenConfigured) {
  jwt_policy p = hmac_policy;
  p.issuer = "https://id.example";
  p.audience = "chat";
  const auto status = [&](const json& claims) { return verify_jwt(hs(claims), p, 1).status; };
  EXPECT_EQ(status({{"sub", "u"}, {"iss", "https://id.example"}, {"aud", "chat"}}), token_status::ok);
  EXPECT_EQ(status({{"sub", "u"}, {"iss", "https://id.example"}, {"aud", {"other", "chat"}}}), token_status::ok);
  EXPECT_EQ(status({{"sub", "u"}, {"iss", "https://evil.example"}, {"aud", "chat"}}), token_status::invalid);
  EXPECT_EQ(status({{"sub", "u"}, {"aud", "chat"}}), token_status::invalid);
  EXPECT_EQ(status({{"sub", "u"}, {"iss", "https://id.example"}, {"aud", "other"}}), token_status::invalid);
  EXPECT_EQ(status({{"sub", "u"}, {"iss", "https://id.example"}}), token_status::invalid);
}

TEST(Jwt, RefusesBadSignaturesNoneAndGarbage) {
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}}, "other"), hmac_policy, 1).status, token_status::invalid);
  const std::string none = b64url(R"({"alg":"none"})") + "." + b64url(R"({"sub":"u"})") + ".";
  EXPECT_EQ(verify_jwt(none, hmac_policy, 1).status, token_status::invalid);
  for (const char* bad : {"", "garbage", "a.b", "a.b.c.d", "..", "e30.e30.e30"})
    EXPECT_EQ(verify_jwt(bad, hmac_policy, 1).status, token_status::invalid) << bad;
  const auto good = hs({{"sub", "u"}});
  EXPECT_EQ(verify_jwt(good + "x", hmac_policy, 1).status, token_status::invalid);
  EXPECT_EQ(verify_jwt(std::string(max_token_bytes + 1, 'a'), hmac_policy, 1).status, token_status::invalid);
  const auto crit = token(json{{"alg", "HS256"}, {"crit", {"exp"}}}, json{{"sub", "u"}},
                          [](std::string_view in) { return hmac_sign("HS256", in, "s3cret"); });
  EXPECT_EQ(verify_jwt(crit, hmac_policy, 1).status, token_status::invalid);
}

TEST(Jwt, PublicKeysFromPemVerifyTheirOwnFamily) {
  const auto& k = test_keys();
  const json claims{{"sub", "u"}};
  const std::vector<std::pair<EVP_PKEY*, std::vector<std::string>>> cases{
      {k.rsa, {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}},
      {k.p256, {"ES256"}},
      {k.p384, {"ES384"}},
      {k.p521, {"ES512"}},
      {k.ed25519, {"EdDSA"}}};
  for (const auto& [key, algs] : cases) {
    const auto policy = policy_of(pem_key(key));
    for (const auto& alg : algs) {
      const auto id = verify_jwt(signed_by(key, alg, claims), policy, 1);
      EXPECT_EQ(id.status, token_status::ok) << alg << ": " << id.reason;
    }
  }
  // A signature of one key does not verify under another of the same type.
  const owned_pkey other(EVP_EC_gen("P-256"));
  EXPECT_EQ(verify_jwt(signed_by(k.p256, "ES256", claims), policy_of(pem_key(other.get())), 1).status,
            token_status::invalid);
}

TEST(Jwt, NoTokenVerifiesWithAKeyOfAnotherFamily) {
  const auto& k = test_keys();
  const std::string pem = public_pem(k.rsa);
  const auto rsa_policy = policy_of(pem_key(k.rsa));
  // The classic confusion: HMAC with the public key's text as the secret.
  EXPECT_EQ(verify_jwt(hs({{"sub", "u"}}, pem), rsa_policy, 1).status, token_status::invalid);
  // A curve's algorithm only with that curve; EdDSA only with an EdDSA key; HS only with a secret.
  EXPECT_EQ(verify_jwt(signed_by(k.p384, "ES384", {{"sub", "u"}}), policy_of(pem_key(k.p256)), 1).status,
            token_status::invalid);
  EXPECT_EQ(verify_jwt(signed_by(k.rsa, "RS256", {{"sub", "u"}}), policy_of(pem_key(k.ed25519)), 1).status,
            token_status::invalid);
  EXPECT_EQ(verify_jwt(signed_by(k.rsa, "RS256", {{"sub", "u"}}), hmac_policy, 1).status, token_status::invalid);
  EXPECT_FALSE(pem_key(k.p256).allows("ES384"));
  EXPECT_FALSE(jwt_key::hmac("s").allows("RS256"));
  EXPECT_FALSE(pem_key(k.rsa).allows("none"));
}

TEST(Jwt, JwkKeysAreFoundByKid) {
  const auto& k = test_keys();
  std::string error;
  const json rsa{{"kty", "RSA"},
                 {"kid", "r1"},
                 {"n", bn_param(k.rsa, OSSL_PKEY_PARAM_RSA_N)},
                 {"e", bn_param(k.rsa, OSSL_PKEY_PARAM_RSA_E)}};
  const json ec{{"kty", "EC"},
                {"kid", "e1"},
                {"crv", "P-256"},
                {"x", bn_param(k.p256, OSSL_PKEY_PARAM_EC_PUB_X, 32)},
                {"y", bn_param(k.p256, OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
  unsigned char raw[32];
  size_t raw_len = sizeof raw;
  EVP_PKEY_get_raw_public_key(k.ed25519, raw, &raw_len);
  const json okp{{"kty", "OKP"}, {"kid", "d1"}, {"crv", "Ed25519"}, {"x", b64url(bytes(raw, raw_len))}};
  jwt_policy p;
  for (const auto& jwk : {rsa, ec, okp}) {
    auto key = jwt_key::from_jwk(jwk, error);
    ASSERT_TRUE(key) << jwk.dump() << ": " << error;
    p.keys.push_back(*key);
  }
  EXPECT_EQ(verify_jwt(signed_by(k.rsa, "RS256", {{"sub", "u"}}, "r1"), p, 1).status, token_status::ok);
  EXPECT_EQ(verify_jwt(signed_by(k.rsa, "PS512", {{"sub", "u"}}, "r1"), p, 1).status, token_status::ok);
  EXPECT_EQ(verify_jwt(signed_by(k.p256, "ES256", {{"sub", "u"}}, "e1"), p, 1).status, token_status::ok);
  EXPECT_EQ(verify_jwt(signed_by(k.ed25519, "EdDSA", {{"sub", "u"}}, "d1"), p, 1).status, token_status::ok);
  EXPECT_EQ(verify_jwt(signed_by(k.rsa, "RS256", {{"sub", "u"}}), p, 1).status, token_status::ok);  // no kid
  EXPECT_EQ(verify_jwt(signed_by(k.rsa, "RS256", {{"sub", "u"}}, "r2"), p, 1).status, token_status::unknown_key);
  // A key without a kid (a secret beside the set) does not make every kid known.
  jwt_policy with_secret = p;
  with_secret.keys.push_back(jwt_key::hmac("s3cret"));
  EXPECT_EQ(verify_jwt(signed_by(k.rsa, "RS256", {{"sub", "u"}}, "r2"), with_secret, 1).status,
            token_status::unknown_key);
  // A key's alg restricts it.
  json only_rs = rsa;
  only_rs["alg"] = "RS256";
  const auto restricted = policy_of(*jwt_key::from_jwk(only_rs, error));
  EXPECT_EQ(verify_jwt(signed_by(k.rsa, "PS256", {{"sub", "u"}}, "r1"), restricted, 1).status, token_status::invalid);
}

TEST(Jwt, BadKeysAreRefusedWithAReason) {
  std::string error;
  for (const json& bad :
       {json("x"), json{{"kty", "RSA"}}, json{{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}},  // 24 bits
        json{{"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}},
        json{{"kty", "EC"}, {"crv", "secp256k1"}, {"x", "AA"}, {"y", "AA"}}, json{{"kty", "OKP"}, {"crv", "X25519"}},
        json{{"kty", "oct"}, {"k", "c2VjcmV0"}, {"alg", "RS256"}},
        json{{"kty", "oct"}, {"k", "c2VjcmV0"}, {"use", "enc"}}, json{{"kty", 7}}}) {
    error.clear();
    EXPECT_FALSE(jwt_key::from_jwk(bad, error)) << bad.dump();
    EXPECT_FALSE(error.empty()) << bad.dump();
  }
  // A point that is not on the curve.
  const json off_curve{
      {"kty", "EC"}, {"crv", "P-256"}, {"x", b64url(std::string(32, '\1'))}, {"y", b64url(std::string(32, '\1'))}};
  EXPECT_FALSE(jwt_key::from_jwk(off_curve, error));
  EXPECT_FALSE(jwt_key::from_pem("not a key", error));
  const owned_pkey short_rsa(EVP_RSA_gen(1024));
  EXPECT_FALSE(jwt_key::from_pem(public_pem(short_rsa.get()), error));
  EXPECT_NE(error.find("2048"), std::string::npos);
}

}  // namespace
}  // namespace switchboard::access
