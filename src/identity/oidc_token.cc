// ID-token and JWKS checks; see oidc_token.h.
#include "identity/oidc_token.h"

#include <cjose/cjose.h>

#include <boost/json.hpp>

#include "core/base64.h"
#include "crypto/constant_time.h"
#include "crypto/hash.h"

namespace tongban::identity {
namespace {

constexpr size_t kMaxTokenBytes = 16 * 1024;
constexpr size_t kMaxJwksBytes = 256 * 1024;
constexpr size_t kMaxKeys = 100;

Status Refused(std::string_view code, std::string_view text) {
  return Status::Unauthenticated(std::string(code) + ": " + std::string(text));
}

std::string StringOf(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return "";
  return std::string(v->as_string());
}

// A NumericDate (RFC 7519 §2): an integer or a number of seconds; nullopt when absent or not one.
std::optional<int64_t> DateOf(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= uint64_t(INT64_MAX)) return int64_t(v->as_uint64());
  if (v->is_double() && v->as_double() > -9e15 && v->as_double() < 9e15) {
    return static_cast<int64_t>(v->as_double());
  }
  return std::nullopt;
}

Result<boost::json::object> ParseObject(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Status::InvalidArgument(std::string(what) + " is not a JSON object");
  }
  return std::move(v.as_object());
}

// Unpadded base64url that decodes (RFC 7515 §2): only [A-Za-z0-9_-], never a length of 1 mod 4.
// Checked before cjose sees any of it: cjose 0.6.2's decoder asserts (aborts the process) on some
// malformed input, e.g. a "y" of {"kty":"EC",...,"y":"x=FE..."} (found by
// fuzz/identity/id_token_fuzz.cc).
bool StrictBase64Url(std::string_view s) {
  if (s.size() % 4 == 1) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_')) {
      return false;
    }
  }
  return Base64UrlDecode(s).ok();
}

struct JwsDeleter {
  void operator()(cjose_jws_t* jws) const { cjose_jws_release(jws); }
};

}  // namespace

Result<Jwks> Jwks::Parse(std::string_view json) {
  if (json.size() > kMaxJwksBytes) return Status::InvalidArgument("JWKS document too large");
  TB_ASSIGN_OR_RETURN(boost::json::object doc, ParseObject(json, "JWKS document"));
  const boost::json::value* keys = doc.if_contains("keys");
  if (keys == nullptr || !keys->is_array()) {
    return Status::InvalidArgument("JWKS document has no \"keys\" array");
  }
  Jwks out;
  for (const boost::json::value& k : keys->as_array()) {
    if (out.keys_.size() >= kMaxKeys) break;
    if (!k.is_object()) continue;
    const boost::json::object& o = k.as_object();
    std::string kty = StringOf(o, "kty");
    std::string use = StringOf(o, "use");
    std::string alg = StringOf(o, "alg");
    if (!use.empty() && use != "sig") continue;
    std::string key_alg;
    if (kty == "RSA") {
      // At least 2048-bit moduli (the modulus `n` is base64url big-endian bytes).
      auto n = Base64UrlDecode(StringOf(o, "n"));
      if (!n.ok() || n->size() < 256) continue;
      key_alg = "RS256";
    } else if (kty == "EC") {
      if (StringOf(o, "crv") != "P-256") continue;
      key_alg = "ES256";
    } else {
      continue;  // "oct" (HMAC) keys are never accepted from a provider's public set
    }
    if (!alg.empty() && alg != key_alg) continue;
    // Only the public members go to cjose (a provider that leaked `d` must not make us sign),
    // each key-material member strictly base64url.
    boost::json::object pub;
    bool well_formed = true;
    for (const char* member : {"kty", "n", "e", "crv", "x", "y", "kid"}) {
      if (const boost::json::value* m = o.if_contains(member); m != nullptr && m->is_string()) {
        std::string_view name(member);
        if ((name == "n" || name == "e" || name == "x" || name == "y") &&
            !StrictBase64Url(m->as_string())) {
          well_formed = false;
        }
        pub[member] = *m;
      }
    }
    if (!well_formed) continue;
    std::string text = boost::json::serialize(pub);
    cjose_err err;
    cjose_jwk_t* jwk = cjose_jwk_import(text.data(), text.size(), &err);
    if (jwk == nullptr) continue;
    std::shared_ptr<_cjose_jwk_int> owned(jwk, [](cjose_jwk_t* j) { cjose_jwk_release(j); });
    if (cjose_jwk_get_kty(jwk, &err) != (kty == "RSA" ? CJOSE_JWK_KTY_RSA : CJOSE_JWK_KTY_EC)) {
      continue;
    }
    out.keys_.push_back(Jwk{StringOf(o, "kid"), key_alg, std::move(owned)});
  }
  if (out.keys_.empty()) {
    return Status::InvalidArgument("JWKS document holds no RS256 or ES256 signature key");
  }
  return out;
}

