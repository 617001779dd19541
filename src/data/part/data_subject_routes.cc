// The purpose-bound read and the subject's own routes (my data, who read it, my grants); see
// data_routes.h.
#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "data/part/data_routes.h"
#include "ledger/part/proof_cache.h"

namespace tongban::api {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using namespace data_routes;

namespace {

// The calling citizen's or enterprise's subject (citizen ID number or USCC).

value Department(const data::Catalogue& c, std::string_view key) {
  const data::Department* d = c.DepartmentByKey(key);
  if (d == nullptr) return object{{"key", key}, {"name_zh", key}, {"name_en", key}};
  return object{{"key", d->key}, {"name_zh", d->name_zh}, {"name_en", d->name_en}};
}

value DatasetName(const data::Catalogue& c, std::string_view code) {
  const data::Dataset* d = c.FindDataset(code);
  return object{{"code", code}, {"name_zh", d ? d->name_zh : std::string(code)},
                {"name_en", d ? d->name_en : std::string(code)}};
}

array Strings(const std::vector<std::string>& items) {
  array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

object GrantJson(const data::Catalogue& c, const data::Grant& g) {
  return object{{"id", g.id},
                {"department", Department(c, g.department)},
                {"dataset", DatasetName(c, g.dataset)},
                {"elements", Strings(g.elements)},
                {"purpose", g.purpose},
                {"until", IsoSeconds(g.valid_until)},
                {"created_at", IsoSeconds(g.created_at)},
                {"withdrawn_at", IsoSeconds(g.withdrawn_at)}};
}

// "agreement:12", "grant:3", "case:XH-2026-000123".
Result<std::pair<data::PurposeKind, std::string>> ParsePurpose(std::string_view text) {
  const size_t colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  const std::string_view ref = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (ref.empty() || ref.size() > 64) {
    return Status::InvalidField("purpose", "must be agreement:<id>, grant:<id> or case:<case number>");
  }
  if (kind == "agreement") return std::pair(data::PurposeKind::kAgreement, std::string(ref));
  if (kind == "grant") return std::pair(data::PurposeKind::kGrant, std::string(ref));
  if (kind == "case") return std::pair(data::PurposeKind::kCase, std::string(ref));
  return Status::InvalidField("purpose", "must be agreement:<id>, grant:<id> or case:<case number>");
}

std::vector<std::string> SplitElements(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    if (comma != 0) out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

void AddDataSubjectRoutes(Router& router, const DataRoutesOptions& options) {
  const RouteAccess kSubject = RouteAccess::Roles({"citizen", "enterprise"});

  router.AddSchema("DataGrant", R"json({
    "type": "object", "additionalProperties": false,
    "required": ["id", "department", "dataset", "elements", "purpose", "until", "created_at", "withdrawn_at"],
    "properties": {
      "id": {"type": "integer"},
      "department": {"$ref": "#/components/schemas/DataDepartment"},
      "dataset": {"$ref": "#/components/schemas/DataDatasetName"},
      "elements": {"type": "array", "items": {"type": "string"}},
      "purpose": {"type": "string", "examples": ["办理公积金提取"]},
      "until": {"type": ["string", "null"], "format": "date-time"},
      "created_at": {"type": ["string", "null"], "format": "date-time"},
      "withdrawn_at": {"type": ["string", "null"], "format": "date-time"}
    }
  })json");
  router.AddSchema("DataDatasetName", R"json({
    "type": "object", "additionalProperties": false, "required": ["code", "name_zh", "name_en"],
    "properties": {"code": {"type": "string", "examples": ["household_registration"]},
                   "name_zh": {"type": "string", "examples": ["户籍信息"]}, "name_en": {"type": "string"}}
  })json");

  router.Add(Route{
      "GET", "/api/v1/data/subjects/{subject}/datasets/{dataset}", "readSubjectData",
      "Read a person's or enterprise's data for a purpose: ?purpose=agreement:<id> | grant:<id> | "
      "case:<number> [&elements=a,b]. Only the elements the purpose covers, each with its source "
      "department and record version. The read is recorded (and ledgered) before it is answered, "
      "and the subject sees it; without a purpose that covers it: 403.",
      RouteAccess::Roles({"staff", "department_system"}),
      [options](const HttpRequest& req, const PathParams& p) {
        auto purpose_text = req.Query("purpose");
        if (!purpose_text) {
          return ProblemResponse(Status::InvalidField("purpose", "a read names its purpose"), req.request_id);
        }
        TB_ASSIGN_OR_PROBLEM(auto purpose, ParsePurpose(*purpose_text), req);
        auto actor_or = ActorOf(options, req);
        if (!actor_or.ok()) {
          // A department outside the catalogue has no purpose to read under: refused and counted
          // (a failure to load the account is not a refusal).
          if (actor_or.status().code() == ErrorCode::kPermissionDenied) options.service->CountRefusedRead();
          return ProblemResponse(actor_or.status(), req.request_id);
        }
        const data::Actor& actor = *actor_or;
        data::ReadRequest in;
        in.reader = actor;
        in.subject_id = p.at("subject");
        for (char& c : in.subject_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        in.dataset = p.at("dataset");
        in.elements = SplitElements(req.Query("elements").value_or(""));
        in.purpose = purpose.first;
        in.purpose_ref = purpose.second;
        TB_ASSIGN_OR_PROBLEM(data::ReadResult r, options.service->Read(in), req);
        const data::Catalogue& c = options.service->catalogue();
        array values;
        for (const auto& v : r.values) {
          values.push_back(object{{"element", v.element},
                                  {"value", v.value},
                                  {"source", Department(c, v.source)},
                                  {"record_key", v.record_key},
                                  {"record_version", v.record_version},
                                  {"recorded_at", IsoSeconds(v.recorded_at)}});
        }
        return JsonAnswer(200, object{{"access_id", r.access_id},
                                                   {"dataset", DatasetName(c, in.dataset)},
                                                   {"values", std::move(values)}});
      }})
      .Blocks()  // it writes the access record and waits for the commit: the handler pool
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["access_id", "dataset", "values"],
        "properties": {
          "access_id": {"type": "integer", "description": "The access record the subject sees"},
          "dataset": {"$ref": "#/components/schemas/DataDatasetName"},
          "values": {"type": "array", "items": {
            "type": "object", "additionalProperties": false,
            "required": ["element", "value", "source", "record_key", "record_version", "recorded_at"],
            "properties": {
              "element": {"type": "string", "examples": ["household_address"]},
              "value": {"type": ["string", "integer"], "examples": ["浙江省杭州市西湖区文三路 90 号"]},
              "source": {"$ref": "#/components/schemas/DataDepartment"},
              "record_key": {"type": "string"},
              "record_version": {"type": "integer", "minimum": 1},
              "recorded_at": {"type": ["string", "null"], "format": "date-time"}}}}
        }
      })json");

