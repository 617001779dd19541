// The life of an e-licence; see license_service.h and docs/license.md. Holder authorisation is in
// authorisation.cc.
#include "license/license_service.h"

#include <algorithm>

#include "core/base64.h"
#include "core/citizen_id.h"
#include "core/uscc.h"
#include "crypto/random.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "license/jws.h"
#include "license/license_id.h"
#include "license/offline_verify.h"
#include "license/status_list.h"
#include "notify/outbox.h"

namespace tongban::license {
namespace {

using boost::json::object;
using boost::json::value;

std::string RandomB64(size_t bytes) { return Base64UrlEncode(crypto::RandomBytes(bytes)); }

bool ValidDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  CivilDate d{std::stoi(std::string(s.substr(0, 4))), std::stoi(std::string(s.substr(5, 2))),
              std::stoi(std::string(s.substr(8, 2)))};
  return d.IsValid();
}

// `years` calendar years after `t` (29 Feb goes to 28 Feb), at the same time of day.
int64_t AddYears(int64_t t, int years) {
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  CivilDate d = CivilFromDays(days);
  d.year += years;
  if (!d.IsValid()) d.day = 28;
  return DaysFromCivil(d) * 86400 + secs;
}

std::string_view ActionName(LicenseService::Action a) {
  switch (a) {
    case LicenseService::Action::kSuspend: return "suspend";
    case LicenseService::Action::kResume: return "resume";
    case LicenseService::Action::kRevoke: return "revoke";
  }
  return "";
}

}  // namespace

LicenseService::LicenseService(store::Database& db, const Clock& clock, LicenseServiceOptions options)
    : db_(db), clock_(clock), options_(std::move(options)) {
  catalogue_ = options_.catalogue ? options_.catalogue : &Catalogue::Builtin();
}

Result<std::unique_ptr<LicenseService>> LicenseService::Create(store::Database& db, const Clock& clock,
                                                               LicenseServiceOptions options) {
  if (!options.issuer_key || options.issuer_url.empty() || !options.subject_hash) {
    return Status::InvalidArgument("licence service needs an issuer key, URL and subject hash");
  }
  TB_RETURN_IF_ERROR(JwsAlgName(options.issuer_key->algorithm()).status());
  std::unique_ptr<LicenseService> s(new LicenseService(db, clock, std::move(options)));
  TB_ASSIGN_OR_RETURN(s->kid_, JwkThumbprint(s->options_.issuer_key->public_key()));
  return s;
}

int64_t LicenseService::NowSeconds() const {
  int64_t us = clock_.NowUnixMicros();
  return us >= 0 ? us / 1'000'000 : -((-us + 999'999) / 1'000'000);
}

std::string LicenseService::Vct(std::string_view type_code) {
  return "urn:tongban:license:" + std::string(type_code);
}

object LicenseService::IssuerJwk() const {
  auto jwk = PublicKeyToJwk(options_.issuer_key->public_key());
  object o = jwk.ok() ? *jwk : object{};
  o["kid"] = kid_;
  o["alg"] = options_.issuer_key->algorithm() == crypto::SignatureAlgorithm::kEs256 ? "ES256" : "SM2";
  return o;
}

Result<std::string> LicenseService::ValidateFields(const LicenseType& type,
                                                   const IssueRequest& request) const {
  for (const auto& kv : request.fields) {
    if (type.Field(kv.key()) == nullptr) {
      return Status::InvalidField("/fields/" + std::string(kv.key()), "is not a field of " + type.code);
    }
  }
  object canonical;  // catalogue order, so the same licence always has the same document
  for (const FieldSpec& f : type.fields) {
    std::string where = "/fields/" + f.name;
    const value* v = request.fields.if_contains(f.name);
    if (v == nullptr || v->is_null()) {
      if (f.required) return Status::InvalidField(where, "is required");
      continue;
    }
    if (f.kind == FieldKind::kInteger) {
      if (!v->is_int64()) return Status::InvalidField(where, "must be an integer");
      canonical[f.name] = v->as_int64();
      continue;
    }
    if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 400) {
      return Status::InvalidField(where, "must be a non-empty string of at most 400 bytes");
    }
    std::string s(v->as_string());
    switch (f.kind) {
      case FieldKind::kDate:
        if (!ValidDate(s)) return Status::InvalidField(where, "must be a date YYYY-MM-DD");
        break;
      case FieldKind::kCitizenId:
        TB_RETURN_IF_ERROR(CitizenId::Parse(s, clock_, where).status());
        break;
      case FieldKind::kUscc:
        TB_RETURN_IF_ERROR(Uscc::Parse(s, where).status());
        break;
      default:
        break;
    }
    // The holder's own identifier field must name the holder.
    if ((f.name == "id_number" || f.name == "uscc") && s != request.holder_subject) {
      return Status::InvalidField(where, "must be the holder's own identifier");
    }
    canonical[f.name] = s;
  }
  return boost::json::serialize(canonical);
}

// Writes the event document and enqueues its ledger entry, inside the caller's transaction.
uint64_t LicenseService::LedgerHint() {
  uint64_t size = 0;
  Status s = db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(ledger::LogState state, ledger::ReadLogState(tx));
    size = state.size;
    return Status::Ok();
  });
  return s.ok() ? size : 0;
}

