// SD-JWT issue / present / verify; see sd_jwt.h. Section numbers refer to RFC 9901.
#include "license/sd_jwt.h"

#include <map>
#include <set>

#include "core/base64.h"
#include "crypto/random.h"
#include "license/jws.h"

namespace tongban::license {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

Status Reject(std::string reason) { return Status::Unauthenticated(std::move(reason)); }

struct Disclosure {
  std::string text;
  std::string salt;
  std::optional<std::string> name;  // absent for array elements
  value value_;
  bool used = false;
};

// §7.1 step 3-4: replaces digests by disclosed claims, recursively.
class Processor {
 public:
  Processor(std::map<std::string, Disclosure>& by_digest, bool vc_profile)
      : by_digest_(by_digest), vc_profile_(vc_profile) {}

  Status Object(object& o, bool top, std::vector<std::string>* disclosed) {
    if (auto* sd = o.if_contains("_sd")) {
      if (!sd->is_array()) return Reject("_sd is not an array");
      array digests = sd->as_array();
      o.erase("_sd");
      for (const value& d : digests) {
        if (!d.is_string()) return Reject("_sd holds a non-string digest");
        std::string digest(d.as_string());
        TB_RETURN_IF_ERROR(NoteDigest(digest));
        auto it = by_digest_.find(digest);
        if (it == by_digest_.end()) continue;  // undisclosed or decoy
        Disclosure& disc = it->second;
        if (!disc.name) return Reject("an array-element disclosure is referenced from _sd");
        const std::string& name = *disc.name;
        if (name == "_sd" || name == "...") return Reject("disclosure with a reserved name");
        if (o.contains(name)) return Reject("disclosure would overwrite claim " + name);
        if (top && vc_profile_ &&
            (name == "iss" || name == "exp" || name == "nbf" || name == "cnf" || name == "vct" ||
             name == "status")) {
          return Reject("claim " + name + " must not be selectively disclosable");
        }
        disc.used = true;
        value v = disc.value_;
        TB_RETURN_IF_ERROR(Value(v));
        o[name] = std::move(v);
        if (top && disclosed) disclosed->push_back(name);
      }
    }
    for (auto& kv : o) TB_RETURN_IF_ERROR(Value(kv.value()));
    return Status::Ok();
  }

  Status Value(value& v) {
    if (v.is_object()) return Object(v.as_object(), false, nullptr);
    if (!v.is_array()) return Status::Ok();
    array& a = v.as_array();
    array out;
    for (value& e : a) {
      if (e.is_object() && e.as_object().size() == 1 && e.as_object().contains("...")) {
        const value& d = e.as_object().at("...");
        if (!d.is_string()) return Reject("array digest is not a string");
        std::string digest(d.as_string());
        TB_RETURN_IF_ERROR(NoteDigest(digest));
        auto it = by_digest_.find(digest);
        if (it == by_digest_.end()) continue;  // not disclosed: the element is removed
        if (it->second.name) return Reject("an object-property disclosure is referenced from an array");
        it->second.used = true;
        value ev = it->second.value_;
        TB_RETURN_IF_ERROR(Value(ev));
        out.push_back(std::move(ev));
        continue;
      }
      TB_RETURN_IF_ERROR(Value(e));
      out.push_back(std::move(e));
    }
    a = std::move(out);
    return Status::Ok();
  }

 private:
  Status NoteDigest(const std::string& digest) {
    if (!seen_.insert(digest).second) return Reject("a digest appears more than once");
    return Status::Ok();
  }
  std::map<std::string, Disclosure>& by_digest_;
  std::set<std::string> seen_;
  bool vc_profile_;
};

Result<Disclosure> DecodeDisclosure(const std::string& text) {
  auto bytes = Base64UrlDecode(text);
  if (!bytes.ok()) return Status::InvalidField("token", "a disclosure is not base64url");
  boost::system::error_code ec;
  value v = boost::json::parse(*bytes, ec);
  if (ec || !v.is_array()) return Status::InvalidField("token", "a disclosure is not a JSON array");
  array& a = v.as_array();
  Disclosure d;
  d.text = text;
  if ((a.size() != 2 && a.size() != 3) || !a[0].is_string()) {
    return Status::InvalidField("token", "a disclosure must be [salt, name, value] or [salt, value]");
  }
  d.salt = std::string(a[0].as_string());
  if (a.size() == 3) {
    if (!a[1].is_string()) return Status::InvalidField("token", "a disclosure's claim name is not a string");
    d.name = std::string(a[1].as_string());
    d.value_ = std::move(a[2]);
  } else {
    d.value_ = std::move(a[1]);
  }
  return d;
}

std::optional<int64_t> IntClaim(const object& o, std::string_view name) {
  const value* v = o.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return std::nullopt;
}

}  // namespace