const Jwk* Jwks::Find(std::string_view kid, std::string_view alg) const {
  const Jwk* only = nullptr;
  int count = 0;
  for (const Jwk& k : keys_) {
    if (k.alg != alg) continue;
    if (!kid.empty() && k.kid == kid) return &k;
    ++count;
    only = &k;
  }
  return kid.empty() && count == 1 ? only : nullptr;
}

JwksCache::JwksCache(Fetch fetch, const Clock& clock, int64_t min_refresh_seconds)
    : fetch_(std::move(fetch)), clock_(clock), min_refresh_seconds_(min_refresh_seconds) {}

Status JwksCache::RefreshLocked(int64_t now) {
  last_fetch_ = now;
  ++fetches_;
  TB_ASSIGN_OR_RETURN(std::string text, fetch_());
  TB_ASSIGN_OR_RETURN(Jwks parsed, Jwks::Parse(text));
  jwks_ = std::make_shared<const Jwks>(std::move(parsed));
  return Status::Ok();
}

Result<Jwk> JwksCache::KeyFor(std::string_view kid, std::string_view alg) {
  int64_t now = clock_.NowUnixMicros() / 1000000;
  std::lock_guard lock(mu_);
  if (jwks_ != nullptr) {
    if (const Jwk* k = jwks_->Find(kid, alg)) return *k;
  }
  // Not known: fetch (again) unless we did within the last min_refresh_seconds.
  if (jwks_ == nullptr || last_fetch_ == 0 || now - last_fetch_ >= min_refresh_seconds_) {
    Status s = RefreshLocked(now);
    if (!s.ok()) {
      if (jwks_ == nullptr) {
        return Status::Unavailable("the identity provider's keys (JWKS) cannot be read")
            .WithDetail(s.ToString());
      }
    } else if (const Jwk* k = jwks_->Find(kid, alg)) {
      return *k;
    }
  }
  return Refused("unknown_kid", "the ID token is signed with a key the provider does not publish");
}

int64_t JwksCache::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

std::string IdTokenClaims::StringClaim(std::string_view name) const { return StringOf(all, name); }

Result<UnverifiedIdToken> DecodeIdToken(std::string_view compact) {
  if (compact.size() > kMaxTokenBytes) return Status::InvalidArgument("ID token too large");
  size_t dot1 = compact.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos) {
    return Status::InvalidArgument("ID token is not a compact JWS (three parts)");
  }
  if (!StrictBase64Url(compact.substr(0, dot1)) ||
      !StrictBase64Url(compact.substr(dot1 + 1, dot2 - dot1 - 1)) ||
      !StrictBase64Url(compact.substr(dot2 + 1))) {
    return Status::InvalidArgument("ID token part is not base64url");
  }
  auto header_text = Base64UrlDecode(compact.substr(0, dot1));
  auto payload_text = Base64UrlDecode(compact.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header_text.ok() || !payload_text.ok()) {
    return Status::InvalidArgument("ID token part is not base64url");
  }
  TB_ASSIGN_OR_RETURN(boost::json::object header, ParseObject(*header_text, "ID token header"));
  TB_ASSIGN_OR_RETURN(boost::json::object payload, ParseObject(*payload_text, "ID token claims"));
  UnverifiedIdToken out;
  out.alg = StringOf(header, "alg");
  out.kid = StringOf(header, "kid");
  if (header.contains("crit")) {
    return Status::InvalidArgument("ID token header has critical extensions we do not support");
  }
  IdTokenClaims& c = out.claims;
  c.iss = StringOf(payload, "iss");
  c.sub = StringOf(payload, "sub");
  c.azp = StringOf(payload, "azp");
  c.nonce = StringOf(payload, "nonce");
  c.acr = StringOf(payload, "acr");
  if (const boost::json::value* aud = payload.if_contains("aud")) {
    if (aud->is_string()) {
      c.aud.emplace_back(aud->as_string());
    } else if (aud->is_array()) {
      for (const auto& a : aud->as_array()) {
        if (a.is_string()) c.aud.emplace_back(a.as_string());
      }
    }
  }
  c.exp = DateOf(payload, "exp").value_or(0);
  c.iat = DateOf(payload, "iat").value_or(0);
  c.all = std::move(payload);
  return out;
}