Status LicenseService::Record(store::Tx& tx, const License& l, std::string_view action, object extra,
                              uint64_t ledger_hint) {
  int64_t now_us = clock_.NowUnixMicros();
  object doc{{"action", action},
             {"license_id", l.id},
             {"type", l.type},
             {"issuer", l.issuer},
             {"status", LicenseStatusName(l.status)},
             {"fields_hash", crypto::ToHex(crypto::Hash(options_.ledger_hash, l.fields_json))},
             {"expires_at", l.expires_at},
             {"time", now_us}};
  for (auto& kv : extra) doc[kv.key()] = kv.value();
  std::string text = boost::json::serialize(doc);
  TB_RETURN_IF_ERROR(LicenseRepo::InsertEvent(tx, l.id, action, text, now_us / 1'000'000, ledger_hint));
  return ledger::EnqueueEntry(tx, ledger::DocumentEntry("license." + std::string(action),
                                                       options_.subject_hash(l.holder_subject), options_.ledger_hash,
                                                       text, now_us))
      .status();
}

Result<const LicenseType*> LicenseService::CheckIssue(const IssueRequest& request, std::string_view department_key) {
  const LicenseType* type = catalogue_->Type(request.type);
  if (type == nullptr) return Status::InvalidField("/type", "is not a licence type of the catalogue");
  if (type->issuer != department_key) {
    return Status::PermissionDenied("this department does not issue " + type->code);
  }
  if (type->holder == HolderKind::kPerson) {
    TB_RETURN_IF_ERROR(CitizenId::Parse(request.holder_subject, clock_, "/holder").status());
  } else {
    TB_RETURN_IF_ERROR(Uscc::Parse(request.holder_subject, "/holder").status());
  }
  return type;
}

Result<License> LicenseService::Issue(const IssueRequest& request, std::string_view department_key) {
  License l;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(l, IssueIn(tx, request, department_key));
    return Status::Ok();
  }));
  return l;
}

Result<License> LicenseService::IssueIn(store::Tx& tx, const IssueRequest& request, std::string_view department_key) {
  TB_ASSIGN_OR_RETURN(const LicenseType* type, CheckIssue(request, department_key));
  TB_ASSIGN_OR_RETURN(std::string fields, ValidateFields(*type, request));
  for (size_t i = 0; i < request.guardians.size(); ++i) {
    const std::string at = "/guardians/" + std::to_string(i);
    if (type->holder != HolderKind::kPerson) return Status::InvalidField(at, "only a person's licence has guardians");
    TB_RETURN_IF_ERROR(CitizenId::Parse(request.guardians[i], clock_, at).status());
    if (request.guardians[i] == request.holder_subject) return Status::InvalidField(at, "is the holder");
  }
  const int64_t now = NowSeconds();
  if (request.expires_at && *request.expires_at <= now) return Status::InvalidField("/expires_at", "must be in the future");
  const Department* dept = catalogue_->DepartmentByKey(type->issuer);
  // The log's size in this transaction's snapshot: a lower bound for the entry's leaf index.
  TB_ASSIGN_OR_RETURN(const uint64_t hint, ledger::LogSizeHint(tx));
  License l;
  TB_ASSIGN_OR_RETURN(l.serial, LicenseRepo::NextSerial(tx, dept->key, type->code));
  TB_ASSIGN_OR_RETURN(l.status_index, LicenseRepo::NextStatusIndex(tx));
  TB_ASSIGN_OR_RETURN(LicenseId id, LicenseId::Make(type->type_code, dept->uscc, l.serial, 1));
  l.id = id.text();
  l.type = type->code;
  l.issuer = dept->key;
  l.holder_subject = request.holder_subject;
  l.fields_json = fields;
  l.issued_at = now;
  l.expires_at = request.expires_at.value_or(type->validity_years ? AddYears(now, type->validity_years) : 0);
  TB_RETURN_IF_ERROR(LicenseRepo::Insert(tx, l));
  for (const std::string& g : request.guardians) TB_RETURN_IF_ERROR(LicenseRepo::AddGuardian(tx, l.id, g));
  TB_RETURN_IF_ERROR(Record(tx, l, "issue", {}, hint));
  return l;
}

