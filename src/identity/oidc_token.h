// OpenID Connect ID tokens: the provider's key set (JWKS) and the checks of an ID token before a
// login is believed (OpenID Connect Core 1.0 §3.1.3.7). The signature is verified with cjose (the
// JOSE library of Debian's libcjose-dev; docs/auth.md says why); the claims are read with
// Boost.JSON.
//
//   JwksCache jwks(fetch_jwks, clock, /*min_refresh_seconds=*/60);
//   IdTokenVerifier verifier({.issuer = "https://idp.zj.gov.cn", .client_id = "tongban"}, jwks, clock);
//   TB_ASSIGN_OR_RETURN(IdTokenClaims claims, verifier.Verify(id_token, Sha256(expected_nonce)));
//
// What is refused (each an Unauthenticated status whose message starts with a short code, e.g.
// "bad_signature: ...", that the routes pass on to the portal): a token that is not three
// base64url parts; `alg` other than RS256 or ES256 (so `none` and HS256, which would turn the
// provider's public key into an HMAC secret, never reach a verifier); a `kid` the JWKS does not
// hold even after one refresh; a bad signature; `iss` not the provider's; `aud` not naming the
// client, or several audiences without `azp` = the client; `exp` passed or `iat` in the future
// (both with a small leeway) or too old; `nonce` not the one of this login; no `sub`.
// Thread-safe (JwksCache locks; a Jwks is immutable once parsed).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.h"
#include "core/status.h"

struct _cjose_jwk_int;  // cjose's key type (cjose_jwk_t), kept out of this header

namespace tongban::identity {

// One signing key of a provider.
struct Jwk {
  std::string kid;  // may be empty when the set has a single key
  std::string alg;  // "RS256" or "ES256": what the key may verify
  std::shared_ptr<_cjose_jwk_int> key;
};

// A provider's key set: the RSA (>= 2048 bits, RS256) and EC P-256 (ES256) signature keys of a
// JWKS document. Keys of other types, for encryption (`use` "enc") or with another `alg` are
// skipped; a document with no usable key is an error.
class Jwks {
 public:
  // kInvalidArgument for JSON that is not a JWKS or holds no usable key. At most 100 keys.
  static Result<Jwks> Parse(std::string_view json);
  // The key for a token header's `kid` and `alg`; nullptr when none. An empty `kid` matches only
  // when the set holds exactly one key for `alg`.
  const Jwk* Find(std::string_view kid, std::string_view alg) const;
  size_t size() const { return keys_.size(); }

 private:
  std::vector<Jwk> keys_;
};

// The JWKS of one provider, fetched on first use and again when a token names a `kid` it does not
// hold (the provider rotated its keys) — at most once per `min_refresh_seconds`, so tokens with
// made-up `kid`s cannot make us hammer the provider.
class JwksCache {
 public:
  using Fetch = std::function<Result<std::string>()>;  // the JWKS document's text
  JwksCache(Fetch fetch, const Clock& clock, int64_t min_refresh_seconds);

  // The set holding (`kid`, `alg`), refreshing once if needed; kUnauthenticated "unknown_kid"
  // when it is still not there; the fetch's error when the provider cannot be reached.
  Result<Jwk> KeyFor(std::string_view kid, std::string_view alg);
  // How many times the document was fetched (tests, metrics).
  int64_t fetches() const;

 private:
  Status RefreshLocked(int64_t now);
  Fetch fetch_;
  const Clock& clock_;
  int64_t min_refresh_seconds_;
  mutable std::mutex mu_;
  std::shared_ptr<const Jwks> jwks_;
  int64_t last_fetch_ = 0;  // unix seconds; 0 = never
  int64_t fetches_ = 0;
};

// The claims of an ID token that passed every check.
struct IdTokenClaims {
  std::string iss;
  std::string sub;
  std::vector<std::string> aud;
  std::string azp;
  std::string nonce;
  std::string acr;  // authentication context class (assurance level); "" when the provider sent none
  int64_t exp = 0;
  int64_t iat = 0;
  boost::json::object all;  // every claim, for the configured subject claim and `name`

  // A string claim, "" when absent or not a string.
  std::string StringClaim(std::string_view name) const;
};

// The parts of a compact JWS before any check: the protected header's `alg` and `kid` and the
// decoded claims. kInvalidArgument for anything malformed. Used by the verifier and the fuzzer.
struct UnverifiedIdToken {
  std::string alg;
  std::string kid;
  IdTokenClaims claims;
};
Result<UnverifiedIdToken> DecodeIdToken(std::string_view compact);

struct IdTokenRules {
  std::string issuer;     // exact `iss`
  std::string client_id;  // must be in `aud`
  int64_t leeway_seconds = 60;        // clock difference allowed for `exp` and `iat`
  int64_t max_age_seconds = 600;      // an `iat` older than this is refused
};

class IdTokenVerifier {
 public:
  // `jwks` and `clock` must outlive the verifier.
  IdTokenVerifier(IdTokenRules rules, JwksCache& jwks, const Clock& clock);
  // Every check above; `nonce_sha256` is the SHA-256 (32 raw bytes) of the nonce this login
  // sent: the flow keeps only that hash, never the nonce.
  Result<IdTokenClaims> Verify(std::string_view compact, std::string_view nonce_sha256);

 private:
  IdTokenRules rules_;
  JwksCache& jwks_;
  const Clock& clock_;
};

// The code at the start of a refusal's message ("bad_signature: ..." -> "bad_signature"), or
// "login_failed" when the message has none.
std::string OidcErrorCode(const Status& status);

}  // namespace tongban::identity