IdTokenVerifier::IdTokenVerifier(IdTokenRules rules, JwksCache& jwks, const Clock& clock)
    : rules_(std::move(rules)), jwks_(jwks), clock_(clock) {}

Result<IdTokenClaims> IdTokenVerifier::Verify(std::string_view compact,
                                              std::string_view nonce_sha256) {
  auto decoded = DecodeIdToken(compact);
  if (!decoded.ok()) return Refused("malformed_id_token", decoded.status().message());
  if (decoded->alg != "RS256" && decoded->alg != "ES256") {
    return Refused("bad_alg", "the ID token must be signed with RS256 or ES256");
  }
  TB_ASSIGN_OR_RETURN(Jwk key, jwks_.KeyFor(decoded->kid, decoded->alg));

  // The signature, by cjose, over the exact bytes received.
  cjose_err err;
  std::unique_ptr<cjose_jws_t, JwsDeleter> jws(cjose_jws_import(compact.data(), compact.size(), &err));
  if (jws == nullptr) return Refused("malformed_id_token", "the ID token is not a valid JWS");
  // cjose verifies with the header's own `alg`: read it back from cjose's parse, so the check
  // above and the verification cannot see two different headers.
  cjose_header_t* hdr = cjose_jws_get_protected(jws.get());
  const char* alg = hdr == nullptr ? nullptr : cjose_header_get(hdr, CJOSE_HDR_ALG, &err);
  if (alg == nullptr || std::string_view(alg) != decoded->alg) {
    return Refused("bad_alg", "the ID token header is ambiguous");
  }
  if (!cjose_jws_verify(jws.get(), key.key.get(), &err)) {
    return Refused("bad_signature", "the ID token's signature does not verify with the provider's key");
  }
  IdTokenClaims c = std::move(decoded->claims);
  int64_t now = clock_.NowUnixMicros() / 1000000;
  if (c.iss != rules_.issuer) return Refused("bad_issuer", "the ID token is from another issuer");
  bool ours = false;
  for (const std::string& a : c.aud) ours = ours || a == rules_.client_id;
  if (!ours) return Refused("bad_audience", "the ID token is not addressed to this service");
  if ((c.aud.size() > 1 || !c.azp.empty()) && c.azp != rules_.client_id) {
    return Refused("bad_audience", "the ID token's authorised party (azp) is not this service");
  }
  if (c.exp == 0 || now > c.exp + rules_.leeway_seconds) {
    return Refused("expired", "the ID token has expired");
  }
  if (c.iat == 0 || c.iat > now + rules_.leeway_seconds) {
    return Refused("bad_iat", "the ID token's issue time is missing or in the future");
  }
  if (now - c.iat > rules_.max_age_seconds + rules_.leeway_seconds) {
    return Refused("expired", "the ID token was issued too long ago");
  }
  auto nonce_hash = crypto::Hash(crypto::HashAlgorithm::kSha256, c.nonce);
  if (c.nonce.empty() ||
      !crypto::ConstantTimeEqual(
          std::string_view(reinterpret_cast<const char*>(nonce_hash.data()), nonce_hash.size()),
          nonce_sha256)) {
    return Refused("bad_nonce", "the ID token's nonce does not belong to this login");
  }
  if (c.sub.empty()) return Refused("no_subject", "the ID token names no subject (sub)");
  return c;
}

std::string OidcErrorCode(const Status& status) {
  const std::string& m = status.message();
  size_t colon = m.find(": ");
  if (colon == std::string::npos || colon == 0 || colon > 32) return "login_failed";
  for (size_t i = 0; i < colon; ++i) {
    char ch = m[i];
    if (!(ch == '_' || (ch >= 'a' && ch <= 'z'))) return "login_failed";
  }
  return m.substr(0, colon);
}

}  // namespace tongban::identity