Result<License> LicenseService::ChangeStatus(std::string_view id, Action action, std::string_view reason,
                                             std::string_view department_key) {
  License l;
  const uint64_t hint = LedgerHint();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, LicenseRepo::Get(tx, id));
    // Another department's licence answers as a missing one (issue 15: ids are not counted).
    if (!found || found->issuer != department_key) return Status::NotFound("licence", id);
    l = *found;
    LicenseStatus current = l.EffectiveStatus(NowSeconds());
    LicenseStatus to;
    switch (action) {
      case Action::kSuspend:
        if (current != LicenseStatus::kValid) return Status::FailedPrecondition("only a valid licence can be suspended");
        to = LicenseStatus::kSuspended;
        break;
      case Action::kResume:
        if (current != LicenseStatus::kSuspended) return Status::FailedPrecondition("only a suspended licence can be resumed");
        to = LicenseStatus::kValid;
        break;
      case Action::kRevoke:
        if (current != LicenseStatus::kValid && current != LicenseStatus::kSuspended) {
          return Status::FailedPrecondition("licence is already " + std::string(LicenseStatusName(current)));
        }
        to = LicenseStatus::kRevoked;
        break;
    }
    TB_ASSIGN_OR_RETURN(int64_t n, LicenseRepo::UpdateStatus(tx, l.id, l.status, to, reason, "", NowSeconds()));
    if (n != 1) return Status::Conflict("licence changed concurrently; retry");
    l.status = to;
    l.status_reason = std::string(reason);
    return Record(tx, l, ActionName(action), object{{"reason", reason}}, hint);
  }));
  return l;
}

Result<License> LicenseService::Renew(std::string_view id, std::optional<int64_t> expires_at,
                                      std::string_view department_key) {
  License renewed;
  int64_t now = NowSeconds();
  if (expires_at && *expires_at <= now) return Status::InvalidField("/expires_at", "must be in the future");
  const uint64_t hint = LedgerHint();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, LicenseRepo::Get(tx, id));
    if (!found || found->issuer != department_key) return Status::NotFound("licence", id);
    License old = *found;
    if (old.status != LicenseStatus::kValid && old.status != LicenseStatus::kExpired) {
      return Status::FailedPrecondition("only a valid or expired licence can be renewed");
    }
    if (old.version >= 99) return Status::FailedPrecondition("licence has reached version 99");
    const LicenseType* type = catalogue_->Type(old.type);
    const Department* dept = catalogue_->DepartmentByKey(old.issuer);
    if (!type || !dept) return Status::DataLoss("licence type no longer in the catalogue");
    TB_ASSIGN_OR_RETURN(LicenseId nid, LicenseId::Make(type->type_code, dept->uscc, old.serial, old.version + 1));
    renewed = old;
    renewed.id = nid.text();
    renewed.version = old.version + 1;
    renewed.status = LicenseStatus::kValid;
    renewed.status_reason.clear();
    renewed.replaced_by.clear();
    renewed.issued_at = now;
    renewed.expires_at = expires_at.value_or(type->validity_years ? AddYears(now, type->validity_years) : 0);
    TB_ASSIGN_OR_RETURN(renewed.status_index, LicenseRepo::NextStatusIndex(tx));
    TB_ASSIGN_OR_RETURN(int64_t n, LicenseRepo::UpdateStatus(tx, old.id, old.status, LicenseStatus::kSuperseded,
                                                             "renewed", renewed.id, now));
    if (n != 1) return Status::Conflict("licence changed concurrently; retry");
    TB_RETURN_IF_ERROR(LicenseRepo::Insert(tx, renewed));
    return Record(tx, renewed, "renew", object{{"previous", old.id}}, hint);
  }));
  return renewed;
}

