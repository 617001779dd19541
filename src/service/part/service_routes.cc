// "One thing" service routes; see service_routes.h. Contracts: docs/service.md, /api/v1/openapi.json.
#include "service/part/service_routes.h"

#include <boost/json.hpp>

#include "api/json_answer.h"
#include "api/json_body.h"
#include "api/problem.h"
#include "core/mask.h"
#include "service/part/service_route_helpers.h"

namespace tongban::api {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using service::Bundle;
using service::Case;
using service::CaseService;
using service::Party;
using service::ServiceCatalogue;
using service::Task;
using service_routes::DepartmentJson;
using service_routes::ItemJson;
using service_routes::MayApply;
using service_routes::MayApplyTo;
using service_routes::PersonOf;
using service_routes::StaffIfAny;
using service_routes::StaffOf;

namespace {

object FieldJson(const data::Catalogue& dc, const service::Field& f) {
  array codes;
  for (const auto& x : f.codes) codes.emplace_back(x);
  value source = nullptr;
  if (f.source) {
    const data::Dataset* ds = dc.FindDataset(f.source->dataset);
    source = object{{"dataset", f.source->dataset},
                    {"element", f.source->element},
                    {"department", DepartmentJson(dc, ds ? ds->owner : "")}};
  }
  return object{{"code", f.code}, {"name_zh", f.name_zh}, {"name_en", f.name_en},
                {"party", service::PartyName(f.subject)}, {"type", service::FieldTypeName(f.type)},
                {"codes", std::move(codes)}, {"required", f.required}, {"source", std::move(source)}};
}

object MaterialJson(const service::Material& m) {
  return object{{"code", m.code}, {"name_zh", m.name_zh}, {"name_en", m.name_en},
                {"party", service::PartyName(m.subject)},
                {"license_type", m.license.empty() ? value(nullptr) : value(m.license)},
                {"upload", m.upload}, {"required", m.required}};
}

object BundleJson(const ServiceCatalogue& c, const data::Catalogue& dc, const Bundle& b) {
  array steps;
  for (const service::Step& s : b.steps) {
    const service::Item* it = c.FindItem(s.item);
    array after;
    for (const auto& a : s.after) after.emplace_back(a);
    steps.push_back(object{{"item", s.item},
                           {"name_zh", it->name_zh},
                           {"name_en", it->name_en},
                           {"department", DepartmentJson(dc, it->department)},
                           {"time_limit_days", it->time_limit_days},
                           {"fee_fen", it->fee_fen},
                           {"cross_province", it->cross_province},
                           {"output", it->output.empty() ? value(nullptr) : value(it->output)},
                           {"after", std::move(after)}});
  }
  array fields, materials;
  for (const service::Field* f : c.FormFields(b)) fields.push_back(FieldJson(dc, *f));
  for (const service::Material* m : c.FormMaterials(b)) materials.push_back(MaterialJson(*m));
  value co = nullptr;
  if (b.has_co_applicant()) co = object{{"name_zh", b.co_applicant_zh}, {"name_en", b.co_applicant_en}};
  return object{{"code", b.code}, {"name_zh", b.name_zh}, {"name_en", b.name_en}, {"single", b.single},
                {"department", DepartmentJson(dc, b.department)}, {"co_applicant", std::move(co)},
                {"old_visits", b.old_visits}, {"steps", std::move(steps)}, {"fields", std::move(fields)},
                {"materials", std::move(materials)}};
}

// An automatic decision as the citizen and staff read it: the outcome, the rows that fired, the
// input values with their labels, the reasons in zh and en, the rule version (docs/rules.md).
value DecisionJson(const service::DecisionRecord* d) {
  if (d == nullptr) return nullptr;
  object j = d->explanation;
  j["id"] = d->id;
  j["rule_hash"] = d->rule_hash;
  j["decided_on"] = d->decided_on;
  j["at"] = FormatIso8601Utc(FromUnixMicros(d->at));
  j["document"] = d->document;
  return j;
}

value AppealJson(const service::Appeal* a) {
  if (a == nullptr) return nullptr;
  return object{{"id", a->id},
                {"case_id", a->case_id},
                {"case_number", a->case_number},
                {"task_id", a->task_id},
                {"item", a->item},
                {"decision_id", a->decision_id},
                {"state", service::AppealStateName(a->state)},
                {"reason", a->reason},
                {"filed_at", IsoSeconds(a->filed_at)},
                {"due_at", IsoSeconds(a->due_at)},
                {"decided_at", IsoSeconds(a->decided_at)},
                {"decided_by", a->decided_by_name.empty() ? value(nullptr) : value(a->decided_by_name)},
                {"answer", a->answer}};
}

// `c`: the task's case with its decisions and appeals, when they are shown (case views).
object TaskJson(const CaseService& s, const data::Catalogue& dc, const Task& t, const Case* c = nullptr) {
  const service::DecisionRecord* decision = nullptr;
  const service::Appeal* appeal = nullptr;
  if (c != nullptr) {
    for (const auto& d : c->decisions) {
      if (d.task_id == t.id) decision = &d;
    }
    for (const auto& a : c->appeals) {
      if (a.task_id == t.id) appeal = &a;
    }
  }
  array licenses;
  for (const auto& l : t.licenses) licenses.emplace_back(l);
  const int64_t now = s.NowSeconds();
  const bool running = t.state == service::TaskState::kReady || t.state == service::TaskState::kClaimed;
  return object{{"id", t.id},
                {"case_id", t.case_id},
                {"case_number", t.case_number},
                {"item", ItemJson(s.catalogue(), t.item)},
                {"department", DepartmentJson(dc, t.department)},
                {"state", service::TaskStateName(t.state)},
                {"claimed_by", t.claimed_by_name.empty() ? value(nullptr) : value(t.claimed_by_name)},
                {"ready_at", IsoSeconds(t.ready_at)},
                {"due_date", t.due_date ? value(t.due_date->ToString()) : value(nullptr)},
                {"due_at", IsoSeconds(t.due_at)},
                {"due_soon", s.DueSoon(t)},
                {"overdue", running && t.due_at && now >= *t.due_at},
                {"paused_days", t.paused_days},
                {"escalated_at", IsoSeconds(t.escalated_at)},
                {"decided_at", IsoSeconds(t.decided_at)},
                {"reason", t.reason},
                {"licenses", std::move(licenses)},
                {"instant", s.HasRules(t.item)},
                {"decided_by", t.AutoDecided() ? value("rules") : (t.decided_at ? value("staff") : value(nullptr))},
                {"decision", DecisionJson(decision)},
                {"appeal", AppealJson(appeal)},
                {"appealable", c != nullptr && appeal == nullptr && s.Appealable(t)}};
}

// The case as its applicants (`staff` false) or a department (`staff` true) see it. `wallet`: for
// the citizen, the valid licences of their wallet by type (免交 suggestions).
object CaseJson(const CaseService& s, const data::Catalogue& dc, const Case& c, bool staff,
                const std::map<std::string, std::vector<std::string>>& wallet = {}, Party viewer = Party::kApplicant) {
  const ServiceCatalogue& cat = s.catalogue();
  const Bundle* b = cat.FindBundle(c.bundle);
  const object empty;
  const object& stored_fields = c.form.contains("fields") && c.form.at("fields").is_object() ? c.form.at("fields").as_object() : empty;
  const object& stored_materials =
      c.form.contains("materials") && c.form.at("materials").is_object() ? c.form.at("materials").as_object() : empty;
  array fields, materials;
  if (b != nullptr) {
    for (const service::Field* f : cat.FormFields(*b)) {
      object j = FieldJson(dc, *f);
      value v = nullptr;
      value source = nullptr;
      if (auto it = stored_fields.find(f->code); it != stored_fields.end() && it->value().is_object()) {
        const object& slot = it->value().as_object();
        if (slot.contains("value")) v = slot.at("value");
        if (const value* src = slot.if_contains("source")) {
          const object& so = src->as_object();
          source = object{{"department", DepartmentJson(dc, so.at("department").as_string())},
                          {"dataset", so.at("dataset")},
                          {"element", so.at("element")},
                          {"record_key", so.at("record_key")},
                          {"record_version", so.at("record_version")}};
        }
      }
      const bool prefilled = !source.is_null();
      j["source"] = std::move(source);
      j["value"] = std::move(v);
      j["prefilled"] = prefilled;
      j["editable"] = !staff && !prefilled && f->subject == viewer;
      fields.push_back(std::move(j));
    }
    for (const service::Material* m : cat.FormMaterials(*b)) {
      object j = MaterialJson(*m);
      value attached = nullptr;
      if (auto it = stored_materials.find(m->code); it != stored_materials.end() && it->value().is_object()) {
        const object& a = it->value().as_object();
        if (a.contains("license_id")) {
          attached = object{{"license_id", a.at("license_id")}, {"type", a.at("type")},
                            {"verified_at", IsoSeconds(a.at("verified_at").to_number<int64_t>())}};
        } else {
          attached = object{{"upload", object{{"sha", a.at("upload")}, {"mime", a.at("mime")}, {"size", a.at("size")}}},
                            {"verified_at", IsoSeconds(a.at("verified_at").to_number<int64_t>())}};
        }
      }
      array available;
      if (!staff && m->subject == viewer && !m->license.empty()) {
        if (auto w = wallet.find(m->license); w != wallet.end()) {
          for (const auto& id : w->second) available.emplace_back(id);
        }
      }
      j["attached"] = std::move(attached);
      j["available"] = std::move(available);
      materials.push_back(std::move(j));
    }
  }
  array tasks, events;
  for (const Task& t : c.tasks) tasks.push_back(TaskJson(s, dc, t, &c));
  for (const service::CaseEvent& e : c.events) {
    events.push_back(object{{"action", e.action},
                            {"by", e.actor},
                            {"at", FormatIso8601Utc(FromUnixMicros(e.at_micros))},
                            {"task_id", e.task_id ? value(*e.task_id) : value(nullptr)},
                            {"note", e.note},
                            {"document", e.document}});
  }
  value co = nullptr;
  if (!c.co_applicant_subject.empty()) {
    co = object{{"name", c.co_applicant_name},
                {"id_masked", MaskIdentifier(c.co_applicant_subject)},
                {"confirmed", c.co_applicant_account.has_value()}};
  }
  const int old_visits = b ? b->old_visits : 0;
  return object{{"id", c.id},
                {"case_number", c.case_number},
                {"bundle", object{{"code", c.bundle},
                                  {"name_zh", b ? b->name_zh : c.bundle},
                                  {"name_en", b ? b->name_en : c.bundle},
                                  {"co_applicant_zh", b ? b->co_applicant_zh : ""},
                                  {"co_applicant_en", b ? b->co_applicant_en : ""}}},
                {"state", service::CaseStateName(c.state)},
                {"role", staff ? "department" : service::PartyName(viewer)},
                {"applicant", object{{"name", c.applicant_name}, {"id_masked", MaskIdentifier(c.applicant_subject)}}},
                {"co_applicant", std::move(co)},
                {"fields", std::move(fields)},
                {"materials", std::move(materials)},
                {"tasks", std::move(tasks)},
                {"events", std::move(events)},
                {"created_at", IsoSeconds(c.created_at)},
                {"submitted_at", IsoSeconds(c.submitted_at)},
                {"completed_at", IsoSeconds(c.completed_at)},
                {"figures", object{{"fields_prefilled", c.fields_prefilled},
                                   {"fields_asked", c.fields_asked},
                                   {"materials_from_wallet", c.materials_from_wallet},
                                   {"materials_uploaded", c.materials_uploaded},
                                   {"old_visits", old_visits},
                                   {"visits_made", 0}}}};
}

Result<identity::Account> AccountOf(const ServiceRoutesOptions& o, const HttpRequest& req) {
  return o.identity->GetAccount(req.principal->account_id);
}

// Case {id} of the path, as the calling staff member's department may see it (404 otherwise).
Result<Case> StaffCase(const ServiceRoutesOptions& o, const HttpRequest& req, const PathParams& p) {
  TB_ASSIGN_OR_RETURN(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a case id"));
  TB_ASSIGN_OR_RETURN(service::Staff staff,
                      StaffOf(*o.identity, *o.data_catalogue, req, Status::NotFound("case", std::to_string(id))));
  return o.service->CaseForStaff(staff, id);
}

// The caller's wallet by licence type (valid licences only).
std::map<std::string, std::vector<std::string>> WalletOf(const ServiceRoutesOptions& o, const std::string& subject) {
  std::map<std::string, std::vector<std::string>> out;
  auto wallet = o.licenses->Wallet(subject);
  if (!wallet.ok()) return out;
  const int64_t now = o.licenses->NowSeconds();
  for (const license::License& l : *wallet) {
    // Only their own: a ward's licence (a child's) is not the caller's material.
    if (l.holder_subject == subject && l.EffectiveStatus(now) == license::LicenseStatus::kValid) {
      out[l.type].push_back(l.id);
    }
  }
  return out;
}

Party ViewerOf(const Case& c, const std::string& subject) {
  return c.applicant_subject == subject ? Party::kApplicant : Party::kCoApplicant;
}

// {"answers": {...}, "materials": [{"code", "license_id"}]} into Answers.
Result<service::Answers> AnswersOf(const object& body) {
  service::Answers a;
  if (const value* f = body.if_contains("answers")) {
    if (!f->is_object()) return Status::InvalidField("/answers", "must be an object of field code to value");
    a.fields = f->as_object();
  }
  if (const value* m = body.if_contains("materials")) {
    if (!m->is_array()) return Status::InvalidField("/materials", "must be an array of {code, license_id}");
    size_t i = 0;
    for (const value& e : m->as_array()) {
      const std::string at = "/materials/" + std::to_string(i++);
      if (!e.is_object()) return Status::InvalidField(at, "must be an object {code, license_id}");
      const object& o = e.as_object();
      TB_RETURN_IF_ERROR(RejectUnknownFields(o, {"code", "license_id"}, at));
      TB_ASSIGN_OR_RETURN(auto code, OptionalStringField(o, "code", at, 64));
      TB_ASSIGN_OR_RETURN(auto license_id, OptionalStringField(o, "license_id", at, 128));
      if (!code || code->empty()) return Status::InvalidField(at + "/code", "is required");
      if (!license_id || license_id->empty()) return Status::InvalidField(at + "/license_id", "is required");
      a.materials.push_back({std::move(*code), std::move(*license_id)});
    }
  }
  return a;
}

constexpr std::string_view kDepartmentSchema = R"json({
  "type": "object", "additionalProperties": false, "required": ["key", "name_zh", "name_en"],
  "properties": {"key": {"type": "string", "examples": ["hz-civil-affairs"]},
                 "name_zh": {"type": "string", "examples": ["杭州市民政局"]}, "name_en": {"type": "string"}}
})json";

constexpr std::string_view kFieldSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["code", "name_zh", "name_en", "party", "type", "codes", "required", "source"],
  "properties": {
    "code": {"type": "string", "examples": ["applicant_name"]},
    "name_zh": {"type": "string", "examples": ["申请人姓名"]}, "name_en": {"type": "string"},
    "party": {"enum": ["applicant", "co_applicant"]},
    "type": {"enum": ["string", "date", "integer", "fen", "code", "citizen_id", "uscc"]},
    "codes": {"type": "array", "items": {"type": "string"}},
    "required": {"type": "boolean"},
    "source": {"description": "Pre-filled from this department's data (not editable); null: asked",
               "oneOf": [{"type": "null"}, {"type": "object", "additionalProperties": false,
                 "required": ["dataset", "element", "department"],
                 "properties": {"dataset": {"type": "string"}, "element": {"type": "string"},
                                "department": {"$ref": "#/components/schemas/ServiceDepartment"},
                                "record_key": {"type": "string"}, "record_version": {"type": "integer"}}}]},
    "value": {"type": ["string", "integer", "number", "null"]},
    "prefilled": {"type": "boolean"},
    "editable": {"type": "boolean", "description": "The caller answers it (asked, and theirs)"}
  }
})json";