Result<SdJwtParts> SplitSdJwt(std::string_view text) {
  size_t first = text.find('~');
  if (text.empty() || first == std::string_view::npos) {
    return Status::InvalidField("token", "is not an SD-JWT (no '~')");
  }
  SdJwtParts parts;
  parts.issuer_jwt = std::string(text.substr(0, first));
  size_t last = text.rfind('~');
  parts.without_kb = std::string(text.substr(0, last + 1));
  parts.kb_jwt = std::string(text.substr(last + 1));
  size_t pos = first + 1;
  while (pos <= last) {
    size_t next = text.find('~', pos);
    if (next == std::string_view::npos || next > last) break;
    std::string_view d = text.substr(pos, next - pos);
    if (d.empty()) return Status::InvalidField("token", "has an empty disclosure");
    parts.disclosures.emplace_back(d);
    pos = next + 1;
  }
  if (parts.issuer_jwt.empty()) return Status::InvalidField("token", "has no issuer JWT");
  return parts;
}

Result<crypto::HashAlgorithm> ParseSdAlg(std::string_view name) {
  if (name == "sha-256") return crypto::HashAlgorithm::kSha256;
  if (name == "sm3") return crypto::HashAlgorithm::kSm3;
  return Status::InvalidField("_sd_alg", "must be sha-256 or sm3");
}

std::string_view SdAlgName(crypto::HashAlgorithm alg) {
  return alg == crypto::HashAlgorithm::kSm3 ? "sm3" : "sha-256";
}

std::string DisclosureDigest(crypto::HashAlgorithm alg, std::string_view disclosure) {
  crypto::Digest d = crypto::Hash(alg, disclosure);
  return Base64UrlEncode(std::span<const uint8_t>(d.data(), d.size()));
}

Result<std::string> IssueSdJwt(const SdJwtIssue& issue, const crypto::PrivateKey& issuer_key,
                               const std::function<std::string()>& salt) {
  object payload = issue.claims;
  std::vector<std::string> disclosures;
  array digests;
  for (const auto& [name, v] : issue.disclosable) {
    if (payload.contains(name) || name == "_sd" || name == "..." || name == "_sd_alg") {
      return Status::InvalidArgument("claim " + name + " cannot be selectively disclosable");
    }
    std::string d = Base64UrlEncode(boost::json::serialize(array{value(salt()), value(name), v}));
    digests.push_back(value(DisclosureDigest(issue.sd_alg, d)));
    disclosures.push_back(std::move(d));
  }
  for (int i = 0; i < issue.decoys; ++i) {
    digests.push_back(value(DisclosureDigest(issue.sd_alg, crypto::RandomBytes(16))));
  }
  // §4.2.4.1: digests in _sd are sorted so their order reveals nothing of the claims'.
  std::sort(digests.begin(), digests.end(), [](const value& a, const value& b) {
    return a.as_string() < b.as_string();
  });
  if (!digests.empty()) payload["_sd"] = std::move(digests);
  payload["_sd_alg"] = SdAlgName(issue.sd_alg);
  TB_ASSIGN_OR_RETURN(std::string jwt, SignJws(issue.header, payload, issuer_key));
  std::string out = jwt + "~";
  for (const auto& d : disclosures) out += d + "~";
  return out;
}

Result<std::string> PresentSdJwt(std::string_view issuance, const std::vector<std::string>& disclose,
                                 const KeyBindingInput& kb) {
  TB_ASSIGN_OR_RETURN(SdJwtParts parts, SplitSdJwt(issuance));
  if (!parts.kb_jwt.empty()) return Status::InvalidArgument("an issuance has no KB-JWT");
  TB_ASSIGN_OR_RETURN(Jws jwt, ParseJws(parts.issuer_jwt));
  crypto::HashAlgorithm alg = crypto::HashAlgorithm::kSha256;
  if (const value* a = jwt.payload.if_contains("_sd_alg"); a && a->is_string()) {
    TB_ASSIGN_OR_RETURN(alg, ParseSdAlg(a->as_string()));
  }
  std::string out = parts.issuer_jwt + "~";
  for (const std::string& d : parts.disclosures) {
    TB_ASSIGN_OR_RETURN(Disclosure disc, DecodeDisclosure(d));
    if (disc.name && std::find(disclose.begin(), disclose.end(), *disc.name) != disclose.end()) {
      out += d + "~";
    }
  }
  if (kb.holder_key == nullptr) return out;
  object kb_payload{{"iat", kb.iat},
                    {"aud", kb.aud},
                    {"nonce", kb.nonce},
                    {"sd_hash", DisclosureDigest(alg, out)}};
  TB_ASSIGN_OR_RETURN(std::string kb_jwt,
                      SignJws(object{{"typ", "kb+jwt"}}, kb_payload, *kb.holder_key));
  return out + kb_jwt;
}