Result<int64_t> LicenseService::ExpireDue(int64_t limit) {
  int64_t count = 0;
  int64_t now = NowSeconds();
  const uint64_t hint = LedgerHint();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    count = 0;
    TB_ASSIGN_OR_RETURN(auto due, LicenseRepo::DueForExpiry(tx, now, limit));
    for (License& l : due) {
      TB_ASSIGN_OR_RETURN(int64_t n, LicenseRepo::UpdateStatus(tx, l.id, LicenseStatus::kValid,
                                                               LicenseStatus::kExpired, "expired", "", now));
      if (n != 1) continue;
      l.status = LicenseStatus::kExpired;
      TB_RETURN_IF_ERROR(Record(tx, l, "expire", {}, hint));
      ++count;
    }
    return Status::Ok();
  }));
  return count;
}

Status LicenseService::TellVerified(store::Tx& tx, const VerificationRecord& v, int64_t id) {
  if (!options_.notify_holders) return Status::Ok();
  const LicenseType* type = catalogue_->Type(v.license_type);
  return notify::Enqueue(tx,
                         {.event_id = "license.verified:" + std::to_string(id),
                          .recipient = v.holder_subject,
                          .template_id = "license.verified",
                          .vars = {{"license", type != nullptr ? type->name_zh : v.license_type},
                                   {"verifier", v.verifier_name},
                                   {"purpose", v.purpose.empty() ? "未说明 (not stated)" : v.purpose}}},
                         v.time);
}

Result<int64_t> LicenseService::NotifyExpiring(int64_t days, int64_t limit) {
  if (!options_.notify_holders) return 0;
  int64_t count = 0;
  const int64_t now = NowSeconds();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    count = 0;
    TB_ASSIGN_OR_RETURN(auto due, LicenseRepo::ExpiringWithin(tx, now, now + days * 86400, limit));
    for (const License& l : due) {
      const LicenseType* type = catalogue_->Type(l.type);
      const std::string date = ChinaDate(FromUnixMicros(l.expires_at * 1'000'000)).ToString();
      TB_RETURN_IF_ERROR(notify::Enqueue(tx,
                                         {.event_id = "license.expiring:" + l.id + ":" + date,
                                          .recipient = l.holder_subject,
                                          .template_id = "license.expiring",
                                          .vars = {{"license", type != nullptr ? type->name_zh : l.type},
                                                   {"expires", date}}},
                                         now));
      ++count;
    }
    return Status::Ok();
  }));
  return count;
}

Result<int64_t> LicenseService::PurgePresentations() {
  int64_t n = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(n, LicenseRepo::PurgePresentations(tx, NowSeconds() - 86400));
    return Status::Ok();
  }));
  return n;
}

Result<License> LicenseService::Get(std::string_view id) {
  std::optional<License> l;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(l, LicenseRepo::Get(tx, id));
    return Status::Ok();
  }));
  if (!l) return Status::NotFound("licence", id);
  return *l;
}

Result<std::vector<License>> LicenseService::Wallet(std::string_view holder_subject) {
  std::vector<License> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, LicenseRepo::ByHolder(tx, holder_subject));
    TB_ASSIGN_OR_RETURN(auto wards, LicenseRepo::ByGuardian(tx, holder_subject));
    for (License& l : wards) out.push_back(std::move(l));
    return Status::Ok();
  }));
  return out;
}

Result<crypto::PrivateKey> LicenseService::HolderKey(store::Tx& tx, std::string_view holder) {
  crypto::SignatureAlgorithm alg = options_.issuer_key->algorithm();
  std::string alg_name(crypto::SignatureAlgorithmName(alg));
  TB_ASSIGN_OR_RETURN(auto pem, LicenseRepo::HolderKey(tx, holder, alg_name));
  if (pem) return crypto::PrivateKey::FromPem(alg, *pem);
  // Custodial key, made at the holder's first presentation (docs/license.md "Holder keys").
  TB_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(alg));
  TB_RETURN_IF_ERROR(LicenseRepo::InsertHolderKey(tx, holder, alg_name, key.ToPem(), NowSeconds()));
  return key;
}