constexpr std::string_view kMaterialSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["code", "name_zh", "name_en", "party", "license_type", "upload", "required"],
  "properties": {
    "code": {"type": "string", "examples": ["applicant_id_card"]},
    "name_zh": {"type": "string"}, "name_en": {"type": "string"},
    "party": {"enum": ["applicant", "co_applicant"]},
    "license_type": {"type": ["string", "null"], "description": "A licence of this type satisfies it (免交)"},
    "upload": {"type": "boolean"}, "required": {"type": "boolean"},
    "attached": {"oneOf": [{"type": "null"},
      {"type": "object", "additionalProperties": false, "required": ["license_id", "type", "verified_at"],
       "description": "A licence of the wallet, verified (免交)",
       "properties": {"license_id": {"type": "string"}, "type": {"type": "string"},
                      "verified_at": {"type": ["string", "null"], "format": "date-time"}}},
      {"type": "object", "additionalProperties": false, "required": ["upload", "verified_at"],
       "description": "An uploaded file, typed by its content and stored once by its hash",
       "properties": {"upload": {"type": "object", "additionalProperties": false, "required": ["sha", "mime", "size"],
                                 "properties": {"sha": {"type": "string"}, "mime": {"enum": ["image/jpeg", "image/png", "application/pdf"]},
                                                "size": {"type": "integer"}}},
                      "verified_at": {"type": ["string", "null"], "format": "date-time"}}}]},
    "available": {"type": "array", "items": {"type": "string"},
                  "description": "Valid licences of the type in the caller's wallet"}
  }
})json";

