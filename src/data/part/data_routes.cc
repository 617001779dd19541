// The data platform's catalogue, push and agreement routes; see data_routes.h.
#include "data/part/data_routes.h"

#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "core/clock.h"

namespace tongban::api {

using boost::json::array;
using boost::json::object;
using boost::json::value;

namespace data_routes {

Result<data::Actor> ActorOf(identity::IdentityService& identity, const data::Catalogue& catalogue,
                            const HttpRequest& req) {
  TB_ASSIGN_OR_RETURN(identity::Account a, identity.GetAccount(req.principal->account_id));
  const data::Department* d = catalogue.DepartmentByName(a.department);
  if (d == nullptr) return Status::PermissionDenied("the caller's department is not in the data catalogue");
  return data::Actor{a.id, d->key};
}

Result<data::Actor> ActorOf(const DataRoutesOptions& options, const HttpRequest& req) {
  return ActorOf(*options.identity, options.service->catalogue(), req);
}

Result<data::Actor> ActorOrMissing(identity::IdentityService& identity, const data::Catalogue& catalogue,
                                   const HttpRequest& req, Status missing) {
  Result<data::Actor> actor = ActorOf(identity, catalogue, req);
  if (!actor.ok() && actor.status().code() == ErrorCode::kPermissionDenied) return missing;
  return actor;
}

Result<std::optional<data::Actor>> ActorIfAny(identity::IdentityService& identity, const data::Catalogue& catalogue,
                                              const HttpRequest& req) {
  Result<data::Actor> actor = ActorOf(identity, catalogue, req);
  if (actor.ok()) return std::optional<data::Actor>(*actor);
  if (actor.status().code() == ErrorCode::kPermissionDenied) return std::optional<data::Actor>();
  return actor.status();
}

Result<std::string> SubjectOf(identity::IdentityService& identity, const HttpRequest& req) {
  TB_ASSIGN_OR_RETURN(identity::Account a, identity.GetAccount(req.principal->account_id));
  if (a.subject_id.empty()) return Status::PermissionDenied("this account is not a data subject");
  return a.subject_id;
}

Result<std::vector<std::string>> Elements(const object& body, std::string_view field) {
  std::vector<std::string> out;
  const value* v = body.if_contains(field);
  if (v == nullptr) return out;
  if (!v->is_array() || v->as_array().size() > 200) {
    return Status::InvalidField("/" + std::string(field), "must be an array of element codes");
  }
  for (size_t i = 0; i < v->as_array().size(); ++i) {
    const value& e = v->as_array()[i];
    if (!e.is_string() || e.as_string().empty() || e.as_string().size() > 48) {
      return Status::InvalidField("/" + std::string(field) + "/" + std::to_string(i), "must be an element code");
    }
    out.emplace_back(e.as_string());
  }
  return out;
}

}  // namespace data_routes

namespace {

using namespace data_routes;

value DepartmentJson(const data::Catalogue& c, std::string_view key) {
  const data::Department* d = c.DepartmentByKey(key);
  if (d == nullptr) return object{{"key", key}, {"name_zh", key}, {"name_en", key}};
  return object{{"key", d->key}, {"name_zh", d->name_zh}, {"name_en", d->name_en}};
}

array StringArray(const std::vector<std::string>& items) {
  array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

object AgreementJson(const data::Catalogue& c, const data::Agreement& a) {
  return object{{"id", a.id},
                {"consumer", DepartmentJson(c, a.consumer)},
                {"provider", DepartmentJson(c, a.provider)},
                {"dataset", a.dataset},
                {"elements", StringArray(a.elements)},
                {"purpose", a.purpose},
                {"legal_basis", a.legal_basis},
                {"until", IsoSeconds(a.valid_until)},
                {"state", data::AgreementStateName(a.state)},
                {"reason", a.reason},
                {"created_at", IsoSeconds(a.created_at)},
                {"decided_at", IsoSeconds(a.decided_at)}};
}

HttpResponse PushAnswer(const data::PushResult& r, int status) {
  array rejected;
  for (const auto& e : r.rejected) {
    rejected.push_back(object{{"line", e.line}, {"element", e.element}, {"reason", e.reason}});
  }
  return JsonAnswer(status, object{{"lines", r.lines},
                                   {"accepted", r.accepted},
                                   {"unchanged", r.unchanged},
                                   {"rejected", std::move(rejected)}});
}

constexpr std::string_view kPushResult = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["lines", "accepted", "unchanged", "rejected"],
  "properties": {
    "lines": {"type": "integer", "minimum": 0, "description": "Records read (non-blank lines)"},
    "accepted": {"type": "integer", "minimum": 0, "description": "New record versions committed, each with its ledger entry"},
    "unchanged": {"type": "integer", "minimum": 0, "description": "Versions already stored with the same fields (a retry)"},
    "rejected": {"type": "array", "description": "Every bad line, in line order; the other lines are committed",
                 "items": {"type": "object", "additionalProperties": false, "required": ["line", "element", "reason"],
                           "properties": {"line": {"type": "integer", "minimum": 0, "description": "1-based NDJSON line; 0 for a single record"},
                                          "element": {"type": "string", "examples": ["birth_date"]},
                                          "reason": {"type": "string", "examples": ["must be a date YYYY-MM-DD"]}}}}
  }
})json";

}  // namespace