Result<SdJwtVerified> VerifySdJwt(std::string_view text, const SdJwtVerifyOptions& options) {
  TB_ASSIGN_OR_RETURN(SdJwtParts parts, SplitSdJwt(text));
  TB_ASSIGN_OR_RETURN(Jws jwt, ParseJws(parts.issuer_jwt));
  std::vector<Disclosure> decoded;
  for (const auto& d : parts.disclosures) {
    TB_ASSIGN_OR_RETURN(Disclosure disc, DecodeDisclosure(d));
    decoded.push_back(std::move(disc));
  }
  std::optional<Jws> kb;
  if (!parts.kb_jwt.empty()) {
    TB_ASSIGN_OR_RETURN(kb, ParseJws(parts.kb_jwt));
  }

  // §7.1 step 2: the issuer's signature, by a key the caller trusts.
  if (!options.expected_typ.empty()) {
    const value* typ = jwt.header.if_contains("typ");
    if (!typ || !typ->is_string() || typ->as_string() != options.expected_typ) {
      return Reject("issuer JWT typ is not " + options.expected_typ);
    }
  }
  if (!options.issuer_key) return Status::Internal("no issuer key resolver");
  TB_ASSIGN_OR_RETURN(crypto::PublicKey issuer_key, options.issuer_key(jwt.header, jwt.payload));
  if (!VerifyJws(jwt, issuer_key)) return Reject("issuer signature is not valid");

  crypto::HashAlgorithm alg = crypto::HashAlgorithm::kSha256;
  if (const value* a = jwt.payload.if_contains("_sd_alg")) {
    if (!a->is_string()) return Reject("_sd_alg is not a string");
    auto parsed = ParseSdAlg(a->as_string());
    if (!parsed.ok()) return Reject("_sd_alg is not supported");
    alg = *parsed;
  }

  // §7.1 step 3: digests of the disclosures as sent; the same disclosure twice is refused.
  std::map<std::string, Disclosure> by_digest;
  for (auto& d : decoded) {
    std::string digest = DisclosureDigest(alg, d.text);
    if (!by_digest.emplace(digest, std::move(d)).second) return Reject("a disclosure is repeated");
  }
  SdJwtVerified out;
  out.header = jwt.header;
  out.payload = jwt.payload;
  Processor processor(by_digest, options.vc_profile);
  TB_RETURN_IF_ERROR(processor.Object(out.payload, true, &out.disclosed));
  for (const auto& [digest, d] : by_digest) {
    if (!d.used) return Reject("a disclosure is not referenced by the issuer JWT");
  }
  out.payload.erase("_sd_alg");

  // §7.1 step 5: time claims.
  if (options.now) {
    if (auto exp = IntClaim(out.payload, "exp"); exp && *options.now >= *exp) {
      return Status::FailedPrecondition("expired");
    }
    if (auto nbf = IntClaim(out.payload, "nbf"); nbf && *options.now + options.clock_skew_seconds < *nbf) {
      return Status::FailedPrecondition("not yet valid");
    }
  }

  // §7.3: key binding.
  if (!kb) {
    if (options.require_key_binding) return Reject("key binding JWT is missing");
    return out;
  }
  const value* cnf = out.payload.if_contains("cnf");
  if (!cnf || !cnf->is_object() || !cnf->as_object().contains("jwk")) {
    return Reject("KB-JWT present but the issuer JWT has no cnf.jwk");
  }
  auto holder_key = PublicKeyFromJwkCached(cnf->as_object().at("jwk"));
  if (!holder_key.ok()) return Reject("cnf.jwk is not a usable key");
  const value* typ = kb->header.if_contains("typ");
  if (!typ || !typ->is_string() || typ->as_string() != "kb+jwt") return Reject("KB-JWT typ is not kb+jwt");
  if (!VerifyJws(*kb, *holder_key)) return Reject("key binding signature is not valid");
  const object& kp = kb->payload;
  const value* sd_hash = kp.if_contains("sd_hash");
  if (!sd_hash || !sd_hash->is_string() || sd_hash->as_string() != DisclosureDigest(alg, parts.without_kb)) {
    return Reject("KB-JWT sd_hash does not match the presentation");
  }
  auto str = [&](std::string_view k) -> std::optional<std::string> {
    const value* v = kp.if_contains(k);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
  };
  auto nonce = str("nonce");
  auto aud = str("aud");
  auto iat = IntClaim(kp, "iat");
  if (!nonce || !aud || !iat) return Reject("KB-JWT lacks nonce, aud or iat");
  if (options.expected_nonce && *nonce != *options.expected_nonce) return Reject("KB-JWT nonce is wrong");
  if (options.expected_aud && *aud != *options.expected_aud) return Reject("KB-JWT aud is wrong");
  if (options.now) {
    if (*iat > *options.now + options.clock_skew_seconds) return Reject("KB-JWT iat is in the future");
    if (*iat < *options.now - options.max_kb_age_seconds) return Reject("KB-JWT is too old");
  }
  out.kb_payload = kp;
  return out;
}

}  // namespace tongban::license
