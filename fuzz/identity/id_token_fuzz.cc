// libFuzzer target: what an OpenID provider (or an attacker in its place) sends us — the ID token
// (compact JWS: base64url header and claims, DecodeIdToken) and the key set (Jwks::Parse) — and
// the whole IdTokenVerifier over a fixed key set (an RS256 and an ES256 key made at start), so the
// input also reaches cjose's JWS import and signature check.
// Invariants: no crash, no leak; the verifier never accepts (no input holds a valid signature by
// keys made in this process).
// Seed corpus: fuzz/identity/corpus/id_token (tokens, a header with alg none, JWKS documents).
#include <cjose/cjose.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/clock.h"
#include "crypto/hash.h"
#include "identity/oidc_token.h"

namespace {

using namespace tongban;
using namespace tongban::identity;

std::string PublicJwk(cjose_jwk_t* k, const char* kid) {
  char* json = cjose_jwk_to_json(k, false, nullptr);
  std::string s(json);
  free(json);
  s.pop_back();  // the closing brace
  return s + ",\"kid\":\"" + kid + "\"}";
}

struct Fixture {
  FakeClock clock{int64_t{1'790'000'000} * 1'000'000};
  std::string jwks_doc;
  JwksCache jwks{[this]() -> Result<std::string> { return jwks_doc; }, clock, 60};
  IdTokenVerifier verifier{{.issuer = "http://idp.test", .client_id = "tongban"}, jwks, clock};
  Fixture() {
    static const uint8_t e[] = {1, 0, 1};
    cjose_jwk_t* rsa = cjose_jwk_create_RSA_random(2048, e, sizeof e, nullptr);
    cjose_jwk_t* ec = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, nullptr);
    jwks_doc = "{\"keys\":[" + PublicJwk(rsa, "rsa-1") + "," + PublicJwk(ec, "ec-1") + "]}";
    cjose_jwk_release(rsa);
    cjose_jwk_release(ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto jwks = Jwks::Parse(in);
  if (jwks.ok()) (void)jwks->Find("rsa-1", "RS256");
  auto decoded = DecodeIdToken(in);
  if (decoded.ok()) (void)decoded->claims.StringClaim("citizen_id");
  auto nonce = crypto::Hash(crypto::HashAlgorithm::kSha256, std::string_view("n-1"));
  auto verified = f->verifier.Verify(
      in, std::string_view(reinterpret_cast<const char*>(nonce.data()), nonce.size()));
  if (verified.ok()) std::abort();  // nothing here is signed by the fixture's keys
  (void)OidcErrorCode(verified.status());
  return 0;
}