Result<std::string> LicenseService::Credential(store::Tx& tx, const License& l,
                                               const crypto::PublicKey& holder) {
  TB_ASSIGN_OR_RETURN(std::string cached, LicenseRepo::Credential(tx, l.id));
  if (!cached.empty()) return cached;
  const LicenseType* type = catalogue_->Type(l.type);
  const Department* dept = catalogue_->DepartmentByKey(l.issuer);
  if (!type || !dept) return Status::DataLoss("licence type no longer in the catalogue");
  TB_ASSIGN_OR_RETURN(object jwk, PublicKeyToJwk(holder));
  SdJwtIssue issue;
  issue.header = object{{"typ", kSdJwtVcTyp}, {"kid", kid_}};
  issue.claims = object{{"iss", options_.issuer_url},
                        {"iat", l.issued_at},
                        {"vct", Vct(l.type)},
                        {"license_id", l.id},
                        {"issuing_authority", dept->name_zh},
                        {"cnf", object{{"jwk", jwk}}},
                        {"status", object{{"status_list", object{{"idx", l.status_index},
                                                                 {"uri", StatusListUri()}}}}}};
  if (l.expires_at != 0) issue.claims["exp"] = l.expires_at;
  issue.sd_alg = options_.issuer_key->algorithm() == crypto::SignatureAlgorithm::kSm2
                     ? crypto::HashAlgorithm::kSm3
                     : crypto::HashAlgorithm::kSha256;
  boost::system::error_code ec;
  value fields = boost::json::parse(l.fields_json, ec);
  if (ec || !fields.is_object()) return Status::DataLoss("licence fields are not JSON");
  for (const auto& kv : fields.as_object()) issue.disclosable.emplace_back(std::string(kv.key()), kv.value());
  TB_ASSIGN_OR_RETURN(std::string credential,
                      IssueSdJwt(issue, *options_.issuer_key, [] { return RandomB64(16); }));
  TB_RETURN_IF_ERROR(LicenseRepo::SetCredential(tx, l.id, credential));
  return credential;
}

Result<PresentResult> LicenseService::Present(const PresentRequest& request) {
  if (request.verifier.size() > 200 || request.purpose.size() > 200) {
    return Status::InvalidField(request.verifier.size() > 200 ? "/verifier" : "/purpose",
                                "must be at most 200 bytes");
  }
  PresentResult out;
  int64_t now = NowSeconds();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, LicenseRepo::Get(tx, request.license_id));
    // Another holder's licence answers as a missing one.
    if (!found || found->holder_subject != request.holder_subject) {
      return Status::NotFound("licence", request.license_id);
    }
    const License& l = *found;
    LicenseStatus st = l.EffectiveStatus(now);
    if (st != LicenseStatus::kValid) {
      return Status::FailedPrecondition("licence is " + std::string(LicenseStatusName(st)));
    }
    const LicenseType* type = catalogue_->Type(l.type);
    if (!type) return Status::DataLoss("licence type no longer in the catalogue");
    for (size_t i = 0; i < request.disclose.size(); ++i) {
      if (type->Field(request.disclose[i]) == nullptr) {
        return Status::InvalidField("/disclose/" + std::to_string(i), "is not a field of " + type->code);
      }
    }
    TB_ASSIGN_OR_RETURN(crypto::PrivateKey holder, HolderKey(tx, l.holder_subject));
    TB_ASSIGN_OR_RETURN(std::string credential, Credential(tx, l, holder.public_key()));
    Presentation p;
    p.nonce = RandomB64(16);
    p.license_id = l.id;
    p.holder_subject = l.holder_subject;
    p.verifier = request.verifier;
    p.purpose = request.purpose;
    p.created_at = now;
    p.expires_at = now + options_.presentation_ttl_seconds;
    KeyBindingInput kb{&holder, p.nonce, request.verifier.empty() ? options_.issuer_url : request.verifier, now};
    TB_ASSIGN_OR_RETURN(p.token, PresentSdJwt(credential, request.disclose, kb));
    if (p.token.size() > options_.max_qr_token_bytes) p.reference = "TBL1." + RandomB64(16);
    TB_RETURN_IF_ERROR(LicenseRepo::InsertPresentation(tx, p));
    TB_RETURN_IF_ERROR(Record(tx, l, "present",
                              object{{"nonce_hash", crypto::ToHex(crypto::Hash(options_.ledger_hash, p.nonce))},
                                     {"disclosed", boost::json::value_from(request.disclose)}}));
    out.token = p.token;
    out.reference = p.reference;
    out.qr_text = p.reference.empty() ? p.token : p.reference;
    out.expires_at = p.expires_at;
    return Status::Ok();
  }));
  return out;
}

