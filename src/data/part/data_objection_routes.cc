// Data objection routes; see data_objection_routes.h.
#include "data/part/data_objection_routes.h"

#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "data/part/data_routes.h"

namespace tongban::api {

using boost::json::array;
using boost::json::object;
using boost::json::value;

namespace {

using data_routes::SubjectOf;

// The caller's department, or the 404 of objection `id` when it is outside the catalogue.
Result<data::Actor> DeciderOf(const DataObjectionRoutesOptions& options, const HttpRequest& req, int64_t id) {
  return data_routes::ActorOrMissing(*options.identity, options.service->catalogue(), req,
                                     Status::NotFound("objection", std::to_string(id)));
}

value Named(std::string_view code, const std::string* zh, const std::string* en, std::string_view key = "code") {
  return object{{key, code}, {"name_zh", zh ? *zh : std::string(code)}, {"name_en", en ? *en : std::string(code)}};
}

object ObjectionJson(const data::Catalogue& c, const data::Objection& o, int64_t now) {
  const data::Dataset* ds = c.FindDataset(o.dataset);
  const data::Element* el = ds ? ds->FindElement(o.element) : nullptr;
  const data::Department* dep = c.DepartmentByKey(o.owner);
  array steps;
  for (const data::ObjectionStep& s : o.steps) {
    steps.push_back(object{{"action", s.action},
                           {"at", FormatIso8601Utc(FromUnixMicros(s.at_micros))},
                           {"by", s.actor},
                           {"note", s.note},
                           {"version", s.version ? value(*s.version) : value(nullptr)},
                           {"document", s.document}});
  }
  return object{{"id", o.id},
                {"dataset", Named(o.dataset, ds ? &ds->name_zh : nullptr, ds ? &ds->name_en : nullptr)},
                {"record_key", o.record_key},
                {"record_version", o.record_version},
                {"element", Named(o.element, el ? &el->name_zh : nullptr, el ? &el->name_en : nullptr)},
                {"recorded_value", o.recorded},
                {"claimed_value", o.claimed},
                {"reason", o.reason},
                {"department", Named(o.owner, dep ? &dep->name_zh : nullptr, dep ? &dep->name_en : nullptr, "key")},
                {"state", data::ObjectionStateName(o.state)},
                {"raised_at", IsoSeconds(o.raised_at)},
                {"due_date", o.due_date.ToString()},
                {"due_at", IsoSeconds(o.due_at)},
                {"overdue", o.Undecided() && now >= o.due_at},
                {"escalated_at", IsoSeconds(o.escalated_at)},
                {"decided_at", IsoSeconds(o.decided_at)},
                {"decision", o.decision},
                {"corrected_version", o.corrected_version ? value(*o.corrected_version) : value(nullptr)},
                {"steps", std::move(steps)}};
}

// Now, for "overdue": the requests' own time is not at hand in a handler; the service's clock is.
int64_t NowSeconds(const DataObjectionRoutesOptions& o) { return o.objections->clock().NowUnixMicros() / 1'000'000; }

constexpr std::string_view kObjectionSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["id", "dataset", "record_key", "record_version", "element", "recorded_value", "claimed_value",
               "reason", "department", "state", "raised_at", "due_date", "due_at", "overdue", "escalated_at",
               "decided_at", "decision", "corrected_version", "steps"],
  "properties": {
    "id": {"type": "integer"},
    "dataset": {"$ref": "#/components/schemas/DataDatasetName"},
    "record_key": {"type": "string", "examples": ["HJ-330106-0000213"]},
    "record_version": {"type": "integer", "minimum": 1, "description": "The version disputed"},
    "element": {"type": "object", "additionalProperties": false, "required": ["code", "name_zh", "name_en"],
                "properties": {"code": {"type": "string", "examples": ["household_address"]},
                               "name_zh": {"type": "string", "examples": ["户籍地址"]}, "name_en": {"type": "string"}}},
    "recorded_value": {"type": ["string", "number", "null"], "description": "The element in the disputed version"},
    "claimed_value": {"type": ["string", "number", "null"], "description": "What the subject says it should be (null: not said)"},
    "reason": {"type": "string", "examples": ["门牌号登记错误，应为 98 号"]},
    "department": {"$ref": "#/components/schemas/DataDepartment"},
    "state": {"enum": ["open", "escalated", "accepted", "rejected"]},
    "raised_at": {"type": ["string", "null"], "format": "date-time"},
    "due_date": {"type": "string", "format": "date", "description": "Due by the end of this day (China time): [data] objection_days working days after it was raised"},
    "due_at": {"type": ["string", "null"], "format": "date-time"},
    "overdue": {"type": "boolean"},
    "escalated_at": {"type": ["string", "null"], "format": "date-time"},
    "decided_at": {"type": ["string", "null"], "format": "date-time"},
    "decision": {"type": "string", "description": "The rejection's reason or the acceptance's note"},
    "corrected_version": {"type": ["integer", "null"], "description": "Accepted: the record version that holds the correction"},
    "steps": {"type": "array", "items": {
      "type": "object", "additionalProperties": false, "required": ["action", "at", "by", "note", "version", "document"],
      "properties": {
        "action": {"enum": ["raise", "escalate", "accept", "reject"]},
        "at": {"type": "string", "format": "date-time"},
        "by": {"type": "string", "description": "subject, the department key, or system (the overdue sweep)"},
        "note": {"type": "string"},
        "version": {"type": ["integer", "null"]},
        "document": {"type": "string", "description": "What the step's ledger entry commits to: H(document); values and reasons appear only as hashes"}}}}
  }
})json";

}  // namespace