constexpr std::string_view kTaskSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["id", "case_id", "case_number", "item", "department", "state", "claimed_by", "ready_at", "due_date",
               "due_at", "due_soon", "overdue", "paused_days", "escalated_at", "decided_at", "reason", "licenses"],
  "properties": {
    "id": {"type": "integer"}, "case_id": {"type": "integer"},
    "case_number": {"type": "string", "examples": ["YJS20261207000042"]},
    "item": {"type": "object", "additionalProperties": false, "required": ["code", "name_zh", "name_en"],
             "properties": {"code": {"type": "string"}, "name_zh": {"type": "string"}, "name_en": {"type": "string"}}},
    "department": {"$ref": "#/components/schemas/ServiceDepartment"},
    "state": {"enum": ["waiting", "ready", "claimed", "awaiting_citizen", "approved", "rejected", "cancelled"]},
    "claimed_by": {"type": ["string", "null"]},
    "ready_at": {"type": ["string", "null"], "format": "date-time"},
    "due_date": {"type": ["string", "null"], "format": "date", "description": "Due by the end of this day, China time (working days)"},
    "due_at": {"type": ["string", "null"], "format": "date-time"},
    "due_soon": {"type": "boolean"}, "overdue": {"type": "boolean"},
    "paused_days": {"type": "integer", "description": "Working days added while waiting for the citizen (补正)"},
    "escalated_at": {"type": ["string", "null"], "format": "date-time"},
    "decided_at": {"type": ["string", "null"], "format": "date-time"},
    "reason": {"type": "string"},
    "licenses": {"type": "array", "items": {"type": "string"}, "description": "Licences issued on approval"},
    "instant": {"type": "boolean", "description": "The item is decided at once by rules (秒批)"},
    "decided_by": {"enum": ["rules", "staff", null]},
    "decision": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/ServiceDecision"}]},
    "appeal": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/ServiceAppeal"}]},
    "appealable": {"type": "boolean", "description": "An automatic rejection the applicant may still appeal"}
  }
})json";

constexpr std::string_view kDecisionSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["id", "outcome", "rows", "inputs", "missing", "reason_zh", "reason_en", "rule", "rule_hash",
               "decided_on", "at", "document"],
  "properties": {
    "id": {"type": "integer"},
    "outcome": {"enum": ["approve", "reject", "refer"]},
    "rows": {"type": "array", "items": {"type": "integer"}, "description": "The rule rows that fired (1-based)"},
    "inputs": {"type": "array", "items": {"type": "object", "additionalProperties": false,
               "required": ["name", "label_zh", "label_en", "value"],
               "properties": {"name": {"type": "string"}, "label_zh": {"type": "string"}, "label_en": {"type": "string"},
                              "value": {"type": ["string", "integer", "number", "boolean", "null"]}}}},
    "missing": {"type": "array", "items": {"type": "string"}, "description": "Required inputs without data"},
    "reason_zh": {"type": "string", "examples": ["户籍和住房均在学区内，年龄符合要求，入学资格审核通过"]},
    "reason_en": {"type": "string"},
    "rule": {"type": "object", "additionalProperties": false, "required": ["item", "version", "fingerprint"],
             "properties": {"item": {"type": "string"}, "version": {"type": "integer"},
                            "fingerprint": {"type": "string", "description": "SHA-256 of the rule file's text"}}},
    "rule_hash": {"type": "string", "description": "The rule version: the suite hash of the rule file's text"},
    "decided_on": {"type": "string", "format": "date", "description": "The China date the rules took as today"},
    "at": {"type": "string", "format": "date-time"},
    "document": {"type": "string", "description": "What the decision's ledger entry commits to: H(document)"}
  }
})json";