Result<VerifyResult> LicenseService::Verify(const VerifyRequest& request) {
  int64_t now = NowSeconds();
  VerifyResult result;
  std::string token = request.token;
  if (token.empty()) {
    if (!request.reference.starts_with("TBL1.") || request.reference.size() > 64) {
      return Status::InvalidField("/reference", "must be a TBL1. reference");
    }
    std::optional<Presentation> p;
    TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(p, LicenseRepo::PresentationByReference(tx, request.reference));
      return Status::Ok();
    }));
    if (!p) {
      result.reason = "unknown reference";
      return result;
    }
    token = p->token;
  }
  if (token.size() > 64 * 1024) return Status::InvalidField("/token", "is too long");
  TB_ASSIGN_OR_RETURN(SdJwtParts parts, SplitSdJwt(token));  // not an SD-JWT at all: 400
  TB_RETURN_IF_ERROR(ParseJws(parts.issuer_jwt, "/token").status());

  const TrustedIssuer* foreign = nullptr;
  SdJwtVerifyOptions vo;
  vo.expected_typ = std::string(kSdJwtVcTyp);
  vo.vc_profile = true;
  vo.require_key_binding = true;
  vo.now = now;
  vo.max_kb_age_seconds = options_.presentation_ttl_seconds;
  vo.issuer_key = [&](const object&, const object& payload) -> Result<crypto::PublicKey> {
    const value* iss = payload.if_contains("iss");
    if (!iss || !iss->is_string()) return Status::Unauthenticated("credential has no iss");
    if (iss->as_string() == options_.issuer_url) return options_.issuer_key->public_key();
    foreign = options_.trust_list.Find(iss->as_string());
    if (!foreign) return Status::Unauthenticated("issuer is not trusted");
    return foreign->key;
  };
  auto verified = VerifySdJwt(token, vo);
  if (!verified.ok()) {
    if (verified.status().code() == ErrorCode::kInvalidArgument) return verified.status();
    result.status = verified.status().code() == ErrorCode::kFailedPrecondition ? "expired" : "invalid";
    result.reason = verified.status().message();
    if (verified.status().code() == ErrorCode::kFailedPrecondition && foreign == nullptr) {
      // exp/nbf are checked after the issuer signature: the payload is ours and authentic, so
      // the attempt goes into the holder's log like any other verification.
      auto jwt = ParseJws(parts.issuer_jwt);
      const value* id = jwt.ok() ? jwt->payload.if_contains("license_id") : nullptr;
      if (id && id->is_string()) {
        result.license_id = std::string(id->as_string());
        TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
          TB_ASSIGN_OR_RETURN(auto l, LicenseRepo::Get(tx, result.license_id));
          if (!l) return Status::Ok();
          if (const Department* d = catalogue_->DepartmentByKey(l->issuer)) result.issuer_name = d->name_zh;
          if (const LicenseType* t = catalogue_->Type(l->type)) {
            result.type = t->code;
            result.type_name_zh = t->name_zh;
            result.type_name_en = t->name_en;
          }
          result.expires_at = l->expires_at;
          TB_ASSIGN_OR_RETURN(result.verification_id,
                              LicenseRepo::InsertVerification(
                                  tx, VerificationRecord{0, l->id, l->type, l->holder_subject,
                                                         request.verifier_name, request.verifier_account,
                                                         request.purpose, result.status, result.reason,
                                                         now, ""}));
          return Record(tx, *l, "verify", object{{"result", result.status}});
        }));
      }
    }
    return result;
  }
  const object& payload = verified->payload;
  auto str = [&](std::string_view k) {
    const value* v = payload.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  result.license_id = str("license_id");
  std::string vct = str("vct");
  std::string type_code = vct.starts_with("urn:tongban:license:") ? vct.substr(20) : "";
  if (const LicenseType* t = catalogue_->Type(type_code)) {
    result.type = t->code;
    result.type_name_zh = t->name_zh;
    result.type_name_en = t->name_en;
    for (const std::string& name : verified->disclosed) {
      if (t->Field(name)) result.disclosed[name] = payload.at(name);
    }
  }
  if (const value* exp = payload.if_contains("exp"); exp && exp->is_int64()) result.expires_at = exp->as_int64();
  if (foreign) return VerifyForeign(*foreign, *verified, std::move(result), request);

  std::string nonce(verified->kb_payload->at("nonce").as_string());
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    VerifyResult r = result;
    TB_ASSIGN_OR_RETURN(auto found, LicenseRepo::Get(tx, r.license_id));
    if (!found) {
      r.status = "invalid";
      r.reason = "unknown licence";
      result = r;
      return Status::Ok();
    }
    const License& l = *found;
    if (const Department* d = catalogue_->DepartmentByKey(l.issuer)) r.issuer_name = d->name_zh;
    if (l.type != type_code) {
      r.status = "invalid";
      r.reason = "vct does not match the licence";
    } else {
      TB_ASSIGN_OR_RETURN(auto p, LicenseRepo::PresentationByNonce(tx, nonce));
      LicenseStatus st = l.EffectiveStatus(now);
      if (!p || p->license_id != l.id) {
        r.status = "invalid";
        r.reason = "unknown presentation nonce";
      } else if (now > p->expires_at) {
        r.status = "invalid";
        r.reason = "presentation expired";
      } else if (p->verified_at) {
        r.status = "invalid";
        r.reason = "replay: this presentation was already verified";
      } else if (st != LicenseStatus::kValid) {
        r.status = st == LicenseStatus::kSuperseded ? "revoked" : std::string(LicenseStatusName(st));
        r.reason = st == LicenseStatus::kSuperseded ? "superseded by a renewal" : "licence is " + r.status;
        if (!l.status_reason.empty() && st != LicenseStatus::kSuperseded) r.reason += ": " + l.status_reason;
      } else {
        r.status = "valid";
        r.valid = true;
      }
      if (p && !p->verified_at) {
        TB_ASSIGN_OR_RETURN(int64_t n, LicenseRepo::ConsumePresentation(tx, nonce, now));
        if (n != 1) {
          r.valid = false;
          r.status = "invalid";
          r.reason = "replay: this presentation was already verified";
        }
      }
    }
    // The stored licence must still match its latest ledger-anchored event: a row altered
    // behind the system's back (status, fields, type) is reported, never vouched for.
    TB_ASSIGN_OR_RETURN(LedgerAnchor anchor,
                        FindLedgerAnchor(tx, l, options_.ledger_hash, options_.subject_hash(l.holder_subject)));
    if (!anchor.problem.empty()) {
      r.valid = false;
      r.status = "tampered";
      r.reason = anchor.problem;
    }
    r.anchor = anchor;
    if (!r.valid) r.disclosed = object{};
    VerificationRecord rec{0, l.id, l.type, l.holder_subject, request.verifier_name,
                           request.verifier_account, request.purpose, r.status, r.reason, now, ""};
    // Archive (归档): a staff member's valid verification keeps what was disclosed, so the case
    // file needs no paper copy. Public verifications keep nothing (data minimisation).
    if (r.valid && request.verifier_account != 0) rec.archived_json = boost::json::serialize(r.disclosed);
    TB_ASSIGN_OR_RETURN(r.verification_id, LicenseRepo::InsertVerification(tx, rec));
    TB_RETURN_IF_ERROR(TellVerified(tx, rec, r.verification_id));
    TB_RETURN_IF_ERROR(Record(tx, l, "verify", object{{"result", r.status}}));
    result = r;
    return Status::Ok();
  }));
  return result;
}

