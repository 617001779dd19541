// Compact JWS and EC JWKs; see jws.h.
#include "license/jws.h"

#include <mutex>
#include <unordered_map>

#include "core/base64.h"
#include "crypto/hash.h"
#include "crypto/signature.h"

namespace tongban::license {
namespace {

using crypto::SignatureAlgorithm;

Result<boost::json::object> DecodeJsonPart(std::string_view part, std::string_view field,
                                           std::string_view what) {
  auto bytes = Base64UrlDecode(part);
  if (!bytes.ok()) {
    return Status::InvalidField(std::string(field), std::string(what) + " is not base64url");
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*bytes, ec);
  if (ec || !v.is_object()) {
    return Status::InvalidField(std::string(field), std::string(what) + " is not a JSON object");
  }
  return std::move(v.as_object());
}

}  // namespace

Result<std::string> JwsAlgName(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEs256: return std::string("ES256");
    case SignatureAlgorithm::kSm2: return std::string("SM2");
    case SignatureAlgorithm::kEd25519: break;
  }
  return Status::InvalidArgument("JWS signing supports ES256 and SM2 only");
}

Result<SignatureAlgorithm> ParseJwsAlg(std::string_view name) {
  if (name == "ES256") return SignatureAlgorithm::kEs256;
  if (name == "SM2") return SignatureAlgorithm::kSm2;
  return Status::InvalidField("alg", "must be ES256 or SM2");
}

Result<boost::json::object> PublicKeyToJwk(const crypto::PublicKey& key) {
  if (key.algorithm() == SignatureAlgorithm::kEd25519) {
    return Status::InvalidArgument("JWKs are made for EC keys only");
  }
  const std::string& raw = key.raw();  // 0x04 || X || Y
  return boost::json::object{
      {"kty", "EC"},
      {"crv", key.algorithm() == SignatureAlgorithm::kEs256 ? "P-256" : "SM2"},
      {"x", Base64UrlEncode(std::string_view(raw).substr(1, 32))},
      {"y", Base64UrlEncode(std::string_view(raw).substr(33, 32))}};
}

Result<crypto::PublicKey> PublicKeyFromJwk(const boost::json::value& value) {
  if (!value.is_object()) return Status::InvalidField("jwk", "must be an object");
  const auto& jwk = value.as_object();
  auto str = [&](std::string_view k) -> std::string {
    const auto* v = jwk.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  if (jwk.contains("d")) return Status::InvalidField("jwk", "must not contain a private key");
  if (str("kty") != "EC") return Status::InvalidField("jwk.kty", "must be EC");
  std::string crv = str("crv");
  SignatureAlgorithm alg;
  if (crv == "P-256") {
    alg = SignatureAlgorithm::kEs256;
  } else if (crv == "SM2") {
    alg = SignatureAlgorithm::kSm2;
  } else {
    return Status::InvalidField("jwk.crv", "must be P-256 or SM2");
  }
  auto x = Base64UrlDecode(str("x"));
  auto y = Base64UrlDecode(str("y"));
  if (!x.ok() || !y.ok() || x->size() != 32 || y->size() != 32) {
    return Status::InvalidField("jwk", "x and y must be 32 bytes, base64url");
  }
  auto key = crypto::PublicKey::FromRaw(alg, "\x04" + *x + *y);
  if (!key.ok()) return Status::InvalidField("jwk", "not a point on the curve");
  return key;
}

Result<crypto::PublicKey> PublicKeyFromJwkCached(const boost::json::value& jwk) {
  static std::mutex mu;
  static auto* cache = new std::unordered_map<std::string, crypto::PublicKey>();
  // The cache key is the JWK's own members that define the key; anything malformed goes the
  // uncached way (and fails there).
  if (!jwk.is_object()) return PublicKeyFromJwk(jwk);
  const auto& o = jwk.as_object();
  auto member = [&](std::string_view k) -> std::string_view {
    const auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
  };
  if (o.contains("d")) return PublicKeyFromJwk(jwk);
  std::string key = std::string(member("kty")) + "|" + std::string(member("crv")) + "|" +
                    std::string(member("x")) + "|" + std::string(member("y"));
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
  }
  TB_ASSIGN_OR_RETURN(crypto::PublicKey parsed, PublicKeyFromJwk(jwk));
  std::lock_guard<std::mutex> lock(mu);
  if (cache->size() >= 16384) cache->clear();
  cache->emplace(std::move(key), parsed);
  return parsed;
}

Result<std::string> JwkThumbprint(const crypto::PublicKey& key) {
  TB_ASSIGN_OR_RETURN(boost::json::object jwk, PublicKeyToJwk(key));
  // RFC 7638: required members only, lexicographic order, no whitespace.
  std::string canonical = R"({"crv":")" + std::string(jwk["crv"].as_string()) +
                          R"(","kty":"EC","x":")" + std::string(jwk["x"].as_string()) +
                          R"(","y":")" + std::string(jwk["y"].as_string()) + "\"}";
  crypto::Digest d = crypto::Hash(crypto::HashAlgorithm::kSha256, canonical);
  return Base64UrlEncode(std::span<const uint8_t>(d.data(), d.size()));
}

Result<Jws> ParseJws(std::string_view compact, std::string_view field) {
  size_t d1 = compact.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : compact.find('.', d1 + 1);
  if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos) {
    return Status::InvalidField(std::string(field), "is not a compact JWS (three parts)");
  }
  Jws jws;
  TB_ASSIGN_OR_RETURN(jws.header, DecodeJsonPart(compact.substr(0, d1), field, "JWS header"));
  TB_ASSIGN_OR_RETURN(jws.payload,
                      DecodeJsonPart(compact.substr(d1 + 1, d2 - d1 - 1), field, "JWS payload"));
  auto sig = Base64UrlDecode(compact.substr(d2 + 1));
  if (!sig.ok() || sig->size() != crypto::kRawSignatureSize) {
    return Status::InvalidField(std::string(field), "JWS signature is not 64 bytes of base64url");
  }
  jws.signature = std::move(sig).value();
  const auto* alg = jws.header.if_contains("alg");
  if (!alg || !alg->is_string()) {
    return Status::InvalidField(std::string(field), "JWS header has no alg");
  }
  auto parsed = ParseJwsAlg(alg->as_string());
  if (!parsed.ok()) {
    return Status::InvalidField(std::string(field), "JWS alg must be ES256 or SM2");
  }
  jws.alg = *parsed;
  jws.signing_input = std::string(compact.substr(0, d2));
  return jws;
}

bool VerifyJws(const Jws& jws, const crypto::PublicKey& key) {
  return key.algorithm() == jws.alg && key.VerifyRaw(jws.signing_input, jws.signature);
}

Result<std::string> SignJws(boost::json::object header, const boost::json::object& payload,
                            const crypto::PrivateKey& key) {
  TB_ASSIGN_OR_RETURN(std::string alg, JwsAlgName(key.algorithm()));
  header["alg"] = alg;
  std::string input = B64Json(header) + "." + B64Json(payload);
  TB_ASSIGN_OR_RETURN(std::string der, key.Sign(input));
  TB_ASSIGN_OR_RETURN(std::string raw, crypto::DerSignatureToRaw(der));
  return input + "." + Base64UrlEncode(raw);
}

std::string B64Json(const boost::json::value& v) { return Base64UrlEncode(boost::json::serialize(v)); }

}  // namespace tongban::license
