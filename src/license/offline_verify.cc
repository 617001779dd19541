// Offline licence verification; see offline_verify.h.
#include "license/offline_verify.h"

#include "license/jws.h"
#include "license/sd_jwt.h"
#include "license/status_list.h"

namespace tongban::license {

using boost::json::object;
using boost::json::value;

ListStatus StatusFromIssuerList(const TrustedIssuer& issuer, const object& payload) {
  ListStatus out;
  const value* st = payload.if_contains("status");
  if (issuer.status_list_jwt.empty() || !st || !st->is_object()) return out;
  auto list = ParseJws(issuer.status_list_jwt, "status_list_jwt");
  if (!list.ok() || !VerifyJws(*list, issuer.key) || !list->payload.contains("status_list") ||
      !list->payload.at("status_list").is_object()) {
    out.error = "the issuer's status list is not validly signed";
    return out;
  }
  const value* ref = st->as_object().if_contains("status_list");
  const value* lst = list->payload.at("status_list").as_object().if_contains("lst");
  if (!ref || !ref->is_object() || !ref->as_object().contains("idx") || !lst || !lst->is_string()) {
    out.error = "status reference is malformed";
    return out;
  }
  boost::system::error_code ec;
  int64_t idx = ref->as_object().at("idx").to_number<int64_t>(ec);
  auto code = ec ? Result<uint8_t>(Status::InvalidArgument("idx")) : StatusAt(lst->as_string(), idx);
  if (!code.ok()) {
    out.error = "licence is not in the issuer's status list";
    return out;
  }
  out.checked = true;
  out.status = *code == kStatusValid ? "valid" : *code == kStatusSuspended ? "suspended" : "revoked";
  return out;
}

Result<OfflineResult> VerifyLicenseOffline(std::string_view token, const TrustList& trust, int64_t now,
                                           int64_t max_kb_age_seconds) {
  OfflineResult out;
  const TrustedIssuer* issuer = nullptr;
  SdJwtVerifyOptions o;
  o.expected_typ = std::string(kSdJwtVcTyp);
  o.vc_profile = true;
  o.require_key_binding = true;
  o.now = now;
  o.max_kb_age_seconds = max_kb_age_seconds;
  o.issuer_key = [&](const object&, const object& payload) -> Result<crypto::PublicKey> {
    const value* iss = payload.if_contains("iss");
    issuer = iss && iss->is_string() ? trust.Find(iss->as_string()) : nullptr;
    if (!issuer) return Status::Unauthenticated("issuer is not trusted");
    return issuer->key;
  };
  auto v = VerifySdJwt(token, o);
  if (!v.ok()) {
    if (v.status().code() == ErrorCode::kInvalidArgument) return v.status();
    out.status = v.status().code() == ErrorCode::kFailedPrecondition ? "expired" : "invalid";
    out.reason = v.status().message();
    return out;
  }
  out.issuer_name = issuer->name;
  out.payload = v->payload;
  out.disclosed = v->disclosed;
  const value* vct = v->payload.if_contains("vct");
  if (!issuer->vct.empty() &&
      (!vct || !vct->is_string() ||
       std::find(issuer->vct.begin(), issuer->vct.end(), std::string(vct->as_string())) == issuer->vct.end())) {
    out.reason = "issuer is not trusted for this licence type";
    return out;
  }
  ListStatus ls = StatusFromIssuerList(*issuer, v->payload);
  if (!ls.error.empty()) {
    out.reason = ls.error;
    return out;
  }
  out.status_checked = ls.checked;
  if (ls.checked && ls.status != "valid") {
    out.status = ls.status;
    out.reason = "per the issuer's status list";
    return out;
  }
  out.valid = true;
  out.status = "valid";
  if (!out.status_checked) out.reason = "no status list: revocation not checked";
  return out;
}

}  // namespace tongban::license
