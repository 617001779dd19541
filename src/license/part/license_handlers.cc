// Licence endpoints; see license_handlers.h.
#include "license/part/license_handlers.h"
#include "license/part/license_route_helpers.h"

#include <boost/json.hpp>
#include <memory>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "ledger/part/ledger_handlers.h"
#include "ledger/part/proof_cache.h"
#include "api/problem.h"
#include "core/clock.h"
#include "license/verification.h"
#include "qr/qr_svg.h"

namespace tongban::api {
namespace license_routes {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using license::License;
using license::LicenseService;

Result<int64_t> ParseTime(const JsonBody& body, std::string_view field) {
  TB_ASSIGN_OR_RETURN(auto text, body.OptionalString(field, 40));
  if (!text) return int64_t{0};
  TB_ASSIGN_OR_RETURN(TimePoint t, ParseIso8601Utc(*text, "/" + std::string(field)));
  return ToUnixMicros(t) / 1'000'000;
}

// The holder's subject (citizen ID number / USCC) of the calling account.
Result<std::string> HolderOf(identity::IdentityService& identity, const HttpRequest& req) {
  TB_ASSIGN_OR_RETURN(identity::Account a, identity.GetAccount(req.principal->account_id));
  if (a.subject_id.empty()) return Status::PermissionDenied("this account holds no licences");
  return a.subject_id;
}

// The catalogue department of the calling department system (by USCC, then by name).
Result<std::string> DepartmentOf(identity::IdentityService& identity, const license::Catalogue& c,
                                 const HttpRequest& req) {
  TB_ASSIGN_OR_RETURN(identity::Account a, identity.GetAccount(req.principal->account_id));
  const license::Department* d = c.DepartmentByUscc(a.subject_id);
  if (d == nullptr) d = c.DepartmentByName(a.department);
  if (d == nullptr) return Status::PermissionDenied("this account is not an issuing department");
  return d->key;
}

object LicenseJson(const license::Catalogue& c, const License& l, int64_t now) {
  object o{{"id", l.id},
           {"type_code", l.type},
           {"status", license::LicenseStatusName(l.EffectiveStatus(now))},
           {"issued_at", IsoSeconds(l.issued_at)},
           {"expires_at", IsoSeconds(l.expires_at)},
           {"version", l.version}};
  if (!l.status_reason.empty()) o["status_reason"] = l.status_reason;
  if (!l.replaced_by.empty()) o["replaced_by"] = l.replaced_by;
  object labels;
  if (const license::LicenseType* t = c.Type(l.type)) {
    o["type_name_zh"] = t->name_zh;
    o["type_name_en"] = t->name_en;
    for (const auto& f : t->fields) labels[f.name] = object{{"zh", f.zh}, {"en", f.en}};
    if (const license::Department* d = c.DepartmentByKey(t->issuer)) o["issuer_name"] = d->name_zh;
  }
  boost::system::error_code ec;
  value fields = boost::json::parse(l.fields_json, ec);
  o["fields"] = ec ? value(object{}) : fields;
  o["field_labels"] = std::move(labels);
  return o;
}

object TypeJson(const license::Catalogue& c, const license::LicenseType& t) {
  array fields;
  for (const auto& f : t.fields) {
    static constexpr const char* kKinds[] = {"string", "date", "citizen_id", "uscc", "integer"};
    fields.push_back(object{{"name", f.name},
                            {"zh", f.zh},
                            {"en", f.en},
                            {"kind", kKinds[static_cast<int>(f.kind)]},
                            {"required", f.required}});
  }
  object o{{"code", t.code},
           {"gbt36904_type_code", t.type_code},
           {"vct", LicenseService::Vct(t.code)},
           {"name_zh", t.name_zh},
           {"name_en", t.name_en},
           {"holder_kind", license::HolderKindName(t.holder)},
           {"validity_years", t.validity_years},
           {"fields", std::move(fields)}};
  if (const license::Department* d = c.DepartmentByKey(t.issuer)) {
    o["issuer"] = object{{"key", d->key}, {"name_zh", d->name_zh}, {"name_en", d->name_en},
                         {"region_code", d->region_code}};
  }
  return o;
}

Result<std::vector<std::string>> StringList(const JsonBody& body, std::string_view field) {
  std::vector<std::string> out;
  const value* v = body.object().if_contains(field);
  if (!v) return Status::InvalidField("/" + std::string(field), "is required");
  if (!v->is_array() || v->as_array().size() > 50) {
    return Status::InvalidField("/" + std::string(field), "must be an array of at most 50 names");
  }
  for (size_t i = 0; i < v->as_array().size(); ++i) {
    const value& e = v->as_array()[i];
    if (!e.is_string() || e.as_string().empty() || e.as_string().size() > 64) {
      return Status::InvalidField("/" + std::string(field) + "/" + std::to_string(i), "must be a field name");
    }
    out.emplace_back(e.as_string());
  }
  return out;
}

}  // namespace license_routes

using namespace license_routes;

void AddLicenseRoutes(Router& router, LicenseService& service, identity::IdentityService& identity,
                      LicenseLedgerOptions log) {
  const RouteAccess kIssuer = RouteAccess::Roles({"scope:license:issue"});
  const RouteAccess kHolder = RouteAccess::Roles({"citizen", "enterprise"});

  // The answers' contract (api/router.h). Times are ISO 8601 UTC seconds or null (IsoSeconds).
  router.AddSchema("License", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["id", "type_code", "status", "issued_at", "expires_at", "version", "fields", "field_labels"],
    "description": "One licence as its holder and issuer see it. The type names and issuer_name are present when the type is in this node's catalogue.",
    "properties": {
      "id": {"type": "string", "description": "GB/T 36904 licence identifier",
             "examples": ["1.2.156.3005.2.11100000G00000015Q003.11330000P00001021X.0000001.01.7"]},
      "type_code": {"type": "string", "description": "Catalogue type code", "examples": ["driving_licence"]},
      "status": {"type": "string", "enum": ["valid", "suspended", "revoked", "expired", "superseded"],
                 "description": "As a verifier sees it now: a valid licence past expires_at is expired"},
      "issued_at": {"type": ["string", "null"], "format": "date-time", "examples": ["2026-09-21T14:13:20Z"]},
      "expires_at": {"type": ["string", "null"], "format": "date-time", "description": "null: no expiry"},
      "version": {"type": "integer", "minimum": 1, "description": "1, then +1 per renewal"},
      "status_reason": {"type": "string", "description": "Why it was suspended or revoked", "examples": ["扣满 12 分"]},
      "replaced_by": {"type": "string", "description": "The renewal's id, when superseded"},
      "type_name_zh": {"type": "string", "examples": ["机动车驾驶证"]},
      "type_name_en": {"type": "string", "examples": ["Driving licence"]},
      "issuer_name": {"type": "string", "examples": ["浙江省公安厅交通管理局"]},
      "fields": {"type": "object", "description": "The licence's fields as issued, by field name",
                 "examples": [{"name": "张伟", "licence_class": "C1", "first_issue_date": "2008-06-20"}]},
      "field_labels": {"type": "object", "description": "Each catalogue field's label, by field name",
                       "additionalProperties": {"$ref": "#/components/schemas/FieldLabel"}}
    }
  })json");
  router.AddSchema("FieldLabel", R"json({
    "type": "object", "additionalProperties": false, "required": ["zh", "en"],
    "properties": {"zh": {"type": "string", "examples": ["姓名"]}, "en": {"type": "string", "examples": ["Name"]}}
  })json");
  router.AddSchema("LicenseAuthorisation", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["id", "license_id", "grantee_kind", "grantee", "department", "purpose", "until", "created_at", "revoked_at", "uses"],
    "properties": {
      "id": {"type": "integer", "minimum": 1},
      "license_id": {"type": "string"},
      "grantee_kind": {"type": "string", "enum": ["staff", "department", "case"]},
      "grantee": {"type": "string", "description": "Staff login, department name or case number"},
      "department": {"type": ["string", "null"], "description": "Case grants: the department handling the case; else null"},
      "purpose": {"type": "string", "examples": ["代办车辆年检"]},
      "until": {"type": ["string", "null"], "format": "date-time", "examples": ["2026-12-31T00:00:00Z"]},
      "created_at": {"type": ["string", "null"], "format": "date-time"},
      "revoked_at": {"type": ["string", "null"], "format": "date-time"},
      "uses": {"type": "integer", "minimum": 0, "description": "How often staff used it"}
    }
  })json");
  const std::string kLicense = R"json({"$ref": "#/components/schemas/License"})json";

  router.Add(Route{"GET", "/api/v1/licenses/types", "listLicenseTypes",
                   "The licence catalogue: types, fields, holder kind, issuing department.",
                   RouteAccess::Public(), [&service](const HttpRequest&, const PathParams&) {
                     array items;
                     for (const auto& t : service.catalogue().types()) {
                       items.push_back(TypeJson(service.catalogue(), t));
                     }
                     HttpResponse r = JsonAnswer(200, object{{"items", std::move(items)}});
                     r.headers.clear();
                     r.WithHeader("Cache-Control", "public, max-age=3600");
                     r.WithHeader("Access-Control-Allow-Origin", "*");
                     return r;
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {
          "type": "object", "additionalProperties": false,
          "required": ["code", "gbt36904_type_code", "vct", "name_zh", "name_en", "holder_kind", "validity_years", "fields"],
          "properties": {
            "code": {"type": "string", "examples": ["driving_licence"]},
            "gbt36904_type_code": {"type": "string", "examples": ["11100000G00000015Q003"]},
            "vct": {"type": "string", "description": "SD-JWT VC type", "examples": ["urn:tongban:license:driving_licence"]},
            "name_zh": {"type": "string", "examples": ["机动车驾驶证"]},
            "name_en": {"type": "string", "examples": ["Driving licence"]},
            "holder_kind": {"type": "string", "enum": ["person", "enterprise"]},
            "validity_years": {"type": "integer", "minimum": 0, "description": "0: no expiry"},
            "fields": {"type": "array", "items": {
              "type": "object", "additionalProperties": false,
              "required": ["name", "zh", "en", "kind", "required"],
              "properties": {
                "name": {"type": "string", "examples": ["licence_class"]},
                "zh": {"type": "string", "examples": ["准驾车型"]},
                "en": {"type": "string", "examples": ["Vehicle class"]},
                "kind": {"type": "string", "enum": ["string", "date", "citizen_id", "uscc", "integer"]},
                "required": {"type": "boolean"}
              }}},
            "issuer": {"type": "object", "additionalProperties": false,
                       "required": ["key", "name_zh", "name_en", "region_code"],
                       "description": "The issuing department (absent when not in the catalogue)",
                       "properties": {
                         "key": {"type": "string", "examples": ["zj-traffic"]},
                         "name_zh": {"type": "string", "examples": ["浙江省公安厅交通管理局"]},
                         "name_en": {"type": "string"},
                         "region_code": {"type": "string", "examples": ["330000"]}
                       }}
          }}}}
      })json");

  router.Add(Route{
      "POST", "/api/v1/licenses", "issueLicense",
      "Issue a licence of one of the calling department's types: {type, holder, fields, expires_at?}.",
      kIssuer,
      [&service, &identity](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"type", "holder", "fields", "expires_at"}), req);
        TB_ASSIGN_OR_PROBLEM(std::string dept, DepartmentOf(identity, service.catalogue(), req), req);
        license::IssueRequest in;
        TB_ASSIGN_OR_PROBLEM(in.type, body.RequiredString("type", 64), req);
        TB_ASSIGN_OR_PROBLEM(in.holder_subject, body.RequiredString("holder", 18), req);
        const value* fields = body.object().if_contains("fields");
        if (!fields || !fields->is_object()) {
          return ProblemResponse(Status::InvalidField("/fields", "must be an object"), req.request_id);
        }
        in.fields = fields->as_object();
        TB_ASSIGN_OR_PROBLEM(int64_t expires, ParseTime(body, "expires_at"), req);
        if (expires != 0) in.expires_at = expires;
        TB_ASSIGN_OR_PROBLEM(License l, service.Issue(in, dept), req);
        return JsonAnswer(201, LicenseJson(service.catalogue(), l, service.NowSeconds()));
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["type", "holder", "fields"],
        "properties": {
          "type": {"type": "string", "minLength": 1, "maxLength": 64, "description": "A catalogue type code of the calling department",
                   "examples": ["driving_licence"]},
          "holder": {"type": "string", "minLength": 1, "maxLength": 18, "description": "The holder's citizen ID number or USCC",
                     "examples": ["330106198503122138"]},
          "fields": {"type": "object", "description": "The type's fields by name (listLicenseTypes)",
                     "examples": [{"name": "张伟", "id_number": "330106198503122138", "licence_class": "C1", "first_issue_date": "2008-06-20"}]},
          "expires_at": {"type": ["string", "null"], "format": "date-time", "maxLength": 40,
                         "description": "Default: the type's validity_years from now"}
        }
      })json")
      .Answers(kLicense, 201);

  for (std::string action : {"revoke", "suspend", "resume", "renew"}) {
    router.Add(Route{
        "POST", "/api/v1/licenses/{id}/" + action, action + "License",
        action == "renew" ? "Renew a licence (new version; {expires_at?}); the old one is superseded. "
                            "Issuing department only: 404 for another department's licence."
                          : "Change a licence's status ({reason}); issuing department only: 404 for "
                            "another department's licence.",
        kIssuer,
        [&service, &identity, action](const HttpRequest& req, const PathParams& p) {
          TB_ASSIGN_OR_PROBLEM(JsonBody body,
                            JsonBody::Parse(req.body.empty() ? "{}" : req.body, {"reason", "expires_at"}), req);
          TB_ASSIGN_OR_PROBLEM(std::string dept, DepartmentOf(identity, service.catalogue(), req), req);
          const std::string& id = p.at("id");
          License l;
          if (action == "renew") {
            TB_ASSIGN_OR_PROBLEM(int64_t expires, ParseTime(body, "expires_at"), req);
            TB_ASSIGN_OR_PROBLEM(l, service.Renew(id, expires ? std::optional<int64_t>(expires) : std::nullopt, dept), req);
            return JsonAnswer(201, LicenseJson(service.catalogue(), l, service.NowSeconds()));
          }
          TB_ASSIGN_OR_PROBLEM(auto reason, body.OptionalString("reason", 200), req);
          LicenseService::Action a = action == "revoke"    ? LicenseService::Action::kRevoke
                                     : action == "suspend" ? LicenseService::Action::kSuspend
                                                           : LicenseService::Action::kResume;
          TB_ASSIGN_OR_PROBLEM(l, service.ChangeStatus(id, a, reason.value_or(""), dept), req);
          return JsonAnswer(200, LicenseJson(service.catalogue(), l, service.NowSeconds()));
        },
        "application/json", "application/json", /*idempotent=*/action == "renew"})
        // The body may be empty; both keys are read by every action, each used by its own.
        .Accepts(action == "renew" ? R"json({
          "type": "object", "additionalProperties": false,
          "properties": {
            "expires_at": {"type": ["string", "null"], "format": "date-time", "maxLength": 40,
                           "description": "Default: the type's validity_years from now"},
            "reason": {"type": ["string", "null"], "maxLength": 200, "description": "Not used by renew"}
          }
        })json" : R"json({
          "type": "object", "additionalProperties": false,
          "properties": {
            "reason": {"type": ["string", "null"], "maxLength": 200, "examples": ["扣满 12 分"]},
            "expires_at": {"type": ["string", "null"], "maxLength": 40, "description": "Used by renew only"}
          }
        })json", Route::Body::kOptional)
        .Answers(kLicense, action == "renew" ? 201 : 200);
  }

  router.Add(Route{"GET", "/api/v1/me/licenses", "listMyLicenses",
                   "The caller's wallet: every licence they hold, with status and field labels.",
                   kHolder, [&service, &identity](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(std::string holder, HolderOf(identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(auto list, service.Wallet(holder), req);
                     array items;
                     int64_t now = service.NowSeconds();
                     for (const auto& l : list) items.push_back(LicenseJson(service.catalogue(), l, now));
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .ActsFor("licenses.view")
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/License"}}}
      })json");

  router.Add(Route{
      "POST", "/api/v1/me/licenses/{id}/presentations", "presentLicense",
      "Present one of the caller's licences: {disclose:[field...], verifier?, purpose?} -> SD-JWT "
      "VC with key binding, QR text and SVG (a TBL1. reference when the token is too large); 404 "
      "for another's.",
      kHolder,
      [&service, &identity](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"disclose", "verifier", "purpose"}), req);
        license::PresentRequest in;
        TB_ASSIGN_OR_PROBLEM(in.disclose, StringList(body, "disclose"), req);
        TB_ASSIGN_OR_PROBLEM(auto verifier, body.OptionalString("verifier", 200), req);
        TB_ASSIGN_OR_PROBLEM(auto purpose, body.OptionalString("purpose", 200), req);
        in.verifier = verifier.value_or("");
        in.purpose = purpose.value_or("");
        in.license_id = p.at("id");
        TB_ASSIGN_OR_PROBLEM(in.holder_subject, HolderOf(identity, req), req);
        TB_ASSIGN_OR_PROBLEM(license::PresentResult out, service.Present(in), req);
        TB_ASSIGN_OR_PROBLEM(qr::QrSvg qr, qr::RenderQrSvg(out.qr_text), req);
        return JsonAnswer(201, object{{"token", out.token},
                                {"token_bytes", out.token.size()},
                                {"qr_text", out.qr_text},
                                {"qr_svg", qr.svg},
                                {"qr_version", qr.version},
                                {"reference", out.reference.empty() ? value(nullptr) : value(out.reference)},
                                {"expires_at", IsoSeconds(out.expires_at)}});
      }})
      .ActsFor("licenses.present")
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["disclose"],
        "properties": {
          "disclose": {"type": "array", "maxItems": 50, "description": "The field names to disclose",
                       "items": {"type": "string", "minLength": 1, "maxLength": 64},
                       "examples": [["name", "licence_class"]]},
          "verifier": {"type": ["string", "null"], "maxLength": 200, "description": "Audience of the key binding (default: this issuer)",
                       "examples": ["杭州市西湖区行政服务中心"]},
          "purpose": {"type": ["string", "null"], "maxLength": 200, "examples": ["窗口核验"]}
        }
      })json")
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["token", "token_bytes", "qr_text", "qr_svg", "qr_version", "reference", "expires_at"],
        "properties": {
          "token": {"type": "string", "description": "SD-JWT VC with the chosen disclosures and a key-binding JWT"},
          "token_bytes": {"type": "integer", "minimum": 0},
          "qr_text": {"type": "string", "description": "What the QR code holds: the token, or the reference when the token is too large"},
          "qr_svg": {"type": "string", "description": "The QR code as an SVG document"},
          "qr_version": {"type": "integer", "minimum": 1, "maximum": 40},
          "reference": {"type": ["string", "null"], "pattern": "^TBL1\\.", "description": "TBL1.<22 base64url>, when the token is too large for a QR code"},
          "expires_at": {"type": ["string", "null"], "format": "date-time"}
        }
      })json", 201);

  router.Add(Route{
      "POST", "/api/v1/licenses/verify", "verifyLicense",
      "Verify a scanned presentation: {token} or {reference}, purpose?. Public; a staff token, when "
      "sent, names the verifier in the holder's log. Carries the ledger inclusion proof of the "
      "licence's latest lifecycle entry and its event document.",
      RouteAccess::Public(),
      [&service, &identity, log, proofs = std::make_shared<InclusionProofCache>()](
          const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"token", "reference", "purpose"}), req);
        license::VerifyRequest in;
        TB_ASSIGN_OR_PROBLEM(auto token, body.OptionalString("token", 64 * 1024), req);
        TB_ASSIGN_OR_PROBLEM(auto reference, body.OptionalString("reference", 64), req);
        TB_ASSIGN_OR_PROBLEM(auto purpose, body.OptionalString("purpose", 200), req);
        if (token.has_value() == reference.has_value()) {
          return ProblemResponse(Status::InvalidField("/token", "send exactly one of token and reference"),
                                 req.request_id);
        }
        in.token = token.value_or("");
        in.reference = reference.value_or("");
        in.purpose = purpose.value_or("");
        if (auto auth = req.Header("authorization")) {
          // A credential that is sent must be good (401 otherwise); it only names the verifier.
          TB_ASSIGN_OR_PROBLEM(identity::Principal p, identity.Authenticate(*auth), req);
          TB_ASSIGN_OR_PROBLEM(identity::Account a, identity.GetAccount(p.account_id), req);
          in.verifier_account = a.id;
          in.verifier_name = a.department.empty() ? a.display_name : a.display_name + " (" + a.department + ")";
        }
        // The license part decides (license/verification.h); this only renders its answer.
        TB_ASSIGN_OR_PROBLEM(license::LicenseVerification v,
                             license::VerifyPresentationOnLedger(service, log.reader, log.sequencer,
                                                                 in, log.wait),
                             req);
        const license::VerifyResult& r = v.result;
        value proof = nullptr;
        if (v.leaf) {
          TB_ASSIGN_OR_PROBLEM(object json, proofs->GetOrLoad(*log.reader, *v.leaf), req);
          json["document"] = v.event_document;
          proof = std::move(json);
        }
        const std::string& ledger_reason = v.ledger_reason;
        value lic = nullptr;
        if (!r.license_id.empty()) {
          lic = object{{"id", r.license_id},
                       {"type_code", r.type},
                       {"type_name_zh", r.type_name_zh},
                       {"type_name_en", r.type_name_en},
                       {"issuer_name", r.issuer_name},
                       {"expires_at", IsoSeconds(r.expires_at)},
                       {"foreign", r.foreign}};
        }
        HttpResponse resp = JsonAnswer(200, object{{"valid", r.valid},
                                             {"status", r.status},
                                             {"reason", r.reason},
                                             {"license", std::move(lic)},
                                             {"disclosed", r.disclosed},
                                             {"verification_id", r.verification_id
                                                                     ? value(r.verification_id)
                                                                     : value(nullptr)},
                                             {"archived", r.valid && in.verifier_account != 0},
                                             {"ledger", std::move(proof)},
                                             {"ledger_reason", ledger_reason.empty()
                                                                   ? value(nullptr)
                                                                   : value(ledger_reason)}});
        resp.WithHeader("Access-Control-Allow-Origin", "*");
        return resp;
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "description": "Exactly one of token and reference",
        "properties": {
          "token": {"type": ["string", "null"], "maxLength": 65536, "description": "The scanned SD-JWT VC presentation"},
          "reference": {"type": ["string", "null"], "maxLength": 64, "description": "The scanned TBL1. reference"},
          "purpose": {"type": ["string", "null"], "maxLength": 200, "examples": ["窗口核验"]}
        },
        "oneOf": [{"required": ["token"], "properties": {"token": {"type": "string"}}},
                  {"required": ["reference"], "properties": {"reference": {"type": "string"}}}]
      })json")
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["valid", "status", "reason", "license", "disclosed", "verification_id", "archived", "ledger", "ledger_reason"],
        "properties": {
          "valid": {"type": "boolean"},
          "status": {"type": "string", "enum": ["valid", "suspended", "revoked", "expired", "invalid", "tampered"]},
          "reason": {"type": "string", "description": "Why it is not valid; empty when valid"},
          "license": {"description": "The licence presented; null when the token could not be read",
            "oneOf": [{"type": "null"}, {
              "type": "object", "additionalProperties": false,
              "required": ["id", "type_code", "type_name_zh", "type_name_en", "issuer_name", "expires_at", "foreign"],
              "properties": {
                "id": {"type": "string"},
                "type_code": {"type": "string", "examples": ["driving_licence"]},
                "type_name_zh": {"type": "string"},
                "type_name_en": {"type": "string"},
                "issuer_name": {"type": "string"},
                "expires_at": {"type": ["string", "null"], "format": "date-time"},
                "foreign": {"type": "boolean", "description": "Issued by a trusted issuer of another region"}
              }}]},
          "disclosed": {"type": "object", "description": "The disclosed fields, by name",
                        "examples": [{"name": "张伟", "licence_class": "C1"}]},
          "verification_id": {"type": ["integer", "null"], "description": "The holder's log row; null when not logged"},
          "archived": {"type": "boolean", "description": "A valid verification by a logged-in staff member is archived (getArchivedVerification)"},
          "ledger": {"description": "Inclusion proof of the licence's latest lifecycle entry, with its event document; null when there is none to show (see ledger_reason)",
            "oneOf": [{"type": "null"}, {
              "$ref": "#/components/schemas/InclusionProof", "unevaluatedProperties": false,
              "required": ["document"],
              "properties": {"document": {"type": "string", "description": "The lifecycle event document (JSON text) whose hash is the entry's document hash"}}}]},
          "ledger_reason": {"type": ["string", "null"], "description": "Why no ledger proof is given, or null"}
        }
      })json");

  router.Add(Route{
      "GET", "/api/v1/me/verifications", "listMyVerifications",
      "Who verified the caller's licences, when and why (newest first; ?cursor=&limit=1..100).", kHolder,
      [&service, &identity](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(std::string holder, HolderOf(identity, req), req);
        int64_t before = INT64_MAX;
        int64_t limit = 20;
        if (auto c = req.Query("cursor")) {
          TB_ASSIGN_OR_PROBLEM(before, PositiveIntParam(*c, "cursor", "must be a cursor from next_cursor"), req);
        }
        if (auto l = req.Query("limit")) {
          TB_ASSIGN_OR_PROBLEM(limit, PositiveIntParam(*l, "limit", "must be 1-100"), req);
          if (limit > 100) return ProblemResponse(Status::InvalidField("limit", "must be 1-100"), req.request_id);
        }
        TB_ASSIGN_OR_PROBLEM(auto list, service.Verifications(holder, before, limit), req);
        array items;
        for (const auto& v : list) {
          const license::LicenseType* t = service.catalogue().Type(v.license_type);
          items.push_back(object{{"license_id", v.license_id},
                                 {"type_code", v.license_type},
                                 {"type_name_zh", t ? t->name_zh : ""},
                                 {"type_name_en", t ? t->name_en : ""},
                                 {"verifier", v.verifier_name},
                                 {"purpose", v.purpose},
                                 {"result", v.result},
                                 {"reason", v.reason},
                                 {"archived", !v.archived_json.empty()},
                                 {"time", IsoSeconds(v.time)}});
        }
        value next = nullptr;
        if (static_cast<int64_t>(list.size()) == limit) next = std::to_string(list.back().id);
        return JsonAnswer(200, object{{"items", std::move(items)}, {"next_cursor", next}});
      }})
      .ActsFor("licenses.view")
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items", "next_cursor"],
        "properties": {
          "items": {"type": "array", "maxItems": 100, "items": {
            "type": "object", "additionalProperties": false,
            "required": ["license_id", "type_code", "type_name_zh", "type_name_en", "verifier", "purpose", "result", "reason", "archived", "time"],
            "properties": {
              "license_id": {"type": "string"},
              "type_code": {"type": "string", "examples": ["driving_licence"]},
              "type_name_zh": {"type": "string", "description": "Empty when the type is not in the catalogue"},
              "type_name_en": {"type": "string"},
              "verifier": {"type": "string", "description": "Staff name (department), or public", "examples": ["王芳 (杭州市西湖区行政服务中心)"]},
              "purpose": {"type": "string"},
              "result": {"type": "string", "enum": ["valid", "suspended", "revoked", "expired", "invalid", "tampered", "authorised_use"],
                         "description": "A verification's outcome, or authorised_use when staff used an authorisation"},
              "reason": {"type": "string", "examples": ["authorisation 1"]},
              "archived": {"type": "boolean"},
              "time": {"type": ["string", "null"], "format": "date-time"}
            }}},
          "next_cursor": {"type": ["string", "null"], "description": "Pass as ?cursor= for the next page; null on the last"}
        }
      })json");

  router.Add(Route{
      "GET", "/api/v1/licenses/verifications/{id}", "getArchivedVerification",
      "The archived copy (归档) of a valid verification: the disclosed fields as verified, for the "
      "staff member who verified (the case file keeps this instead of a paper copy); 404 for "
      "anyone else's.",
      RouteAccess::Roles({"staff"}), [&service](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a verification id"), req);
        TB_ASSIGN_OR_PROBLEM(license::VerificationRecord v,
                          service.ArchivedVerification(id, req.principal->account_id), req);
        boost::system::error_code jec;
        value disclosed = boost::json::parse(v.archived_json, jec);
        const license::LicenseType* t = service.catalogue().Type(v.license_type);
        return JsonAnswer(200, object{{"id", v.id},
                                {"license_id", v.license_id},
                                {"type_code", v.license_type},
                                {"type_name_zh", t ? t->name_zh : ""},
                                {"purpose", v.purpose},
                                {"result", v.result},
                                {"time", IsoSeconds(v.time)},
                                {"disclosed", jec ? value(object{}) : disclosed}});
      }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["id", "license_id", "type_code", "type_name_zh", "purpose", "result", "time", "disclosed"],
        "properties": {
          "id": {"type": "integer", "minimum": 1},
          "license_id": {"type": "string"},
          "type_code": {"type": "string", "examples": ["driving_licence"]},
          "type_name_zh": {"type": "string", "description": "Empty when the type is not in the catalogue"},
          "purpose": {"type": "string", "examples": ["窗口核验"]},
          "result": {"const": "valid", "description": "Only valid verifications are archived"},
          "time": {"type": ["string", "null"], "format": "date-time"},
          "disclosed": {"type": "object", "description": "The disclosed fields as verified",
                        "examples": [{"name": "张伟", "licence_class": "C1"}]}
        }
      })json");

  AddLicenseAuthorisationRoutes(router, service, identity);

  router.Add(Route{"GET", "/api/v1/licenses/status", "getLicenseStatusList",
                   "The signed status list (IETF Token Status List, statuslist+jwt) of every licence issued here.",
                   RouteAccess::Public(), [&service](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(std::string jwt, service.StatusListJwt(), req);
                     HttpResponse r = HttpResponse::Text(200, std::move(jwt), "application/statuslist+jwt");
                     r.WithHeader("Cache-Control", "public, max-age=60");
                     r.WithHeader("Access-Control-Allow-Origin", "*");
                     return r;
                   },
                   "application/statuslist+jwt"});

  router.Add(Route{"GET", "/api/v1/licenses/issuer", "getLicenseIssuer",
                   "This node's licence issuer: iss and public JWK (for trust lists and offline checks).",
                   RouteAccess::Public(), [&service](const HttpRequest&, const PathParams&) {
                     HttpResponse r = JsonAnswer(200, object{{"iss", service.options().issuer_url},
                                                       {"jwk", service.IssuerJwk()},
                                                       {"status_list_uri", service.StatusListUri()}});
                     r.headers.clear();
                     r.WithHeader("Cache-Control", "public, max-age=3600");
                     r.WithHeader("Access-Control-Allow-Origin", "*");
                     return r;
                   }})
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["iss", "jwk", "status_list_uri"],
        "properties": {
          "iss": {"type": "string", "format": "uri", "examples": ["https://tongban.example/api/v1/licenses"]},
          "jwk": {"type": "object", "additionalProperties": false,
                  "required": ["kty", "crv", "x", "y", "kid", "alg"],
                  "description": "The issuer's public key (RFC 7517)",
                  "properties": {
                    "kty": {"const": "EC"},
                    "crv": {"type": "string", "enum": ["P-256", "SM2"]},
                    "x": {"type": "string", "description": "base64url"},
                    "y": {"type": "string", "description": "base64url"},
                    "kid": {"type": "string"},
                    "alg": {"type": "string", "enum": ["ES256", "SM2"]}
                  }},
          "status_list_uri": {"type": "string", "format": "uri", "examples": ["https://tongban.example/api/v1/licenses/status"]}
        }
      })json");
}

}  // namespace tongban::api