void AddDataObjectionRoutes(Router& router, const DataObjectionRoutesOptions& options) {
  const RouteAccess kSubject = RouteAccess::Roles({"citizen", "enterprise"});
  // Deciding pushes a record version: department staff, or a department's system with the push
  // scope (a system key for, say, receipts cannot rewrite the department's data this way).
  const RouteAccess kDecider = RouteAccess::Roles({"staff", "scope:data:push"});
  router.AddSchema("DataObjection", std::string(kObjectionSchema));
  const std::string kOne = R"json({"$ref": "#/components/schemas/DataObjection"})json";
  const std::string kList = R"json({"type": "object", "additionalProperties": false, "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/DataObjection"}}}})json";

  router.Add(Route{
      "POST", "/api/v1/me/data/objections", "raiseDataObjection",
      "Dispute an element of one of the caller's records (数据异议): {dataset, record_key, element, "
      "claimed_value?, reason}. It goes to the department that owns the dataset, due within [data] "
      "objection_days working days; an overdue one is escalated. 404 for a record that is not the "
      "caller's; 409 while an objection to the same element waits for a decision.",
      kSubject,
      [options](const HttpRequest& req, const PathParams&) {
        TB_ASSIGN_OR_PROBLEM(std::string subject, SubjectOf(*options.identity, req), req);
        TB_ASSIGN_OR_PROBLEM(JsonBody body,
                             JsonBody::Parse(req.body, {"dataset", "record_key", "element", "claimed_value", "reason"}),
                             req);
        data::ObjectionRequest in;
        in.subject_id = subject;
        TB_ASSIGN_OR_PROBLEM(in.dataset, body.RequiredString("dataset", 64), req);
        TB_ASSIGN_OR_PROBLEM(in.record_key, body.RequiredString("record_key", 64), req);
        TB_ASSIGN_OR_PROBLEM(in.element, body.RequiredString("element", 48), req);
        TB_ASSIGN_OR_PROBLEM(in.reason, body.RequiredString("reason", 500), req);
        if (const value* v = body.object().if_contains("claimed_value")) in.claimed = *v;
        TB_ASSIGN_OR_PROBLEM(data::Objection o, options.objections->Raise(in), req);
        return JsonAnswer(201, ObjectionJson(options.objections->catalogue(), o, NowSeconds(options)));
      },
      "application/json", "application/json", /*idempotent=*/true})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["dataset", "record_key", "element", "reason"],
        "properties": {
          "dataset": {"type": "string", "examples": ["household_registration"]},
          "record_key": {"type": "string", "maxLength": 64, "examples": ["HJ-330106-0000213"]},
          "element": {"type": "string", "examples": ["household_address"]},
          "claimed_value": {"type": ["string", "number", "null"], "examples": ["浙江省杭州市西湖区文三路 98 号"]},
          "reason": {"type": "string", "minLength": 1, "maxLength": 500, "examples": ["门牌号登记错误，应为 98 号"]}
        }
      })json")
      .Answers(kOne, 201);

  router.Add(Route{"GET", "/api/v1/me/data/objections", "listMyDataObjections",
                   "The caller's objections, newest first, each with every step (raised, escalated, "
                   "accepted with the corrected version, rejected with the reason).",
                   kSubject,
                   [options](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(std::string subject, SubjectOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(auto list, options.objections->Mine(subject), req);
                     array items;
                     const int64_t now = NowSeconds(options);
                     for (const auto& o : list) items.push_back(ObjectionJson(options.objections->catalogue(), o, now));
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .Answers(kList);

  router.Add(Route{"GET", "/api/v1/me/data/objections/{id}", "getMyDataObjection",
                   "One of the caller's objections with its steps; 404 for another's.", kSubject,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be an objection id"), req);
                     TB_ASSIGN_OR_PROBLEM(std::string subject, SubjectOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(data::Objection o, options.objections->MineOne(subject, id), req);
                     return JsonAnswer(200, ObjectionJson(options.objections->catalogue(), o, NowSeconds(options)));
                   }})
      .Answers(kOne);

  router.Add(Route{
      "GET", "/api/v1/data/objections", "listDataObjections",
      "Objections to the caller's department's data, earliest due first (?state=open: undecided, the "
      "default; overdue: undecided and past due; escalated; decided; all). Auditors and "
      "administrators see every department's: the escalated ones are their list.",
      RouteAccess::Roles({"staff", "department_system", "auditor", "admin"}),
      [options](const HttpRequest& req, const PathParams&) {
        auto filter = data::ParseObjectionFilter(req.Query("state").value_or("open"));
        if (!filter) {
          return ProblemResponse(Status::InvalidField("state", "must be open, overdue, escalated, decided or all"),
                                 req.request_id);
        }
        std::string department;
        if (req.principal->role != identity::Role::kAuditor && req.principal->role != identity::Role::kAdmin) {
          // A department outside the catalogue owns no data: nothing to answer.
          TB_ASSIGN_OR_PROBLEM(auto actor, data_routes::ActorIfAny(*options.identity, options.service->catalogue(), req),
                               req);
          if (!actor) return JsonAnswer(200, object{{"items", array{}}});
          department = actor->department;
        }
        TB_ASSIGN_OR_PROBLEM(auto list, options.objections->Queue(department, *filter), req);
        array items;
        const int64_t now = NowSeconds(options);
        for (const auto& o : list) items.push_back(ObjectionJson(options.objections->catalogue(), o, now));
        return JsonAnswer(200, object{{"items", std::move(items)}});
      }})
      .Answers(kList);

  router.Add(Route{
      "POST", "/api/v1/data/objections/{id}/accept", "acceptDataObjection",
      "The owner department accepts: {value, note?}. The next version of the record is pushed with the "
      "element set to `value` (checked as any push; the disputed version is kept), the objection is "
      "closed and the subject sees the step. 404 for another department's objection.",
      kDecider,
      [options](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be an objection id"), req);
        TB_ASSIGN_OR_PROBLEM(data::Actor actor, DeciderOf(options, req, id), req);
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"value", "note"}), req);
        const value* v = body.object().if_contains("value");
        if (v == nullptr) {
          return ProblemResponse(Status::InvalidField("/value", "is required: the corrected value (null: not held)"),
                                 req.request_id);
        }
        TB_ASSIGN_OR_PROBLEM(auto note, body.OptionalString("note", 500), req);
        TB_ASSIGN_OR_PROBLEM(data::Objection o, options.objections->Accept(actor, id, *v, note.value_or("")), req);
        return JsonAnswer(200, ObjectionJson(options.objections->catalogue(), o, NowSeconds(options)));
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["value"],
        "properties": {
          "value": {"type": ["string", "number", "null"], "examples": ["浙江省杭州市西湖区文三路 98 号"]},
          "note": {"type": "string", "maxLength": 500, "examples": ["已核实户籍档案"]}
        }
      })json")
      .Answers(kOne);

  router.Add(Route{
      "POST", "/api/v1/data/objections/{id}/reject", "rejectDataObjection",
      "The owner department rejects: {reason} (1-500 bytes), which the subject sees. 404 for another "
      "department's objection.",
      kDecider,
      [options](const HttpRequest& req, const PathParams& p) {
        TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be an objection id"), req);
        TB_ASSIGN_OR_PROBLEM(data::Actor actor, DeciderOf(options, req, id), req);
        TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"reason"}), req);
        TB_ASSIGN_OR_PROBLEM(std::string reason, body.RequiredString("reason", 500), req);
        TB_ASSIGN_OR_PROBLEM(data::Objection o, options.objections->Reject(actor, id, reason), req);
        return JsonAnswer(200, ObjectionJson(options.objections->catalogue(), o, NowSeconds(options)));
      }})
      .Accepts(R"json({
        "type": "object", "additionalProperties": false, "required": ["reason"],
        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500,
                                  "examples": ["经核查户籍档案，门牌号登记无误"]}}
      })json")
      .Answers(kOne);
}

}  // namespace tongban::api