constexpr std::string_view kAppealSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["id", "case_id", "case_number", "task_id", "item", "decision_id", "state", "reason", "filed_at",
               "due_at", "decided_at", "decided_by", "answer"],
  "properties": {
    "id": {"type": "integer"}, "case_id": {"type": "integer"}, "case_number": {"type": "string"},
    "task_id": {"type": "integer"}, "item": {"type": "string"}, "decision_id": {"type": "integer"},
    "state": {"enum": ["open", "reversed", "upheld"]},
    "reason": {"type": "string", "examples": ["孩子一直随我们住在西湖区，租赁合同已备案"]},
    "filed_at": {"type": ["string", "null"], "format": "date-time"},
    "due_at": {"type": ["string", "null"], "format": "date-time", "description": "Staff answer by then (working days)"},
    "decided_at": {"type": ["string", "null"], "format": "date-time"},
    "decided_by": {"type": ["string", "null"]},
    "answer": {"type": "string"}
  }
})json";

constexpr std::string_view kCaseSchema = R"json({
  "type": "object", "additionalProperties": false,
  "required": ["id", "case_number", "bundle", "state", "role", "applicant", "co_applicant", "fields", "materials",
               "tasks", "events", "created_at", "submitted_at", "completed_at", "figures"],
  "properties": {
    "id": {"type": "integer"},
    "case_number": {"type": "string", "examples": ["YJS20261207000042"]},
    "bundle": {"type": "object", "additionalProperties": false,
               "required": ["code", "name_zh", "name_en", "co_applicant_zh", "co_applicant_en"],
               "properties": {"code": {"type": "string"}, "name_zh": {"type": "string", "examples": ["婚育户一件事"]},
                              "name_en": {"type": "string"}, "co_applicant_zh": {"type": "string"},
                              "co_applicant_en": {"type": "string"}}},
    "state": {"enum": ["draft", "awaiting_co_applicant", "in_progress", "completed", "rejected"]},
    "role": {"enum": ["applicant", "co_applicant", "department"]},
    "applicant": {"type": "object", "additionalProperties": false, "required": ["name", "id_masked"],
                  "properties": {"name": {"type": "string", "examples": ["张伟"]}, "id_masked": {"type": "string"}}},
    "co_applicant": {"oneOf": [{"type": "null"}, {"type": "object", "additionalProperties": false,
                     "required": ["name", "id_masked", "confirmed"],
                     "properties": {"name": {"type": "string", "examples": ["李娜"]}, "id_masked": {"type": "string"},
                                    "confirmed": {"type": "boolean"}}}]},
    "fields": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceField"}},
    "materials": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceMaterial"}},
    "tasks": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceTask"}},
    "events": {"type": "array", "items": {"type": "object", "additionalProperties": false,
               "required": ["action", "by", "at", "task_id", "note", "document"],
               "properties": {"action": {"type": "string"}, "by": {"type": "string"},
                              "at": {"type": "string", "format": "date-time"}, "task_id": {"type": ["integer", "null"]},
                              "note": {"type": "string"},
                              "document": {"type": "string", "description": "What the event's ledger entry commits to: H(document)"}}}},
    "created_at": {"type": ["string", "null"], "format": "date-time"},
    "submitted_at": {"type": ["string", "null"], "format": "date-time"},
    "completed_at": {"type": ["string", "null"], "format": "date-time"},
    "figures": {"type": "object", "additionalProperties": false,
                "required": ["fields_prefilled", "fields_asked", "materials_from_wallet", "materials_uploaded",
                             "old_visits", "visits_made"],
                "properties": {"fields_prefilled": {"type": "integer"}, "fields_asked": {"type": "integer"},
                               "materials_from_wallet": {"type": "integer"}, "materials_uploaded": {"type": "integer"},
                               "old_visits": {"type": "integer"}, "visits_made": {"type": "integer"}}}
  }
})json";

constexpr std::string_view kAnswersSchema = R"json({
  "answers": {"type": "object", "description": "Field code to value, for asked fields only (pre-filled ones cannot be changed)",
              "additionalProperties": {"type": ["string", "integer", "null"]},
              "examples": [{"child_name": "张小明", "child_sex": "男", "child_birth_date": "2026-11-30"}]},
  "materials": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                "required": ["code", "license_id"],
                "properties": {"code": {"type": "string", "examples": ["applicant_id_card"]},
                               "license_id": {"type": "string", "description": "A valid licence of the caller's wallet"}}}}
})json";

std::string BodySchema(std::string_view extra_properties = "", std::string_view required = "") {
  std::string props(kAnswersSchema);
  props.pop_back();  // the closing brace
  if (!extra_properties.empty()) props += ", " + std::string(extra_properties);
  props += "}";
  return "{\"type\": \"object\", \"additionalProperties\": false" +
         (required.empty() ? std::string() : ", \"required\": [" + std::string(required) + "]") +
         ", \"properties\": " + props + "}";
}

}  // namespace

