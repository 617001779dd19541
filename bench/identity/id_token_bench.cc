// ID-token checks per second (identity/oidc_token.h): the whole IdTokenVerifier — strict base64url,
// header and claims parsed, the key found in the cached JWKS, the signature verified by cjose,
// iss / aud / exp / iat / nonce — for RS256 (2048-bit) and ES256 tokens; and the JWKS parse a
// provider's key rotation costs. The province login pays one Verify per login.
#include <benchmark/benchmark.h>
#include <cjose/cjose.h>

#include <cstdlib>
#include <string>

#include "core/base64.h"
#include "crypto/hash.h"
#include "identity/oidc_token.h"

namespace tongban::identity {
namespace {

constexpr int64_t kNow = 1'790'000'000;

std::string Public(cjose_jwk_t* k, const char* kid) {
  char* json = cjose_jwk_to_json(k, false, nullptr);
  std::string s(json);
  free(json);
  s.pop_back();
  return s + ",\"kid\":\"" + kid + "\"}";
}

std::string Sign(cjose_jwk_t* k, const char* alg, const char* kid) {
  cjose_header_t* h = cjose_header_new(nullptr);
  cjose_header_set(h, CJOSE_HDR_ALG, alg, nullptr);
  cjose_header_set(h, CJOSE_HDR_KID, kid, nullptr);
  std::string claims = "{\"iss\":\"http://idp.test\",\"sub\":\"zhang\",\"aud\":\"tongban\",\"exp\":" +
                       std::to_string(kNow + 300) + ",\"iat\":" + std::to_string(kNow) +
                       ",\"nonce\":\"n-1\",\"acr\":\"loa3\",\"citizen_id\":\"330106198503122138\","
                       "\"name\":\"张伟\"}";
  cjose_jws_t* jws = cjose_jws_sign(k, h, reinterpret_cast<const uint8_t*>(claims.data()),
                                    claims.size(), nullptr);
  const char* out = nullptr;
  cjose_jws_export(jws, &out, nullptr);
  std::string token = out;
  cjose_jws_release(jws);
  cjose_header_release(h);
  return token;
}

struct Keys {
  cjose_jwk_t* rsa;
  cjose_jwk_t* ec;
  std::string jwks;
  Keys() {
    static const uint8_t e[] = {1, 0, 1};
    rsa = cjose_jwk_create_RSA_random(2048, e, sizeof e, nullptr);
    ec = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, nullptr);
    jwks = "{\"keys\":[" + Public(rsa, "rsa-1") + "," + Public(ec, "ec-1") + "]}";
  }
};
Keys& TheKeys() {
  static Keys* keys = new Keys();
  return *keys;
}

void Verify(benchmark::State& state, bool rsa) {
  Keys& k = TheKeys();
  FakeClock clock(kNow * 1'000'000);
  JwksCache cache([&]() -> Result<std::string> { return k.jwks; }, clock, 60);
  IdTokenVerifier verifier({.issuer = "http://idp.test", .client_id = "tongban"}, cache, clock);
  std::string token = rsa ? Sign(k.rsa, "RS256", "rsa-1") : Sign(k.ec, "ES256", "ec-1");
  auto digest = crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("n-1"));
  std::string nonce(reinterpret_cast<const char*>(digest.data()), digest.size());
  for (auto _ : state) {
    auto claims = verifier.Verify(token, nonce);
    if (!claims.ok()) state.SkipWithError(claims.status().ToString().c_str());
    benchmark::DoNotOptimize(claims);
  }
}
void BM_VerifyIdTokenRs256(benchmark::State& state) { Verify(state, true); }
void BM_VerifyIdTokenEs256(benchmark::State& state) { Verify(state, false); }
BENCHMARK(BM_VerifyIdTokenRs256);
BENCHMARK(BM_VerifyIdTokenEs256);

void BM_ParseJwks(benchmark::State& state) {
  const std::string& doc = TheKeys().jwks;
  for (auto _ : state) {
    auto jwks = Jwks::Parse(doc);
    benchmark::DoNotOptimize(jwks);
  }
}
BENCHMARK(BM_ParseJwks);

}  // namespace
}  // namespace tongban::identity

BENCHMARK_MAIN();