void AddDataRoutes(Router& router, const DataRoutesOptions& options) {
  data::DataService& service = *options.service;
  const RouteAccess kPusher = RouteAccess::Roles({"scope:data:push"});
  const RouteAccess kDepartment = RouteAccess::Roles({"staff", "department_system"});

  router.AddSchema("DataDepartment", R"json({
    "type": "object", "additionalProperties": false, "required": ["key", "name_zh", "name_en"],
    "properties": {"key": {"type": "string", "examples": ["hz-police"]},
                   "name_zh": {"type": "string", "examples": ["杭州市公安局"]},
                   "name_en": {"type": "string"}}
  })json");
  router.AddSchema("DataAgreement", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["id", "consumer", "provider", "dataset", "elements", "purpose", "legal_basis", "until",
                 "state", "reason", "created_at", "decided_at"],
    "properties": {
      "id": {"type": "integer"},
      "consumer": {"$ref": "#/components/schemas/DataDepartment"},
      "provider": {"$ref": "#/components/schemas/DataDepartment"},
      "dataset": {"type": "string", "examples": ["household_registration"]},
      "elements": {"type": "array", "items": {"type": "string"}, "examples": [["name", "household_address"]]},
      "purpose": {"type": "string", "examples": ["一证通办：窗口核验户籍"]},
      "legal_basis": {"type": "string", "examples": ["《浙江省公共数据条例》第二十八条"]},
      "until": {"type": ["string", "null"], "format": "date-time"},
      "state": {"enum": ["requested", "approved", "rejected", "revoked"]},
      "reason": {"type": "string", "description": "Of a rejection or revocation; empty otherwise"},
      "created_at": {"type": ["string", "null"], "format": "date-time"},
      "decided_at": {"type": ["string", "null"], "format": "date-time"}
    }
  })json");
  router.AddSchema("DataPushResult", std::string(kPushResult));
  const std::string kAgreement = R"json({"$ref": "#/components/schemas/DataAgreement"})json";
  const std::string kRecord = R"json({
    "type": "object", "additionalProperties": false, "required": ["subject", "key", "version", "fields"],
    "properties": {
      "subject": {"type": "string", "description": "Citizen ID number (GB 11643) or USCC (GB 32100), by the dataset"},
      "key": {"type": "string", "pattern": "^[A-Za-z0-9._/-]{1,64}$", "description": "The department's own key of the record",
              "examples": ["HJ-330106-000123"]},
      "version": {"type": "integer", "minimum": 1, "description": "A new version supersedes; a stored one is never overwritten"},
      "fields": {"type": "object", "minProperties": 1, "description": "Element code -> value (null: not held)",
                 "examples": [{"name": "张伟", "sex": "男", "birth_date": "1985-03-12"}]}
    }
  })json";

  router.Add(Route{"GET", "/api/v1/data/catalogue", "getDataCatalogue",
                   "The public data catalogue (公共数据目录): departments, their datasets and each dataset's "
                   "data elements (数据元) with type, format and sensitivity 1-4.",
                   RouteAccess::Public(), [&service](const HttpRequest&, const PathParams&) {
                     HttpResponse r = HttpResponse::Json(200, service.catalogue().json());
                     r.WithHeader("Cache-Control", "public, max-age=300");
                     return r;
                   }})
      .Answers(R"json({
        "type": "object", "required": ["departments", "datasets"],
        "properties": {
          "version": {"type": "integer"}, "description": {"type": "string"},
          "sensitivity_levels": {"type": "object", "additionalProperties": {"type": "string"}},
          "departments": {"type": "array", "items": {
            "type": "object", "required": ["key", "name_zh", "name_en", "uscc", "region"],
            "properties": {"key": {"type": "string"}, "name_zh": {"type": "string"}, "name_en": {"type": "string"},
                           "uscc": {"type": "string"}, "region": {"type": "string"}}}},
          "datasets": {"type": "array", "items": {
            "type": "object", "required": ["code", "name_zh", "name_en", "owner", "subject", "elements"],
            "properties": {
              "code": {"type": "string"}, "name_zh": {"type": "string"}, "name_en": {"type": "string"},
              "owner": {"type": "string", "description": "Department key"},
              "subject": {"enum": ["person", "enterprise"]},
              "elements": {"type": "array", "items": {
                "type": "object", "required": ["code", "standard_code", "name_zh", "name_en", "type", "sensitivity"],
                "properties": {
                  "code": {"type": "string"}, "standard_code": {"type": "string"},
                  "name_zh": {"type": "string"}, "name_en": {"type": "string"},
                  "type": {"enum": ["string", "date", "integer", "decimal", "fen", "code", "citizen_id", "uscc"]},
                  "sensitivity": {"type": "integer", "minimum": 1, "maximum": 4},
                  "max_length": {"type": "integer"}, "pattern": {"type": "string"},
                  "codes": {"type": "array", "items": {"type": "string"}},
                  "min": {"type": "integer"}, "max": {"type": "integer"}}}}}}}
        }
      })json");

  router.Add(Route{
      "POST", "/api/v1/data/datasets/{dataset}/records", "pushDataRecord",
      "Push one record version into one of the caller's department's datasets (scope data:push). "
      "Validated against the data elements; 201 when committed (with its ledger entry), 200 when "
      "this version is already stored with the same fields; a bad record is a 400 naming each element.",
      kPusher,
      [options](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(data::Actor actor, ActorOf(options, req), req);
        TB_ASSIGN_OR_PROBLEM(data::PushResult r, options.service->Push(actor, p.at("dataset"), req.body, false),
                             req);
        if (!r.rejected.empty()) {
          std::vector<FieldError> errors;
          for (const auto& e : r.rejected) errors.push_back({"/" + e.element, e.reason});
          std::string first = errors.front().field + ": " + errors.front().reason;
          return ProblemResponse(Status::InvalidArgument(std::move(first), std::move(errors)), req.request_id);
        }
        return PushAnswer(r, r.accepted > 0 ? 201 : 200);
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(kRecord)
      .Answers(R"json({"$ref": "#/components/schemas/DataPushResult"})json", 201)
      .AlsoAnswers(200, R"json({"$ref": "#/components/schemas/DataPushResult"})json");

  router.Add(Route{
      "POST", "/api/v1/data/datasets/{dataset}/records/bulk", "pushDataRecords",
      "Push record versions as NDJSON (application/x-ndjson: one record per line, up to [data] "
      "max_push_lines lines, within server.body_limit_bytes). Every line is validated; the good ones "
      "are committed together, each bad line is listed (line, element, reason). Pushing the same "
      "file again changes nothing (unchanged).",
      kPusher,
      [options](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(data::Actor actor, ActorOf(options, req), req);
        TB_ASSIGN_OR_PROBLEM(data::PushResult r, options.service->Push(actor, p.at("dataset"), req.body, true),
                             req);
        return PushAnswer(r, 200);
      },
      "application/json", "application/x-ndjson"})
      .Accepts(R"json({"type": "string", "contentMediaType": "application/x-ndjson",
                       "description": "One record object per line: {subject, key, version, fields}"})json")
      .Answers(R"json({"$ref": "#/components/schemas/DataPushResult"})json");

  router.Add(Route{
      "POST", "/api/v1/data/agreements", "requestDataAgreement",
      "Ask the department that owns a dataset to share named elements of it with the caller's "
      "department (供需对接): {dataset, elements[], purpose, legal_basis, until}. On the ledger.",
      kDepartment,
      [options](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(data::Actor actor, ActorOf(options, req), req);
        TB_ASSIGN_OR_PROBLEM(JsonBody body,
                             JsonBody::Parse(req.body, {"dataset", "elements", "purpose", "legal_basis", "until"}),
                             req);
        data::AgreementRequest in;
        in.consumer = actor;
        TB_ASSIGN_OR_PROBLEM(in.dataset, body.RequiredString("dataset", 64), req);
        TB_ASSIGN_OR_PROBLEM(in.elements, Elements(body.object(), "elements"), req);
        TB_ASSIGN_OR_PROBLEM(in.purpose, body.RequiredString("purpose", 200), req);
        TB_ASSIGN_OR_PROBLEM(in.legal_basis, body.RequiredString("legal_basis", 200), req);
        TB_ASSIGN_OR_PROBLEM(std::string until, body.RequiredString("until", 40), req);
        TB_ASSIGN_OR_PROBLEM(TimePoint t, ParseIso8601Utc(until, "/until"), req);
        in.valid_until = ToUnixMicros(t) / 1'000'000;
        TB_ASSIGN_OR_PROBLEM(data::Agreement a, options.service->RequestAgreement(in), req);
        return JsonAnswer(201, AgreementJson(options.service->catalogue(), a));
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["dataset", "elements", "purpose", "legal_basis", "until"],
        "properties": {
          "dataset": {"type": "string", "examples": ["household_registration"]},
          "elements": {"type": "array", "minItems": 1, "items": {"type": "string"}, "examples": [["name", "household_address"]]},
          "purpose": {"type": "string", "maxLength": 200, "examples": ["一证通办：窗口核验户籍"]},
          "legal_basis": {"type": "string", "maxLength": 200, "examples": ["《浙江省公共数据条例》第二十八条"]},
          "until": {"type": "string", "format": "date-time", "examples": ["2027-12-31T00:00:00Z"]}
        }
      })json")
      .Answers(kAgreement, 201);

  router.Add(Route{
      "GET", "/api/v1/data/agreements", "listDataAgreements",
      "Agreements of the caller's department, as consumer or provider, newest first (auditors and "
      "administrators: every agreement).",
      RouteAccess::Roles({"staff", "department_system", "auditor", "admin"}),
      [options](const HttpRequest& req, const PathParams&) {
        std::string department;
        if (req.principal->role != identity::Role::kAuditor && req.principal->role != identity::Role::kAdmin) {
          // A department outside the catalogue is party to no agreement: an empty list.
          TB_ASSIGN_OR_PROBLEM(auto actor, ActorIfAny(*options.identity, options.service->catalogue(), req), req);
          if (!actor) return JsonAnswer(200, object{{"items", array{}}});
          department = actor->department;
        }
        TB_ASSIGN_OR_PROBLEM(auto list, options.service->Agreements(department), req);
        array items;
        for (const auto& a : list) items.push_back(AgreementJson(options.service->catalogue(), a));
        return JsonAnswer(200, object{{"items", std::move(items)}});
      }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["items"],
                       "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/DataAgreement"}}}})json");

  const std::string kReason = R"json({
    "type": "object", "additionalProperties": false,
    "properties": {"reason": {"type": "string", "maxLength": 200, "examples": ["用途超出协议范围"]}}
  })json";
  struct Decision {
    const char* action;
    const char* operation;
    const char* summary;
  };
  for (const Decision& d :
       {Decision{"approve", "approveDataAgreement",
                 "The provider department approves a requested agreement (optional {reason}); reads under it may begin."},
        Decision{"reject", "rejectDataAgreement",
                 "The provider department rejects a requested agreement: {reason} is required."},
        Decision{"revoke", "revokeDataAgreement",
                 "Either department revokes a requested or approved agreement: {reason} is required; reads stop at once."}}) {
    const std::string action = d.action;
    router.Add(Route{
        "POST", "/api/v1/data/agreements/{id}/" + action, d.operation, d.summary, kDepartment,
        [options, action](const HttpRequest& req, const PathParams& p) {
          TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be an agreement id"), req);
          // A department outside the catalogue is party to no agreement: the same 404 as a missing one.
          TB_ASSIGN_OR_PROBLEM(data::Actor actor,
                               ActorOrMissing(*options.identity, options.service->catalogue(), req,
                                              Status::NotFound("agreement", std::to_string(id))),
                               req);
          TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body.empty() ? "{}" : req.body, {"reason"}), req);
          TB_ASSIGN_OR_PROBLEM(auto reason, body.OptionalString("reason", 200), req);
          Result<data::Agreement> a =
              action == "revoke" ? options.service->RevokeAgreement(actor, id, reason.value_or(""))
                                 : options.service->DecideAgreement(actor, id, action == "approve", reason.value_or(""));
          if (!a.ok()) return ProblemResponse(a.status(), req.request_id);
          return JsonAnswer(200, AgreementJson(options.service->catalogue(), *a));
        }})
        .Accepts(kReason, action == "approve" ? Route::Body::kOptional : Route::Body::kRequired)
        .Answers(kAgreement);
  }

  AddDataSubjectRoutes(router, options);
  if (options.feed != nullptr) AddDataFeedRoutes(router, options);
}

}  // namespace tongban::api