Result<std::optional<std::string>> LicenseService::PresentedLicenseId(const VerifyRequest& request) {
  if (request.token.empty()) {
    std::optional<Presentation> p;
    TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(p, LicenseRepo::PresentationByReference(tx, request.reference));
      return Status::Ok();
    }));
    if (!p) return std::optional<std::string>();
    return std::optional<std::string>(p->license_id);
  }
  auto parts = SplitSdJwt(request.token);
  if (!parts.ok()) return std::optional<std::string>();
  auto jwt = ParseJws(parts->issuer_jwt);
  if (!jwt.ok()) return std::optional<std::string>();
  const value* iss = jwt->payload.if_contains("iss");
  const value* id = jwt->payload.if_contains("license_id");
  if (!iss || !iss->is_string() || iss->as_string() != options_.issuer_url || !id || !id->is_string()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(std::string(id->as_string()));
}

Result<LedgerAnchor> LicenseService::Anchor(std::string_view id) {
  LedgerAnchor a;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto l, LicenseRepo::Get(tx, id));
    if (!l) return Status::NotFound("licence", id);
    TB_ASSIGN_OR_RETURN(a, FindLedgerAnchor(tx, *l, options_.ledger_hash,
                                            options_.subject_hash(l->holder_subject)));
    return Status::Ok();
  }));
  return a;
}