void AddServiceRoutes(Router& router, const ServiceRoutesOptions& options) {
  const RouteAccess kCitizen = RouteAccess::Roles({"citizen"});
  const RouteAccess kStaff = RouteAccess::Roles({"staff"});
  router.AddSchema("ServiceDepartment", std::string(kDepartmentSchema));
  router.AddSchema("ServiceField", std::string(kFieldSchema));
  router.AddSchema("ServiceMaterial", std::string(kMaterialSchema));
  router.AddSchema("ServiceTask", std::string(kTaskSchema));
  router.AddSchema("ServiceDecision", std::string(kDecisionSchema));
  router.AddSchema("ServiceAppeal", std::string(kAppealSchema));
  router.AddSchema("ServiceCase", std::string(kCaseSchema));
  const std::string kCase = R"json({"$ref": "#/components/schemas/ServiceCase"})json";
  const std::string kTask = R"json({"$ref": "#/components/schemas/ServiceTask"})json";
  const std::string kAppeal = R"json({"$ref": "#/components/schemas/ServiceAppeal"})json";
  const data::Catalogue& dc = *options.data_catalogue;
  CaseService& cases = *options.service;

  router.Add(Route{"GET", "/api/v1/services", "listServices",
                   "The service catalogue: every bundle (一件事) and every item applied for alone, with "
                   "its steps (department, legal time limit in working days, fee, output licence, waits), "
                   "its form fields (pre-filled ones name their source) and materials (licences that "
                   "satisfy them). Public.",
                   RouteAccess::Public(),
                   [&cases, &dc](const HttpRequest&, const PathParams&) {
                     array bundles;
                     for (const Bundle& b : cases.catalogue().bundles()) bundles.push_back(BundleJson(cases.catalogue(), dc, b));
                     return JsonAnswer(200, object{{"bundles", std::move(bundles)}}, "public, max-age=300");
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["bundles"],
        "properties": {"bundles": {"type": "array", "items": {"type": "object", "additionalProperties": false,
          "required": ["code", "name_zh", "name_en", "single", "department", "co_applicant", "old_visits", "steps",
                       "fields", "materials"],
          "properties": {
            "code": {"type": "string", "examples": ["marriage_birth_household"]},
            "name_zh": {"type": "string", "examples": ["婚育户一件事"]}, "name_en": {"type": "string"},
            "single": {"type": "boolean", "description": "An item applied for alone"},
            "department": {"$ref": "#/components/schemas/ServiceDepartment"},
            "co_applicant": {"oneOf": [{"type": "null"}, {"type": "object", "additionalProperties": false,
                             "required": ["name_zh", "name_en"],
                             "properties": {"name_zh": {"type": "string"}, "name_en": {"type": "string"}}}]},
            "old_visits": {"type": "integer", "description": "Visits the separate old processes needed"},
            "steps": {"type": "array", "items": {"type": "object", "additionalProperties": false,
              "required": ["item", "name_zh", "name_en", "department", "time_limit_days", "fee_fen", "cross_province",
                           "output", "after"],
              "properties": {"item": {"type": "string"}, "name_zh": {"type": "string"}, "name_en": {"type": "string"},
                             "department": {"$ref": "#/components/schemas/ServiceDepartment"},
                             "time_limit_days": {"type": "integer"}, "fee_fen": {"type": "integer"},
                             "cross_province": {"type": "boolean"}, "output": {"type": ["string", "null"]},
                             "after": {"type": "array", "items": {"type": "string"}}}}},
            "fields": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceField"}},
            "materials": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceMaterial"}}}}}}})json");

  router.Add(Route{"POST", "/api/v1/me/cases", "startCase",
                   "Start an application for a bundle or item: {bundle}. Answers the draft case with its "
                   "case number and its form pre-filled from department data about the caller (each read "
                   "is under the case and shows in the caller's data-access log); fields no department "
                   "holds are asked, and materials list the matching licences of the caller's wallet.",
                   kCitizen,
                   [options](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"bundle"}), req);
                     TB_ASSIGN_OR_PROBLEM(std::string bundle, body.RequiredString("bundle", 64), req);
                     TB_RETURN_IF_PROBLEM(MayApply(req, bundle), req);
                     TB_ASSIGN_OR_PROBLEM(Case c, options.service->Start(me, bundle), req);
                     return JsonAnswer(201, CaseJson(*options.service, *options.data_catalogue, c, false,
                                                     WalletOf(options, me.subject_id)));
                   },
                   "application/json", "application/json", /*idempotent=*/true})
      .ActsFor("services.apply:")
      .Accepts(R"json({"type": "object", "additionalProperties": false, "required": ["bundle"],
        "properties": {"bundle": {"type": "string", "examples": ["marriage_birth_household"]}}})json")
      .Answers(kCase, 201);

  router.Add(Route{"GET", "/api/v1/me/cases", "listMyCases",
                   "The caller's cases, as applicant or named co-applicant, newest first, each with its "
                   "tasks (who has it, since when, the due date).",
                   kCitizen,
                   [options](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(auto list, options.service->MyCases(me.subject_id), req);
                     array items;
                     for (const Case& c : list) {
                       items.push_back(CaseJson(*options.service, *options.data_catalogue, c, false, {},
                                                ViewerOf(c, me.subject_id)));
                     }
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .ActsFor("services.view")
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceCase"}}}})json");

  router.Add(Route{"GET", "/api/v1/me/cases/{id}", "getMyCase",
                   "One of the caller's cases with its form, tasks and events; 404 for another's.", kCitizen,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a case id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(Case c, options.service->Mine(me.subject_id, id), req);
                     return JsonAnswer(200, CaseJson(*options.service, *options.data_catalogue, c, false,
                                                     WalletOf(options, me.subject_id), ViewerOf(c, me.subject_id)));
                   }})
      .ActsFor("services.view")
      .Answers(kCase);

  router.Add(Route{"POST", "/api/v1/me/cases/{id}/submit", "submitCase",
                   "Submit a draft: {answers, materials, co_applicant_id?, co_applicant_name?}. Asked fields "
                   "are checked by type; a pre-filled field cannot be changed (dispute it with a data "
                   "objection); each licence material must be a valid licence of the caller's wallet of the "
                   "right type. Bundles with a co-applicant wait for their confirmation; the others open at "
                   "once, fanned out into department tasks. The case is stored before the answer. 400 lists "
                   "every field at fault (errors[]).",
                   kCitizen,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a case id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(JsonBody body,
                                          JsonBody::Parse(req.body, {"answers", "materials", "co_applicant_id",
                                                                     "co_applicant_name"}),
                                          req);
                     service::SubmitRequest in;
                     TB_ASSIGN_OR_PROBLEM(in.answers, AnswersOf(body.object()), req);
                     TB_ASSIGN_OR_PROBLEM(auto co_id, body.OptionalString("co_applicant_id", 18), req);
                     TB_ASSIGN_OR_PROBLEM(auto co_name, body.OptionalString("co_applicant_name", 100), req);
                     in.co_applicant_id = co_id.value_or("");
                     in.co_applicant_name = co_name.value_or("");
                     TB_RETURN_IF_PROBLEM(MayApplyTo(req, *options.service, me, id), req);
                     TB_ASSIGN_OR_PROBLEM(Case c, options.service->Submit(me, id, in), req);
                     return JsonAnswer(200, CaseJson(*options.service, *options.data_catalogue, c, false));
                   }})
      .ActsFor("services.apply:")
      .Accepts(BodySchema(R"json("co_applicant_id": {"type": "string", "description": "The co-applicant's citizen ID number"},
        "co_applicant_name": {"type": "string", "examples": ["李娜"]})json"))
      .Answers(kCase);

  router.Add(Route{"POST", "/api/v1/me/cases/{id}/confirm", "confirmCase",
                   "The co-applicant named in a case confirms it from their own login: {answers, "
                   "materials}. Their fields are pre-filled under the case (a 422 keeps them, so the next "
                   "try shows them); then the case opens. 400 lists every field at fault; 404 for anyone not "
                   "named in it.",
                   kCitizen,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a case id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body.empty() ? "{}" : req.body,
                                                                         {"answers", "materials"}),
                                          req);
                     TB_ASSIGN_OR_PROBLEM(service::Answers in, AnswersOf(body.object()), req);
                     TB_ASSIGN_OR_PROBLEM(Case c, options.service->Confirm(me, id, in), req);
                     return JsonAnswer(200, CaseJson(*options.service, *options.data_catalogue, c, false, {},
                                                     Party::kCoApplicant));
                   }})
      .Accepts(BodySchema(), Route::Body::kOptional)
      .Answers(kCase);

  router.Add(Route{"POST", "/api/v1/me/cases/{id}/supplement", "supplementCase",
                   "补正: the answers and licences a department asked for: {answers, materials}. Resumes the "
                   "case's tasks waiting for the citizen; their due dates move by the working days they "
                   "waited. 409 when no task waits.",
                   kCitizen,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a case id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"answers", "materials"}), req);
                     TB_ASSIGN_OR_PROBLEM(service::Answers in, AnswersOf(body.object()), req);
                     TB_RETURN_IF_PROBLEM(MayApplyTo(req, *options.service, me, id), req);
                     TB_ASSIGN_OR_PROBLEM(Case c, options.service->Supplement(me, id, in), req);
                     return JsonAnswer(200, CaseJson(*options.service, *options.data_catalogue, c, false, {},
                                                     ViewerOf(c, me.subject_id)));
                   }})
      .ActsFor("services.apply:")
      .Accepts(BodySchema())
      .Answers(kCase);

  router.Add(Route{"PUT", "/api/v1/me/cases/{id}/materials/{code}", "uploadCaseMaterial",
                   "Upload material `code` of the caller's case: the file's bytes as the body (at most "
                   "[service] max_upload_bytes). Its type is read from the content (JPEG, PNG or PDF; 422 "
                   "for anything else, whatever its name or Content-Type), it is stored once by its hash, "
                   "and replaces an earlier file of the same material. The applicant uploads while the case "
                   "is a draft or a task waits for them (补正); the co-applicant while it waits for their "
                   "confirmation. 400 for an empty body, 413 for a larger one.",
                   kCitizen,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a case id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     // Another's case is 404 before a byte is stored.
                     TB_RETURN_IF_PROBLEM(options.service->PartyOf(me.subject_id, id).status(), req);
                     TB_RETURN_IF_PROBLEM(MayApplyTo(req, *options.service, me, id), req);
                     auto stored = options.uploads->Put(req.body);
                     if (!stored.ok() && stored.status().code() == ErrorCode::kOutOfRange) {
                       return ProblemResponse(413, "", stored.status().message(), req.request_id);
                     }
                     TB_ASSIGN_OR_PROBLEM(service::StoredUpload file, std::move(stored), req);
                     TB_ASSIGN_OR_PROBLEM(Case c, options.service->AttachUpload(me, id, p.at("code"), file), req);
                     return JsonAnswer(200, CaseJson(*options.service, *options.data_catalogue, c, false,
                                                     WalletOf(options, me.subject_id), ViewerOf(c, me.subject_id)));
                   },
                   "application/json", "application/octet-stream"})
      .ActsFor("services.apply:")
      .Answers(kCase);

  router.Add(Route{"GET", "/api/v1/service/cases/{id}/materials/{code}", "getServiceCaseMaterial",
                   "The uploaded file of material `code` of a case the caller's department runs or has a task "
                   "in, with its content type. 404 otherwise, or when the material was not uploaded.",
                   kStaff,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(Case c, StaffCase(options, req, p), req);
                     const value* m = c.form.contains("materials") ? c.form.at("materials").as_object().if_contains(p.at("code"))
                                                                   : nullptr;
                     if (m == nullptr || !m->is_object() || !m->as_object().contains("upload")) {
                       return ProblemResponse(Status::NotFound("material", p.at("code")), req.request_id);
                     }
                     TB_ASSIGN_OR_PROBLEM(std::string bytes,
                                          options.uploads->Get(m->as_object().at("upload").as_string()), req);
                     HttpResponse r;
                     r.status = 200;
                     r.content_type = std::string(m->as_object().at("mime").as_string());
                     r.body = std::move(bytes);
                     r.headers.emplace_back("Cache-Control", "private, no-store");
                     r.headers.emplace_back("X-Content-Type-Options", "nosniff");
                     return r;
                   },
                   "application/octet-stream"});

  const std::string kNotices = R"json({"type": "object", "additionalProperties": false, "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["id", "case_id", "case_number", "kind", "text_zh", "text_en", "at", "read_at", "department"],
      "properties": {"id": {"type": "integer"}, "case_id": {"type": ["integer", "null"]},
                     "case_number": {"type": "string"}, "kind": {"type": "string", "examples": ["task_approved"]},
                     "text_zh": {"type": "string"}, "text_en": {"type": "string"},
                     "at": {"type": ["string", "null"], "format": "date-time"},
                     "read_at": {"type": ["string", "null"], "format": "date-time"},
                     "department": {"type": "string", "description": "Set for a department's notice (escalations)"}}}}}})json";
  auto notices_json = [](const std::vector<service::Notice>& list) {
    array items;
    for (const service::Notice& n : list) {
      items.push_back(object{{"id", n.id}, {"case_id", n.case_id ? value(*n.case_id) : value(nullptr)},
                             {"case_number", n.case_number}, {"kind", n.kind}, {"text_zh", n.text_zh},
                             {"text_en", n.text_en}, {"at", IsoSeconds(n.at)}, {"read_at", IsoSeconds(n.read_at)},
                             {"department", n.department}});
    }
    return object{{"items", std::move(items)}};
  };

  router.Add(Route{"GET", "/api/v1/me/notices", "listMyNotices",
                   "The caller's inbox: notices of their cases (submitted, confirmed, approved with the "
                   "licence in the wallet, materials asked for, completed, rejected), newest first.",
                   RouteAccess::Roles({"citizen", "staff"}),
                   [options, notices_json](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(identity::Account a, AccountOf(options, req), req);
                     std::string department;
                     if (req.principal->role == identity::Role::kStaff) {
                       if (const data::Department* d = options.data_catalogue->DepartmentByName(a.department)) {
                         department = d->key;
                       }
                     }
                     TB_ASSIGN_OR_PROBLEM(auto list, options.service->Notices(a.id, department), req);
                     return JsonAnswer(200, notices_json(list));
                   }})
      .ActsFor("services.view")
      .Answers(kNotices);

  router.Add(Route{"POST", "/api/v1/me/notices/{id}/read", "readMyNotice",
                   "Marks one of the caller's notices read; 404 for another's.", RouteAccess::Roles({"citizen", "staff"}),
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a notice id"), req);
                     TB_RETURN_IF_PROBLEM(options.service->MarkNoticeRead(req.principal->account_id, id), req);
                     return JsonAnswer(200, object{{"id", id}, {"read", true}});
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["id", "read"],
        "properties": {"id": {"type": "integer"}, "read": {"type": "boolean"}}})json");

  router.Add(Route{"GET", "/api/v1/service/tasks", "listServiceTasks",
                   "The caller's department's task queue, soonest due first (?filter=open, the default: "
                   "ready, claimed or waiting for the citizen; ready; mine; awaiting_citizen; overdue; "
                   "escalated; done). Staff see their own department's tasks only.",
                   kStaff,
                   [options](const HttpRequest& req, const PathParams&) {
                     auto filter = service::ParseQueueFilter(req.Query("filter").value_or("open"));
                     if (!filter) {
                       return ProblemResponse(Status::InvalidField("filter", "must be open, ready, mine, awaiting_citizen, "
                                                                             "overdue, escalated or done"),
                                              req.request_id);
                     }
                     TB_ASSIGN_OR_PROBLEM(auto staff, StaffIfAny(*options.identity, *options.data_catalogue, req),
                                          req);
                     if (!staff) return JsonAnswer(200, object{{"items", array{}}});
                     TB_ASSIGN_OR_PROBLEM(auto list, options.service->Queue(*staff, *filter), req);
                     array items;
                     for (const Task& t : list) items.push_back(TaskJson(*options.service, *options.data_catalogue, t));
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceTask"}}}})json");

  router.Add(Route{"GET", "/api/v1/service/cases/{id}", "getServiceCase",
                   "A case the caller's department runs or has a task in: the form with each pulled value's "
                   "source, the licences attached (verified), every task and event. 404 otherwise.",
                   kStaff,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(Case c, StaffCase(options, req, p), req);
                     return JsonAnswer(200, CaseJson(*options.service, *options.data_catalogue, c, true));
                   }})
      .Answers(kCase);

  struct Decision {
    const char* path;
    const char* operation;
    const char* summary;
  };
  auto task_route = [&](const Decision& d, auto act, std::string accepts, Route::Body body = Route::Body::kRequired) {
    router.Add(Route{"POST", std::string("/api/v1/service/tasks/{id}/") + d.path, d.operation, d.summary, kStaff,
                     [options, act](const HttpRequest& req, const PathParams& p) {
                       TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a task id"), req);
                       TB_ASSIGN_OR_PROBLEM(service::Staff staff,
                                            StaffOf(*options.identity, *options.data_catalogue, req,
                                                    Status::NotFound("task", std::to_string(id))),
                                            req);
                       TB_ASSIGN_OR_PROBLEM(Task t, act(*options.service, staff, id, req.body.empty() ? "{}" : req.body), req);
                       return JsonAnswer(200, TaskJson(*options.service, *options.data_catalogue, t));
                     }})
        .Accepts(std::move(accepts), body)
        .Answers(kTask);
  };
  task_route({"claim", "claimServiceTask",
              "Claim a ready task of the caller's department. 409 when a colleague has it; 404 for another "
              "department's task."},
             [](CaseService& s, const service::Staff& staff, int64_t id, std::string_view body) -> Result<Task> {
               TB_RETURN_IF_ERROR(JsonBody::Parse(body, {}).status());
               return s.Claim(staff, id);
             },
             R"json({"type": "object", "additionalProperties": false, "properties": {}})json", Route::Body::kOptional);
  task_route({"approve", "approveServiceTask",
              "Approve: {staff_fields?} (the output licence's fields the department supplies, e.g. the "
              "child's new ID number). The item's licence is issued into each holder's wallet in the same "
              "transaction; items waiting for this one enter their queues; the last approval completes the case."},
             [](CaseService& s, const service::Staff& staff, int64_t id, std::string_view text) -> Result<Task> {
               TB_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(text, {"staff_fields"}));
               object fields;
               if (const value* f = body.object().if_contains("staff_fields")) {
                 if (!f->is_object()) return Status::InvalidField("/staff_fields", "must be an object");
                 fields = f->as_object();
               }
               return s.Approve(staff, id, fields);
             },
             R"json({"type": "object", "additionalProperties": false,
               "properties": {"staff_fields": {"type": "object", "additionalProperties": {"type": "string"},
                                               "examples": [{"id_number": "330106202611300014"}]}}})json",
             Route::Body::kOptional);
  task_route({"reject", "rejectServiceTask",
              "Reject with a reason (1-500 bytes): the case is rejected and its other tasks cancelled; the "
              "applicants are told why."},
             [](CaseService& s, const service::Staff& staff, int64_t id, std::string_view text) -> Result<Task> {
               TB_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(text, {"reason"}));
               TB_ASSIGN_OR_RETURN(std::string reason, body.RequiredString("reason", 500));
               return s.Reject(staff, id, reason);
             },
             R"json({"type": "object", "additionalProperties": false, "required": ["reason"],
               "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}}})json");
  task_route({"request-materials", "requestServiceTaskMaterials",
              "补正: ask the applicant for more, with a reason (1-500 bytes). The task waits for the citizen "
              "and its clock stops until they supplement."},
             [](CaseService& s, const service::Staff& staff, int64_t id, std::string_view text) -> Result<Task> {
               TB_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(text, {"reason"}));
               TB_ASSIGN_OR_RETURN(std::string reason, body.RequiredString("reason", 500));
               return s.RequestMaterials(staff, id, reason);
             },
             R"json({"type": "object", "additionalProperties": false, "required": ["reason"],
               "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500,
                                         "examples": ["请补充出生医学证明的接生机构名称"]}}})json");

  router.Add(Route{"POST", "/api/v1/me/cases/{id}/appeals", "appealCaseDecision",
                   "申诉: appeal an automatic rejection (秒批) of a task of the caller's case: {task_id, reason} "
                   "(1-1000 bytes), within the appeal period after the decision. Staff of the item's department "
                   "review it with the decision's explanation beside it and answer; a reversal approves the task "
                   "and the case resumes. 409 when already appealed, or when the task was not rejected by the "
                   "rules or the appeal period has passed.",
                   kCitizen,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be a case id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Person me, PersonOf(*options.identity, req), req);
                     TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"task_id", "reason"}), req);
                     TB_ASSIGN_OR_PROBLEM(int64_t task, body.RequiredInt("task_id"), req);
                     TB_ASSIGN_OR_PROBLEM(std::string reason, body.RequiredString("reason", 1000), req);
                     TB_ASSIGN_OR_PROBLEM(service::Appeal a, options.service->FileAppeal(me, id, task, reason), req);
                     return JsonAnswer(201, AppealJson(&a));
                   }})
      .Accepts(R"json({"type": "object", "additionalProperties": false, "required": ["task_id", "reason"],
        "properties": {"task_id": {"type": "integer", "minimum": 1},
                       "reason": {"type": "string", "minLength": 1, "maxLength": 1000,
                                  "examples": ["孩子一直随我们住在西湖区，租赁合同已备案"]}}})json")
      .Answers(kAppeal, 201);

  router.Add(Route{"GET", "/api/v1/service/appeals", "listServiceAppeals",
                   "The caller's department's appeals against automatic decisions: state=open (default, "
                   "soonest due first) or decided.",
                   kStaff,
                   [options](const HttpRequest& req, const PathParams&) {
                     const std::string state(req.Query("state").value_or("open"));
                     if (state != "open" && state != "decided") {
                       return ProblemResponse(Status::InvalidField("state", "must be open or decided"), req.request_id);
                     }
                     TB_ASSIGN_OR_PROBLEM(auto staff, StaffIfAny(*options.identity, *options.data_catalogue, req),
                                          req);
                     if (!staff) return JsonAnswer(200, object{{"items", array{}}});
                     TB_ASSIGN_OR_PROBLEM(auto list, options.service->AppealQueue(*staff, state == "open"), req);
                     array items;
                     for (const auto& a : list) items.push_back(AppealJson(&a));
                     return JsonAnswer(200, object{{"items", std::move(items)}});
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceAppeal"}}}})json");

  router.Add(Route{"GET", "/api/v1/service/appeals/{id}", "getServiceAppeal",
                   "An appeal of the caller's department with the automatic decision it contests (rows, "
                   "inputs, reasons) and the case. 404 for another department's.",
                   kStaff,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be an appeal id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Staff staff,
                                          StaffOf(*options.identity, *options.data_catalogue, req,
                                                  Status::NotFound("appeal", std::to_string(id))),
                                          req);
                     TB_ASSIGN_OR_PROBLEM(auto view, options.service->AppealForStaff(staff, id), req);
                     return JsonAnswer(200, object{{"appeal", AppealJson(&view.appeal)},
                                                   {"decision", DecisionJson(&view.decision)},
                                                   {"case", CaseJson(*options.service, *options.data_catalogue, view.c, true)}});
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["appeal", "decision", "case"],
        "properties": {"appeal": {"$ref": "#/components/schemas/ServiceAppeal"},
                       "decision": {"$ref": "#/components/schemas/ServiceDecision"},
                       "case": {"$ref": "#/components/schemas/ServiceCase"}}})json");

  router.Add(Route{"POST", "/api/v1/service/appeals/{id}/decide", "decideServiceAppeal",
                   "Decide an open appeal: {decision: reverse|uphold, answer (1-1000 bytes, sent to the "
                   "citizen), staff_fields?}. reverse approves the task as an approval would (its licence "
                   "issued) and the case resumes; uphold keeps the rejection. Both stay on the ledger.",
                   kStaff,
                   [options](const HttpRequest& req, const PathParams& p) {
                     TB_ASSIGN_OR_PROBLEM(int64_t id, PositiveIntParam(p.at("id"), "id", "must be an appeal id"), req);
                     TB_ASSIGN_OR_PROBLEM(service::Staff staff,
                                          StaffOf(*options.identity, *options.data_catalogue, req,
                                                  Status::NotFound("appeal", std::to_string(id))),
                                          req);
                     TB_ASSIGN_OR_PROBLEM(JsonBody body, JsonBody::Parse(req.body, {"decision", "answer", "staff_fields"}),
                                          req);
                     TB_ASSIGN_OR_PROBLEM(std::string decision, body.RequiredString("decision", 10), req);
                     if (decision != "reverse" && decision != "uphold") {
                       return ProblemResponse(Status::InvalidField("/decision", "must be reverse or uphold"), req.request_id);
                     }
                     TB_ASSIGN_OR_PROBLEM(std::string answer, body.RequiredString("answer", 1000), req);
                     object fields;
                     if (const value* f = body.object().if_contains("staff_fields")) {
                       if (!f->is_object()) {
                         return ProblemResponse(Status::InvalidField("/staff_fields", "must be an object"), req.request_id);
                       }
                       fields = f->as_object();
                     }
                     TB_ASSIGN_OR_PROBLEM(service::Appeal a,
                                          options.service->DecideAppeal(staff, id, decision == "reverse", answer, fields),
                                          req);
                     return JsonAnswer(200, AppealJson(&a));
                   }})
      .Accepts(R"json({"type": "object", "additionalProperties": false, "required": ["decision", "answer"],
        "properties": {"decision": {"enum": ["reverse", "uphold"]},
                       "answer": {"type": "string", "minLength": 1, "maxLength": 1000,
                                  "examples": ["经核实，申请人已在西湖区办理租赁备案，入学资格审核通过"]},
                       "staff_fields": {"type": "object", "additionalProperties": {"type": "string"}}}})json")
      .Answers(kAppeal);

  router.Add(Route{"GET", "/api/v1/service/figures", "getServiceFigures",
                   "The seed figures (docs/service.md): per bundle, cases submitted and completed, trips saved "
                   "(the old process's visits; none made online), fields pre-filled and asked, materials from "
                   "the wallet, mean time from submit to completion; per department, open, approved, rejected, "
                   "overdue and escalated tasks and the mean time to a decision.",
                   RouteAccess::Roles({"staff", "auditor", "admin"}),
                   [options](const HttpRequest& req, const PathParams&) {
                     TB_ASSIGN_OR_PROBLEM(service::Figures f, options.service->GetFigures(), req);
                     array bundles, departments;
                     for (const auto& b : f.bundles) {
                       const Bundle* bundle = options.service->catalogue().FindBundle(b.bundle);
                       bundles.push_back(object{
                           {"bundle", b.bundle},
                           {"name_zh", bundle ? bundle->name_zh : b.bundle},
                           {"name_en", bundle ? bundle->name_en : b.bundle},
                           {"cases", b.cases},
                           {"completed", b.completed},
                           {"trips_saved", b.cases * b.old_visits},
                           {"fields_prefilled", b.fields_prefilled},
                           {"fields_asked", b.fields_asked},
                           {"materials_from_wallet", b.materials_from_wallet},
                           {"materials_uploaded", b.materials_uploaded},
                           {"mean_completion_seconds", b.completed ? b.completion_seconds_sum / b.completed : 0}});
                     }
                     for (const auto& d : f.departments) {
                       const int64_t decided = d.approved + d.rejected;
                       departments.push_back(object{{"department", DepartmentJson(*options.data_catalogue, d.department)},
                                                    {"open", d.open},
                                                    {"approved", d.approved},
                                                    {"rejected", d.rejected},
                                                    {"overdue", d.overdue},
                                                    {"escalated", d.escalated},
                                                    {"mean_decision_seconds", decided ? d.decision_seconds_sum / decided : 0}});
                     }
                     return JsonAnswer(200, object{{"bundles", std::move(bundles)}, {"departments", std::move(departments)}});
                   }})
      .Answers(R"json({"type": "object", "additionalProperties": false, "required": ["bundles", "departments"],
        "properties": {
          "bundles": {"type": "array", "items": {"type": "object", "additionalProperties": false,
            "required": ["bundle", "name_zh", "name_en", "cases", "completed", "trips_saved", "fields_prefilled",
                         "fields_asked", "materials_from_wallet", "materials_uploaded", "mean_completion_seconds"],
            "properties": {"bundle": {"type": "string"}, "name_zh": {"type": "string"}, "name_en": {"type": "string"},
                           "cases": {"type": "integer"}, "completed": {"type": "integer"},
                           "trips_saved": {"type": "integer"}, "fields_prefilled": {"type": "integer"},
                           "fields_asked": {"type": "integer"}, "materials_from_wallet": {"type": "integer"},
                           "materials_uploaded": {"type": "integer"}, "mean_completion_seconds": {"type": "integer"}}}},
          "departments": {"type": "array", "items": {"type": "object", "additionalProperties": false,
            "required": ["department", "open", "approved", "rejected", "overdue", "escalated", "mean_decision_seconds"],
            "properties": {"department": {"$ref": "#/components/schemas/ServiceDepartment"},
                           "open": {"type": "integer"}, "approved": {"type": "integer"}, "rejected": {"type": "integer"},
                           "overdue": {"type": "integer"}, "escalated": {"type": "integer"},
                           "mean_decision_seconds": {"type": "integer"}}}}}})json");
}

}  // namespace tongban::api