  router.Add(Route{
      "GET", "/api/v1/me/data", "listMyData",
      "The caller's own records on the platform (latest version of each), by dataset, with the "
      "department that holds each.",
      kSubject,
      [options](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(std::string subject, SubjectOf(*options.identity, req), req);
        TB_ASSIGN_OR_PROBLEM(auto records, options.service->SubjectRecords(subject), req);
        const data::Catalogue& c = options.service->catalogue();
        array items;
        for (const auto& r : records) {
          items.push_back(object{{"dataset", DatasetName(c, r.dataset)},
                                 {"source", Department(c, r.owner)},
                                 {"record_key", r.key},
                                 {"record_version", r.version},
                                 {"recorded_at", IsoSeconds(r.recorded_at)},
                                 {"fields", r.fields}});
        }
        return JsonAnswer(200, object{{"items", std::move(items)}});
      }})
      .ActsFor("data.view")
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {
          "type": "object", "additionalProperties": false,
          "required": ["dataset", "source", "record_key", "record_version", "recorded_at", "fields"],
          "properties": {
            "dataset": {"$ref": "#/components/schemas/DataDatasetName"},
            "source": {"$ref": "#/components/schemas/DataDepartment"},
            "record_key": {"type": "string"}, "record_version": {"type": "integer"},
            "recorded_at": {"type": ["string", "null"], "format": "date-time"},
            "fields": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}}}}}}
      })json");

  router.Add(Route{
      "GET", "/api/v1/me/data-access", "listMyDataAccess",
      "Every read of the caller's data, newest first (?before=<id> pages): who, which elements, for "
      "what purpose, when, and the inclusion proof of its ledger entry against a signed checkpoint "
      "(null until the entry is integrated), with the document the entry commits to.",
      kSubject,
      [options, proofs = std::make_shared<InclusionProofCache>()](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(std::string subject, SubjectOf(*options.identity, req), req);
        int64_t before = 0;
        if (auto b = req.Query("before")) {
          TB_ASSIGN_OR_PROBLEM(before, PositiveIntParam(*b, "before", "must be an access id"), req);
        }
        TB_ASSIGN_OR_PROBLEM(auto log, options.service->AccessLog(subject, before, 50), req);
        const data::Catalogue& c = options.service->catalogue();
        auto to_json = [&](const std::vector<data::AccessRecord>& records) -> Result<array> {
          array items;
          for (const auto& a : records) {
            value proof = nullptr;
            TB_ASSIGN_OR_RETURN(std::optional<uint64_t> leaf, options.service->AccessLeaf(a));
            if (leaf) {
              TB_ASSIGN_OR_RETURN(object json, proofs->GetOrLoad(*options.reader, *leaf));
              json["document"] = a.document;
              proof = std::move(json);
            }
            items.push_back(object{{"id", a.id},
                                   {"at", FormatIso8601Utc(FromUnixMicros(a.at_micros))},
                                   {"reader", Department(c, a.reader_department)},
                                   {"dataset", DatasetName(c, a.dataset)},
                                   {"elements", Strings(a.elements)},
                                   {"purpose", object{{"kind", data::PurposeKindName(a.purpose)},
                                                      {"ref", a.purpose_ref},
                                                      {"text", a.purpose_text}}},
                                   {"ledger", std::move(proof)}});
          }
          return items;
        };
        TB_ASSIGN_OR_PROBLEM(array items, to_json(log), req);
        // Change-feed deliveries of the subject's versions (the newest, on the first page).
        array deliveries;
        if (before == 0 && options.feed != nullptr) {
          TB_ASSIGN_OR_PROBLEM(auto fed, options.feed->Deliveries(subject), req);
          TB_ASSIGN_OR_PROBLEM(deliveries, to_json(fed), req);
        }
        value next = log.size() == 50 ? value(log.back().id) : value(nullptr);
        return JsonAnswer(200, object{{"items", std::move(items)},
                                                   {"deliveries", std::move(deliveries)},
                                                   {"next_before", next}});
      }})
      .ActsFor("data.view")
      .Answers(R"json({
        "type": "object", "additionalProperties": false, "required": ["items", "deliveries", "next_before"],
        "properties": {
          "next_before": {"type": ["integer", "null"], "description": "?before= for the next page; null at the end"},
          "deliveries": {"type": "array", "description": "Change-feed batches that carried a version of the caller's records to a consumer department under an agreement (first page only; newest first, at most 50); `id` is the delivery's",
                         "items": {"$ref": "#/components/schemas/DataAccess"}},
          "items": {"type": "array", "items": {"$ref": "#/components/schemas/DataAccess"}}
        }
      })json");
  router.AddSchema("DataAccess", R"json({
            "type": "object", "additionalProperties": false,
            "required": ["id", "at", "reader", "dataset", "elements", "purpose", "ledger"],
            "properties": {
              "id": {"type": "integer"},
              "at": {"type": "string", "format": "date-time"},
              "reader": {"$ref": "#/components/schemas/DataDepartment"},
              "dataset": {"$ref": "#/components/schemas/DataDatasetName"},
              "elements": {"type": "array", "items": {"type": "string"}},
              "purpose": {"type": "object", "additionalProperties": false, "required": ["kind", "ref", "text"],
                          "properties": {"kind": {"enum": ["agreement", "grant", "case"]},
                                         "ref": {"type": "string"}, "text": {"type": "string"}}},
              "ledger": {"oneOf": [{"type": "null"},
                                   {"allOf": [{"$ref": "#/components/schemas/InclusionProof"},
                                              {"type": "object", "required": ["document"],
                                               "properties": {"document": {"type": "string", "description": "What the entry commits to: H(document)"}}}]}]}}})json");

  router.Add(Route{"GET", "/api/v1/me/data-grants", "listMyDataGrants",
                   "The caller's grants: which department may read which elements, why, until when.",
                   kSubject,
                   [options](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(std::string subject, SubjectOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(auto grants, options.service->Grants(subject), req);
                     array items;
                     for (const auto& g : grants) items.push_back(GrantJson(options.service->catalogue(), g));
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["items"],
                       "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/DataGrant"}}}})json");

  router.Add(Route{
      "POST", "/api/v1/me/data-grants", "grantDataAccess",
      "Let a department read named elements of a dataset about the caller for a purpose, for N days "
      "(1-366): {department, dataset, elements[], purpose, days}. On the ledger; withdraw it any time.",
      kSubject,
      [options](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(std::string subject, SubjectOf(*options.identity, req), req);
        TB_ASSIGN_OR_PROBLEM(JsonBody body,
                             JsonBody::Parse(req.body, {"department", "dataset", "elements", "purpose", "days"}), req);
        data::GrantRequest in;
        in.subject_id = subject;
        TB_ASSIGN_OR_PROBLEM(in.department, body.RequiredString("department", 64), req);
        TB_ASSIGN_OR_PROBLEM(in.dataset, body.RequiredString("dataset", 64), req);
        TB_ASSIGN_OR_PROBLEM(in.elements, Elements(body.object(), "elements"), req);
        TB_ASSIGN_OR_PROBLEM(in.purpose, body.RequiredString("purpose", 200), req);
        TB_ASSIGN_OR_PROBLEM(int64_t days, body.RequiredInt("days"), req);
        // The configured limit ([data] max_grant_days) is the service's to check and name.
        if (days < 1 || days > 3660) {
          return ProblemResponse(Status::InvalidField("/days", "must be 1-3660 at most"), req.request_id);
        }
        in.days = static_cast<int>(days);
        TB_ASSIGN_OR_PROBLEM(data::Grant g, options.service->GrantAccess(in), req);
        return JsonAnswer(201, GrantJson(options.service->catalogue(), g));
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false,
        "required": ["department", "dataset", "elements", "purpose", "days"],
        "properties": {
          "department": {"type": "string", "description": "Department key", "examples": ["hz-housing-fund"]},
          "dataset": {"type": "string", "examples": ["household_registration"]},
          "elements": {"type": "array", "minItems": 1, "items": {"type": "string"}, "examples": [["name", "household_address"]]},
          "purpose": {"type": "string", "maxLength": 200, "examples": ["办理公积金提取"]},
          "days": {"type": "integer", "minimum": 1, "maximum": 366, "examples": [30]}
        }
      })json")
      .Answers(R"json({"$ref": "#/components/schemas/DataGrant"})json", 201);

  router.Add(Route{"POST", "/api/v1/me/data-grants/{id}/withdraw", "withdrawDataGrant",
                   "Withdraw one of the caller's grants: reads under it stop at once; 404 for another's.",
                   kSubject,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(std::string subject, SubjectOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a grant id"), req);
                     TB_ASSIGN_OR_PROBLEM(data::Grant g, options.service->WithdrawGrant(subject, id), req);
                     return JsonAnswer(200, GrantJson(options.service->catalogue(), g));
                   }})
      .Answers(R"json({"$ref": "#/components/schemas/DataGrant"})json");
}

}  // namespace tongban::api