Result<std::optional<uint64_t>> LicenseService::AnchorLeaf(const LedgerAnchor& anchor) {
  std::optional<uint64_t> leaf;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(leaf, FindAnchorLeaf(tx, anchor));
    return Status::Ok();
  }));
  if (leaf && !anchor.known_leaf && anchor.event_id != 0) {
    // Remember it: the next verification reads one entry instead of scanning. Best effort.
    (void)db_.Transact([&](store::Tx& tx) { return LicenseRepo::SetEventLeaf(tx, anchor.event_id, *leaf); });
  }
  return leaf;
}

Result<VerifyResult> LicenseService::VerifyForeign(const TrustedIssuer& issuer, const SdJwtVerified& v,
                                                   VerifyResult result, const VerifyRequest& request) {
  result.foreign = true;
  result.issuer_name = issuer.name;
  const std::string vct = v.payload.contains("vct") && v.payload.at("vct").is_string()
                              ? std::string(v.payload.at("vct").as_string())
                              : "";
  if (!issuer.vct.empty() && std::find(issuer.vct.begin(), issuer.vct.end(), vct) == issuer.vct.end()) {
    result.reason = "issuer is not trusted for this licence type";
    return result;
  }
  // Replay: a foreign presentation's nonce is remembered like our own.
  Presentation p;
  p.nonce = "foreign:" + std::string(v.kb_payload->at("nonce").as_string());
  p.license_id = result.license_id;
  p.verifier = request.verifier_name;
  p.purpose = request.purpose;
  p.created_at = NowSeconds();
  p.expires_at = p.created_at;
  Status s = db_.Transact([&](store::Tx& tx) { return LicenseRepo::InsertPresentation(tx, p); });
  if (s.code() == ErrorCode::kAlreadyExists) {
    result.status = "invalid";
    result.reason = "replay: this presentation was already verified";
    result.disclosed = object{};
    return result;
  }
  TB_RETURN_IF_ERROR(s);
  // Status from the issuer's signed status list, as last downloaded into the trust list.
  ListStatus ls = StatusFromIssuerList(issuer, v.payload);
  if (!ls.error.empty() || (ls.checked && ls.status != "valid")) {
    result.status = ls.error.empty() ? ls.status : "invalid";
    result.reason = ls.error.empty() ? "per the issuer's status list" : ls.error;
    result.disclosed = object{};
    return result;
  }
  result.valid = true;
  result.status = "valid";
  return result;
}

Result<VerificationRecord> LicenseService::ArchivedVerification(int64_t id, int64_t staff_account) {
  std::optional<VerificationRecord> v;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(v, LicenseRepo::VerificationById(tx, id));
    return Status::Ok();
  }));
  // Another staff member's archive answers as a missing one.
  if (!v || v->archived_json.empty() || v->verifier_account != staff_account) {
    return Status::NotFound("archived verification", std::to_string(id));
  }
  return *v;
}

Result<std::vector<VerificationRecord>> LicenseService::Verifications(std::string_view holder,
                                                                      int64_t before_id, int64_t limit) {
  std::vector<VerificationRecord> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, LicenseRepo::VerificationsOf(tx, holder, before_id, limit));
    return Status::Ok();
  }));
  return out;
}

Result<std::string> LicenseService::StatusListJwt() {
  std::vector<std::pair<int64_t, LicenseStatus>> all;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(all, LicenseRepo::AllStatuses(tx, NowSeconds()));
    return Status::Ok();
  }));
  std::vector<uint8_t> codes(all.empty() ? 0 : static_cast<size_t>(all.back().first + 1), kStatusValid);
  for (const auto& [idx, st] : all) {
    codes[static_cast<size_t>(idx)] = st == LicenseStatus::kValid       ? kStatusValid
                                      : st == LicenseStatus::kSuspended ? kStatusSuspended
                                                                        : kStatusInvalid;
  }
  TB_ASSIGN_OR_RETURN(std::string lst, EncodeStatusList(codes));
  object payload{{"sub", StatusListUri()},
                 {"iat", NowSeconds()},
                 {"ttl", 300},
                 {"status_list", object{{"bits", 2}, {"lst", lst}}}};
  return SignJws(object{{"typ", "statuslist+jwt"}, {"kid", kid_}}, payload, *options_.issuer_key);
}

}  // namespace tongban::license
