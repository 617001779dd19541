// CaseService; see case_service.h.
#include "service/case_service.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include <spdlog/spdlog.h>

#include "core/citizen_id.h"
#include "core/mask.h"
#include "core/uscc.h"
#include "ledger/log_storage.h"
#include "service/text_check.h"

namespace tongban::service {

using boost::json::object;
using boost::json::value;

std::string_view CaseStateName(CaseState s) {
  switch (s) {
    case CaseState::kDraft: return "draft";
    case CaseState::kAwaitingCoApplicant: return "awaiting_co_applicant";
    case CaseState::kInProgress: return "in_progress";
    case CaseState::kCompleted: return "completed";
    case CaseState::kRejected: return "rejected";
  }
  return "draft";
}

std::optional<CaseState> ParseCaseState(std::string_view s) {
  for (CaseState c : {CaseState::kDraft, CaseState::kAwaitingCoApplicant, CaseState::kInProgress,
                      CaseState::kCompleted, CaseState::kRejected}) {
    if (CaseStateName(c) == s) return c;
  }
  return std::nullopt;
}

std::string_view TaskStateName(TaskState s) {
  switch (s) {
    case TaskState::kWaiting: return "waiting";
    case TaskState::kReady: return "ready";
    case TaskState::kClaimed: return "claimed";
    case TaskState::kAwaitingCitizen: return "awaiting_citizen";
    case TaskState::kApproved: return "approved";
    case TaskState::kRejected: return "rejected";
    case TaskState::kCancelled: return "cancelled";
  }
  return "waiting";
}

std::optional<TaskState> ParseTaskState(std::string_view s) {
  for (TaskState t : {TaskState::kWaiting, TaskState::kReady, TaskState::kClaimed, TaskState::kAwaitingCitizen,
                      TaskState::kApproved, TaskState::kRejected, TaskState::kCancelled}) {
    if (TaskStateName(t) == s) return t;
  }
  return std::nullopt;
}

namespace {

// Who does an applicant's step: the applicant, or an agent acting for them under a power of
// attorney (identity/attorney.h), named in the event and its ledger entry by account ids.
std::string ActorOf(const Person& p) {
  if (p.agent_account_id == 0) return "applicant";
  return "agent:" + std::to_string(p.agent_account_id) + "/attorney:" + std::to_string(p.attorney_id);
}

constexpr int kListLimit = 500;

std::string CaseNumber(CivilDate day, int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "YJS%04d%02d%02d%06lld", day.year, day.month, day.day,
                static_cast<long long>(id % 1'000'000));
  return buf;
}

// kInvalidArgument with every problem, the first in the message. REQUIRES: !errors.empty().
Status Refused(const std::string& what, std::vector<FieldError> errors) {
  std::string message = what + ": " + errors.front().field + " " + errors.front().reason;
  if (errors.size() > 1) message += " (and " + std::to_string(errors.size() - 1) + " more)";
  return Status::InvalidArgument(std::move(message), std::move(errors));
}

// Checks an asked answer against its field; the reason, or "" when it is good.
std::string CheckAnswer(const Field& f, const value& v, const Clock& clock) {
  switch (f.type) {
    case FieldType::kString: {
      if (!v.is_string()) return "must be a string";
      const auto& s = v.as_string();
      if (s.empty()) return "must not be empty";
      if (s.size() > f.max_length) return "must be at most " + std::to_string(f.max_length) + " bytes";
      return "";
    }
    case FieldType::kDate:
      if (!v.is_string() || !ParseCivilDate(v.as_string())) return "must be a date YYYY-MM-DD";
      return "";
    case FieldType::kInteger:
      return v.is_int64() ? "" : "must be an integer";
    case FieldType::kFen:
      return v.is_int64() && v.as_int64() >= 0 ? "" : "must be a whole number of fen, 0 or more";
    case FieldType::kCode: {
      if (!v.is_string()) return "must be one of the listed codes";
      const std::string s(v.as_string());
      return std::find(f.codes.begin(), f.codes.end(), s) != f.codes.end() ? "" : "must be one of the listed codes";
    }
    case FieldType::kCitizenId: {
      if (!v.is_string()) return "must be a citizen ID number";
      auto id = CitizenId::Parse(v.as_string(), clock);
      return id.ok() ? "" : "is not a valid citizen ID number";
    }
    case FieldType::kUscc: {
      if (!v.is_string()) return "must be a unified social credit code";
      auto u = Uscc::Parse(v.as_string());
      return u.ok() ? "" : "is not a valid unified social credit code";
    }
  }
  return "";
}

std::string ValueText(const value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "";
  return boost::json::serialize(v);
}

object& FieldsOf(Case& c) {
  value& f = c.form["fields"];
  if (!f.is_object()) f = object{};
  return f.as_object();
}

object& MaterialsOf(Case& c) {
  value& m = c.form["materials"];
  if (!m.is_object()) m = object{};
  return m.as_object();
}

void Count(Case& c) {
  c.fields_prefilled = 0;
  c.fields_asked = 0;
  for (const auto& [k, v] : FieldsOf(c)) {
    const object& o = v.as_object();
    if (o.contains("source")) {
      ++c.fields_prefilled;
    } else if (o.contains("value") && !o.at("value").is_null()) {
      ++c.fields_asked;
    }
  }
  c.materials_from_wallet = 0;
  c.materials_uploaded = 0;
  for (const auto& [k, v] : MaterialsOf(c)) {
    if (v.as_object().contains("license_id")) ++c.materials_from_wallet;
    if (v.as_object().contains("upload")) ++c.materials_uploaded;
  }
}

}  // namespace

CaseService::CaseService(store::Database& db, const Clock& clock, const ServiceCatalogue& catalogue,
                         data::DataService& data, license::LicenseService& licenses, CaseServiceOptions options)
    : db_(db), clock_(clock), catalogue_(catalogue), data_(data), licenses_(licenses), options_(std::move(options)) {
  if (options_.calendar == nullptr) options_.calendar = &data::WorkingCalendar::Builtin();
}

const Bundle& CaseService::BundleOf(const Case& c) const {
  const Bundle* b = catalogue_.FindBundle(c.bundle);
  if (b == nullptr) {
    // A case of a bundle the catalogue no longer has: its tasks still name their items; keep going
    // with an empty bundle rather than failing every read of old cases.
    static const Bundle kGone{};
    return kGone;
  }
  return *b;
}

namespace {

// Which party of case `c` (a Case or a CaseRef) `subject` is: its applicant, or the co-applicant
// it names (confirmed or not); nullopt for anyone else.
template <typename C>
std::optional<Party> PartyIn(const C& c, std::string_view subject) {
  if (subject == c.applicant_subject) return Party::kApplicant;
  if (!c.co_applicant_subject.empty() && subject == c.co_applicant_subject) return Party::kCoApplicant;
  return std::nullopt;
}

}  // namespace

bool CaseService::HasTaskIn(const Bundle& bundle, std::string_view department) const {
  return std::any_of(bundle.steps.begin(), bundle.steps.end(), [&](const Step& s) {
    const Item* it = catalogue_.FindItem(s.item);
    return it != nullptr && it->department == department;
  });
}

Result<bool> CaseService::CaseMayRead(store::Tx& tx, std::string_view department_name, std::string_view case_number,
                                      std::string_view subject, std::string_view dataset) {
  const data::Department* d = data_.catalogue().DepartmentByName(department_name);
  if (d == nullptr) return false;
  TB_ASSIGN_OR_RETURN(auto c, CaseRepo::RefByNumber(tx, case_number));
  if (!c || !c->Live()) return false;
  const Bundle* b = catalogue_.FindBundle(c->bundle);
  const std::optional<Party> party = PartyIn(*c, subject);
  // The co-applicant's data only once they have confirmed.
  if (b == nullptr || !party || (*party == Party::kCoApplicant && !c->co_applicant_account)) return false;
  const bool runs = b->department == d->key || (c->state == CaseState::kInProgress && HasTaskIn(*b, d->key));
  if (!runs) return false;
  if (catalogue_.ReadsDataset(*b, *party, dataset)) return true;
  // The 秒批 rules of the department's items read the applicant's data too (docs/rules.md).
  if (options_.rules == nullptr || *party != Party::kApplicant || c->state != CaseState::kInProgress) return false;
  return std::any_of(b->steps.begin(), b->steps.end(), [&](const Step& s) {
    const Item* item = catalogue_.FindItem(s.item);
    return item != nullptr && item->department == d->key && options_.rules->ReadsDataset(s.item, dataset);
  });
}

Result<bool> CaseService::CaseOpenFor(store::Tx& tx, std::string_view department_name, std::string_view case_number) {
  const data::Department* d = data_.catalogue().DepartmentByName(department_name);
  if (d == nullptr) return false;
  TB_ASSIGN_OR_RETURN(auto c, CaseRepo::RefByNumber(tx, case_number));
  if (!c || !c->Live()) return false;
  const Bundle* b = catalogue_.FindBundle(c->bundle);
  return b != nullptr && (b->department == d->key || HasTaskIn(*b, d->key));
}

Result<Party> CaseService::PartyOf(std::string_view subject, int64_t case_id) {
  std::optional<Party> party;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto c, CaseRepo::RefById(tx, case_id));
    if (c) party = PartyIn(*c, subject);
    return Status::Ok();
  }));
  if (!party) return Status::NotFound("case", std::to_string(case_id));
  return *party;
}

Result<Case> CaseService::Load(store::Tx& tx, int64_t case_id, bool with_details) {
  TB_ASSIGN_OR_RETURN(auto found, CaseRepo::GetCase(tx, case_id));
  if (!found) return Status::NotFound("case", std::to_string(case_id));
  Case c = std::move(*found);
  if (with_details) {
    TB_ASSIGN_OR_RETURN(c.tasks, CaseRepo::TasksOf(tx, c.id));
    TB_ASSIGN_OR_RETURN(c.events, CaseRepo::EventsOf(tx, c.id));
    TB_ASSIGN_OR_RETURN(c.decisions, CaseRepo::DecisionsOf(tx, c.id));
    // An appeal contests a decision: none without one.
    if (!c.decisions.empty()) {
      TB_ASSIGN_OR_RETURN(c.appeals, CaseRepo::AppealsOf(tx, c.id));
    }
  }
  return c;
}

Result<Case> CaseService::Reviewed(const Case& c) {
  if (options_.rules == nullptr || c.state != CaseState::kInProgress) return c;
  const Bundle& bundle = BundleOf(c);
  if (std::none_of(bundle.steps.begin(), bundle.steps.end(), [&](const Step& s) { return HasRules(s.item); })) {
    return c;
  }
  ReviewByRules(c.id);
  Case fresh;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(fresh, Load(tx, c.id, true));
    return Status::Ok();
  }));
  return fresh;
}

Status CaseService::Event(store::Tx& tx, const Case& c, std::optional<int64_t> task_id, std::string_view item,
                          std::string_view action, std::string_view actor, std::string_view note) {
  CaseEvent e;
  e.task_id = task_id;
  e.action = std::string(action);
  e.actor = std::string(actor);
  e.at_micros = clock_.NowUnixMicros();
  e.note = std::string(note);
  // The document holds no personal data: the case number, the step and a hash of the note.
  object doc{{"case", c.case_number}, {"bundle", c.bundle}, {"action", e.action}, {"actor", e.actor},
             {"at", e.at_micros}};
  if (task_id) {
    doc["task"] = *task_id;
    doc["item"] = item;
  }
  if (!note.empty()) doc["note_hash"] = crypto::ToHex(crypto::Hash(options_.hash, note));
  e.document = boost::json::serialize(doc);
  TB_RETURN_IF_ERROR(CaseRepo::InsertEvent(tx, c.id, e).status());
  return ledger::EnqueueEntry(tx, ledger::DocumentEntry(task_id ? "service.task" : "service.case",
                                                       options_.subject_hash(c.applicant_subject), options_.hash,
                                                       e.document, e.at_micros))
      .status();
}

Status CaseService::Notify(store::Tx& tx, const Case& c, int64_t account, std::string_view department,
                           std::string kind, std::string text_zh, std::string text_en, Outbox& out) {
  Notice n;
  n.account_id = account;
  n.department = std::string(department);
  n.case_id = c.id;
  n.case_number = c.case_number;
  n.kind = std::move(kind);
  n.text_zh = std::move(text_zh);
  n.text_en = std::move(text_en);
  n.at = NowSeconds();
  const std::string& subject = account == 0                       ? std::string()
                               : account == c.applicant_account ? c.applicant_subject
                                                                : c.co_applicant_subject;
  return RecordNotice(tx, n, subject, out.messages);
}

Status CaseService::NotifyApplicants(store::Tx& tx, const Case& c, std::string kind, const std::string& text_zh,
                                     const std::string& text_en, Outbox& out) {
  TB_RETURN_IF_ERROR(Notify(tx, c, c.applicant_account, "", kind, text_zh, text_en, out));
  if (c.co_applicant_account) {
    TB_RETURN_IF_ERROR(Notify(tx, c, *c.co_applicant_account, "", kind, text_zh, text_en, out));
  }
  return Status::Ok();
}

void CaseService::Deliver(const Outbox& out) {
  if (options_.notifier == nullptr) return;
  for (const OutboundMessage& m : out.messages) options_.notifier->Send(m);
}

Result<int> CaseService::Prefill(const Case& c, const Bundle& bundle, Party party, const std::string& subject,
                                 object& fields) {
  // The party's sourced fields, grouped by dataset: one read per dataset.
  std::map<std::string, std::vector<const Field*>> by_dataset;
  for (const Field* f : catalogue_.FormFields(bundle)) {
    if (f->subject == party && f->source) by_dataset[f->source->dataset].push_back(f);
  }
  int filled = 0;
  for (const auto& [dataset, wanted] : by_dataset) {
    data::ReadRequest read;
    read.reader = {0, bundle.department};
    read.subject_id = subject;
    read.dataset = dataset;
    for (const Field* f : wanted) {
      if (std::find(read.elements.begin(), read.elements.end(), f->source->element) == read.elements.end()) {
        read.elements.push_back(f->source->element);
      }
    }
    read.purpose = data::PurposeKind::kCase;
    read.purpose_ref = c.case_number;
    auto result = data_.Read(read);
    if (!result.ok()) {
      // A department that holds nothing, or a read refused: the fields are asked instead.
      spdlog::warn("service: case {} prefill from {} not read: {}", c.case_number, dataset, result.status().ToString());
      continue;
    }
    for (const Field* f : wanted) {
      for (const data::ElementValue& v : result->values) {
        if (v.element != f->source->element || v.value.is_null()) continue;
        fields[f->code] = object{{"value", v.value},
                                 {"party", PartyName(party)},
                                 {"source", object{{"department", v.source},
                                                   {"dataset", dataset},
                                                   {"element", v.element},
                                                   {"record_key", v.record_key},
                                                   {"record_version", v.record_version},
                                                   {"access_id", result->access_id}}}};
        ++filled;
        break;
      }
    }
  }
  return filled;
}

Result<Case> CaseService::Start(const Person& applicant, std::string_view bundle_code) {
  const Bundle* bundle = catalogue_.FindBundle(bundle_code);
  if (bundle == nullptr) return Status::InvalidField("/bundle", "is not a bundle or item of the service catalogue");
  TB_RETURN_IF_ERROR(CheckText("/applicant", applicant.subject_id, 64));
  Case c;
  c.bundle = bundle->code;
  c.applicant_account = applicant.account_id;
  c.applicant_subject = applicant.subject_id;
  c.applicant_name = applicant.name;
  c.state = CaseState::kDraft;
  c.created_at = c.updated_at = NowSeconds();
  object fields;
  for (const Field* f : catalogue_.FormFields(*bundle)) {
    fields[f->code] = object{{"value", nullptr}, {"party", PartyName(f->subject)}};
  }
  c.form = object{{"fields", fields}, {"materials", object{}}};
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(c.id, CaseRepo::InsertCase(tx, c));
    c.case_number = CaseNumber(ChinaDate(clock_.Now()), c.id);
    TB_RETURN_IF_ERROR(CaseRepo::SetCaseNumber(tx, c.id, c.case_number));
    return Event(tx, c, std::nullopt, "", "start", ActorOf(applicant), "");
  }));
  // The reads run once the draft is committed: each is decided against it (CaseMayRead).
  TB_ASSIGN_OR_RETURN(int filled, Prefill(c, *bundle, Party::kApplicant, c.applicant_subject, FieldsOf(c)));
  if (filled > 0) {
    Count(c);
    c.updated_at = NowSeconds();
    TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) { return CaseRepo::UpdateCase(tx, c); }));
  }
  return c;
}

Result<std::map<std::string, license::License>> CaseService::FetchLicenses(const Answers& answers) {
  std::map<std::string, license::License> out;
  for (const MaterialChoice& m : answers.materials) {
    if (m.license_id.empty() || out.contains(m.license_id)) continue;
    auto l = licenses_.Get(m.license_id);
    if (l.ok()) {
      out.emplace(m.license_id, std::move(l).value());
    } else if (l.status().code() != ErrorCode::kNotFound) {
      return l.status();
    }
  }
  return out;
}

void CaseService::Apply(Case& c, const Bundle& bundle, Party party, const std::string& subject,
                        const Answers& answers, const std::map<std::string, license::License>& licenses, bool final,
                        std::vector<FieldError>& errors) {
  object& fields = FieldsOf(c);
  for (const auto& [code, v] : answers.fields) {
    const std::string path = "/answers/" + std::string(code);
    const Field* f = catalogue_.FindField(code);
    if (f == nullptr || !fields.contains(code)) {
      errors.push_back({path, "is not a field of this form"});
      continue;
    }
    if (f->subject != party) {
      errors.push_back({path, "is answered by the " + std::string(party == Party::kApplicant ? "co-applicant" : "applicant")});
      continue;
    }
    object& slot = fields[code].as_object();
    if (slot.contains("source")) {
      if (slot.at("value") != v) {
        errors.push_back({path, "is pre-filled from " + std::string(slot.at("source").at("department").as_string()) +
                                    " and cannot be edited here; dispute it with a data objection"});
      }
      continue;
    }
    if (v.is_null()) {
      slot["value"] = nullptr;
      continue;
    }
    std::string why = CheckAnswer(*f, v, clock_);
    if (!why.empty()) {
      errors.push_back({path, why});
      continue;
    }
    slot["value"] = v;
  }
  object& materials = MaterialsOf(c);
  const int64_t now = NowSeconds();
  std::set<std::string> bundle_materials;
  for (const Material* m : catalogue_.FormMaterials(bundle)) bundle_materials.insert(m->code);
  for (const MaterialChoice& choice : answers.materials) {
    const std::string path = "/materials/" + choice.code;
    const Material* m = catalogue_.FindMaterial(choice.code);
    if (m == nullptr || !bundle_materials.contains(choice.code)) {
      errors.push_back({path, "is not a material of this form"});
      continue;
    }
    if (m->subject != party) {
      errors.push_back({path, "is attached by the " + std::string(party == Party::kApplicant ? "co-applicant" : "applicant")});
      continue;
    }
    if (m->license.empty()) {
      errors.push_back({path, "no licence satisfies this material; upload it"});
      continue;
    }
    auto it = licenses.find(choice.license_id);
    // Another holder's licence answers as a missing one.
    if (it == licenses.end() || it->second.holder_subject != subject) {
      errors.push_back({path + "/license_id", "is not a licence in your wallet"});
      continue;
    }
    const license::License& l = it->second;
    if (l.type != m->license) {
      errors.push_back({path + "/license_id", "is a " + l.type + ", not a " + m->license});
      continue;
    }
    if (l.EffectiveStatus(now) != license::LicenseStatus::kValid) {
      errors.push_back({path + "/license_id", "is " + std::string(license::LicenseStatusName(l.EffectiveStatus(now))) +
                                                  ", not valid"});
      continue;
    }
    materials[choice.code] = object{{"license_id", l.id}, {"type", l.type}, {"party", PartyName(party)},
                                    {"verified_at", now}};
  }
  if (!final) return;
  for (const Field* f : catalogue_.FormFields(bundle)) {
    if (f->subject != party || !f->required) continue;
    const object& slot = fields[f->code].as_object();
    if (!slot.contains("value") || slot.at("value").is_null()) {
      if (!answers.fields.contains(f->code)) errors.push_back({"/answers/" + f->code, "is required"});
    }
  }
  for (const Material* m : catalogue_.FormMaterials(bundle)) {
    if (m->subject != party || !m->required || materials.contains(m->code)) continue;
    const bool named = std::any_of(answers.materials.begin(), answers.materials.end(),
                                   [&](const MaterialChoice& x) { return x.code == m->code; });
    if (!named) {
      errors.push_back({"/materials/" + m->code,
                        m->license.empty() ? "is required: upload it"
                        : m->upload        ? "is required: attach a " + m->license + " from your wallet, or upload it"
                                           : "is required: attach a " + m->license + " from your wallet"});
    }
  }
}

Result<Case> CaseService::Submit(const Person& applicant, int64_t case_id, const SubmitRequest& request) {
  TB_ASSIGN_OR_RETURN(auto licenses, FetchLicenses(request.answers));
  Case c;
  Outbox out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out = {};
    TB_ASSIGN_OR_RETURN(c, Load(tx, case_id, false));
    if (c.applicant_subject != applicant.subject_id) return Status::NotFound("case", std::to_string(case_id));
    if (c.state != CaseState::kDraft) return Status::FailedPrecondition("the case is already submitted");
    const Bundle& bundle = BundleOf(c);
    std::vector<FieldError> errors;
    Apply(c, bundle, Party::kApplicant, c.applicant_subject, request.answers, licenses, true, errors);
    if (bundle.has_co_applicant()) {
      auto id = CitizenId::Parse(request.co_applicant_id, clock_, "/co_applicant_id");
      if (!id.ok()) {
        errors.push_back({"/co_applicant_id", "must be the " + bundle.co_applicant_en + "'s citizen ID number"});
      } else if (request.co_applicant_id == c.applicant_subject) {
        errors.push_back({"/co_applicant_id", "must be another person's"});
      }
      if (request.co_applicant_name.empty() || request.co_applicant_name.size() > 100) {
        errors.push_back({"/co_applicant_name", "is required (at most 100 bytes)"});
      }
    } else if (!request.co_applicant_id.empty()) {
      errors.push_back({"/co_applicant_id", "this service has no co-applicant"});
    }
    if (!errors.empty()) {
      return Refused("the application is not complete", std::move(errors));
    }
    const int64_t now = NowSeconds();
    c.submitted_at = now;
    c.updated_at = now;
    Count(c);
    TB_RETURN_IF_ERROR(Event(tx, c, std::nullopt, "", "submit", ActorOf(applicant), ""));
    if (bundle.has_co_applicant()) {
      c.co_applicant_subject = request.co_applicant_id;
      c.co_applicant_name = request.co_applicant_name;
      c.state = CaseState::kAwaitingCoApplicant;
      TB_RETURN_IF_ERROR(CaseRepo::UpdateCase(tx, c));
      return Notify(tx, c, c.applicant_account, "", "submitted",
                    "您的" + bundle.name_zh + "申请已提交，等待" + bundle.co_applicant_zh + "确认。",
                    "Your application for " + bundle.name_en + " is submitted; waiting for the " +
                        bundle.co_applicant_en + " to confirm.",
                    out);
    }
    TB_RETURN_IF_ERROR(Notify(tx, c, c.applicant_account, "", "submitted",
                              "您的" + bundle.name_zh + "申请已提交，正在办理。",
                              "Your application for " + bundle.name_en + " is submitted and in progress.", out));
    return OpenCase(tx, c, bundle);
  }));
  Deliver(out);
  spdlog::info("service: case {} submitted ({})", c.case_number, c.bundle);
  return Reviewed(c);
}

Result<Case> CaseService::Confirm(const Person& co, int64_t case_id, const Answers& answers) {
  // The consent first, so the reads of the co-applicant's data are decided against it.
  Case c;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(c, Load(tx, case_id, false));
    if (c.co_applicant_subject.empty() || c.co_applicant_subject != co.subject_id) {
      return Status::NotFound("case", std::to_string(case_id));
    }
    if (c.state != CaseState::kAwaitingCoApplicant) {
      return Status::FailedPrecondition("the case is not waiting for your confirmation");
    }
    if (c.co_applicant_account && *c.co_applicant_account != co.account_id) {
      return Status::NotFound("case", std::to_string(case_id));
    }
    if (!c.co_applicant_account) {
      c.co_applicant_account = co.account_id;
      c.updated_at = NowSeconds();
      TB_RETURN_IF_ERROR(CaseRepo::UpdateCase(tx, c));
      return Event(tx, c, std::nullopt, "", "consent", "co_applicant", "");
    }
    return Status::Ok();
  }));
  const Bundle& bundle = BundleOf(c);
  object prefilled;
  TB_RETURN_IF_ERROR(Prefill(c, bundle, Party::kCoApplicant, c.co_applicant_subject, prefilled).status());
  TB_ASSIGN_OR_RETURN(auto licenses, FetchLicenses(answers));
  Outbox out;
  Status refused;  // the confirmation's problems, after a commit that keeps what was read
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out = {};
    refused = Status::Ok();
    TB_ASSIGN_OR_RETURN(c, Load(tx, case_id, false));
    if (c.state != CaseState::kAwaitingCoApplicant) {
      return Status::FailedPrecondition("the case is not waiting for your confirmation");
    }
    object& fields = FieldsOf(c);
    for (const auto& [k, v] : prefilled) fields[k] = v;
    c.updated_at = NowSeconds();
    Case answered = c;
    std::vector<FieldError> errors;
    Apply(answered, bundle, Party::kCoApplicant, c.co_applicant_subject, answers, licenses, true, errors);
    if (!errors.empty()) {
      // Keep what was read (the next try shows it and need not read again), not the answers.
      refused = Refused("the confirmation is not complete", std::move(errors));
      Count(c);
      return CaseRepo::UpdateCase(tx, c);
    }
    c = std::move(answered);
    Count(c);
    TB_RETURN_IF_ERROR(Event(tx, c, std::nullopt, "", "confirm", "co_applicant", ""));
    TB_RETURN_IF_ERROR(NotifyApplicants(tx, c, "confirmed", bundle.co_applicant_zh + "已确认，" + bundle.name_zh + "开始办理。",
                                        "The " + bundle.co_applicant_en + " confirmed; " + bundle.name_en +
                                            " is in progress.",
                                        out));
    return OpenCase(tx, c, bundle);
  }));
  TB_RETURN_IF_ERROR(refused);
  Deliver(out);
  return Reviewed(c);
}

Status CaseService::MakeReady(Task& t, const Item& item, int64_t now) {
  const CivilDate today = ChinaDate(clock_.Now());
  const CivilDate due = calendar().AddWorkingDays(today, item.time_limit_days);
  t.state = TaskState::kReady;
  t.ready_at = now;
  t.due_date = due;
  t.due_at = ChinaDayEndUnix(due);
  t.updated_at = now;
  return Status::Ok();
}

Status CaseService::OpenCase(store::Tx& tx, Case& c, const Bundle& bundle) {
  const int64_t now = NowSeconds();
  c.state = CaseState::kInProgress;
  c.opened_at = now;
  c.updated_at = now;
  TB_RETURN_IF_ERROR(CaseRepo::UpdateCase(tx, c));
  for (const Step& s : bundle.steps) {
    const Item* item = catalogue_.FindItem(s.item);
    Task t;
    t.case_id = c.id;
    t.case_number = c.case_number;
    t.item = item->code;
    t.department = item->department;
    t.updated_at = now;
    if (s.after.empty()) TB_RETURN_IF_ERROR(MakeReady(t, *item, now));
    TB_ASSIGN_OR_RETURN(t.id, CaseRepo::InsertTask(tx, t));
    c.tasks.push_back(t);
  }
  return Event(tx, c, std::nullopt, "", "open", "system", "");
}

Result<Case> CaseService::Supplement(const Person& applicant, int64_t case_id, const Answers& answers) {
  TB_ASSIGN_OR_RETURN(auto licenses, FetchLicenses(answers));
  Case c;
  Outbox out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out = {};
    TB_ASSIGN_OR_RETURN(c, Load(tx, case_id, true));
    const std::optional<Party> found_party = PartyIn(c, applicant.subject_id);
    if (!found_party) return Status::NotFound("case", std::to_string(case_id));
    const Party party = *found_party;
    const bool waiting = std::any_of(c.tasks.begin(), c.tasks.end(),
                                     [](const Task& t) { return t.state == TaskState::kAwaitingCitizen; });
    if (!waiting) return Status::FailedPrecondition("no task of the case is waiting for materials");
    std::vector<FieldError> errors;
    Apply(c, BundleOf(c), party, applicant.subject_id, answers, licenses, false, errors);
    if (!errors.empty()) {
      return Refused("the supplement is refused", std::move(errors));
    }
    const int64_t now = NowSeconds();
    const CivilDate today = ChinaDate(clock_.Now());
    Count(c);
    c.updated_at = now;
    TB_RETURN_IF_ERROR(CaseRepo::UpdateCase(tx, c));
    TB_RETURN_IF_ERROR(Event(tx, c, std::nullopt, "", "supplement", PartyName(party), ""));
    for (Task& t : c.tasks) {
      if (t.state != TaskState::kAwaitingCitizen) continue;
      // The clock stopped while the task waited: the due date moves by the working days it lost.
      const CivilDate paused = ChinaDate(TimePoint(std::chrono::seconds(t.paused_at.value_or(now))));
      const int lost = calendar().CountWorkingDays(paused, today);
      if (t.due_date && lost > 0) {
        t.due_date = calendar().AddWorkingDays(*t.due_date, lost);
        t.due_at = ChinaDayEndUnix(*t.due_date);
      }
      t.paused_days += lost;
      t.paused_at.reset();
      // The request is answered: what was asked stays in the case's events, not on the task.
      t.reason.clear();
      t.state = t.claimed_by ? TaskState::kClaimed : TaskState::kReady;
      t.updated_at = now;
      TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, t));
      TB_RETURN_IF_ERROR(Event(tx, c, t.id, t.item, "resume", "system", ""));
      TB_RETURN_IF_ERROR(Notify(tx, c, 0, t.department, "supplemented", "办件 " + c.case_number + " 已补正材料。",
                                "Case " + c.case_number + " has the materials asked for.", out));
    }
    return Status::Ok();
  }));
  Deliver(out);
  return c;
}

Result<Case> CaseService::AttachUpload(const Person& person, int64_t case_id, std::string_view code,
                                       const StoredUpload& file) {
  Case c;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(c, Load(tx, case_id, true));
    const std::optional<Party> found_party = PartyIn(c, person.subject_id);
    if (!found_party) return Status::NotFound("case", std::to_string(case_id));
    const Party party = *found_party;
    const Material* m = catalogue_.FindMaterial(code);
    const auto materials = catalogue_.FormMaterials(BundleOf(c));
    if (m == nullptr || std::find(materials.begin(), materials.end(), m) == materials.end()) {
      return Status::InvalidField("/code", "is not a material of this form");
    }
    if (m->subject != party) {
      return Status::InvalidField("/code", std::string("is attached by the ") +
                                               (party == Party::kApplicant ? "co-applicant" : "applicant"));
    }
    if (!m->upload) return Status::InvalidField("/code", "cannot be uploaded: attach the licence " + m->license);
    const bool waiting = std::any_of(c.tasks.begin(), c.tasks.end(),
                                     [](const Task& t) { return t.state == TaskState::kAwaitingCitizen; });
    const bool now_ok = party == Party::kApplicant ? (c.state == CaseState::kDraft || waiting)
                                                   : c.state == CaseState::kAwaitingCoApplicant;
    if (!now_ok) return Status::FailedPrecondition("materials cannot be changed in this state of the case");
    const int64_t now = NowSeconds();
    MaterialsOf(c)[code] = object{{"upload", file.hash}, {"mime", file.mime}, {"size", file.size},
                                  {"party", PartyName(party)}, {"verified_at", now}};
    Count(c);
    c.updated_at = now;
    TB_RETURN_IF_ERROR(CaseRepo::UpdateCase(tx, c));
    return Event(tx, c, std::nullopt, "", "upload", PartyName(party), file.hash);
  }));
  return c;
}

Result<Case> CaseService::Mine(std::string_view subject, int64_t case_id) {
  Case c;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(c, Load(tx, case_id, true));
    if (!PartyIn(c, subject)) return Status::NotFound("case", std::to_string(case_id));
    return Status::Ok();
  }));
  return c;
}

Result<std::vector<Case>> CaseService::MyCases(std::string_view subject) {
  std::vector<Case> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, CaseRepo::CasesOf(tx, subject, kListLimit));
    for (Case& c : out) {
      TB_ASSIGN_OR_RETURN(c.tasks, CaseRepo::TasksOf(tx, c.id));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Task>> CaseService::Queue(const Staff& staff, QueueFilter filter) {
  std::vector<Task> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, CaseRepo::Queue(tx, staff.department, filter, staff.account_id, NowSeconds(), kListLimit));
    return Status::Ok();
  }));
  return out;
}

Result<Case> CaseService::CaseForStaff(const Staff& staff, int64_t case_id) {
  Case c;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(c, Load(tx, case_id, true));
    const bool involved = BundleOf(c).department == staff.department ||
                          std::any_of(c.tasks.begin(), c.tasks.end(),
                                      [&](const Task& t) { return t.department == staff.department; });
    if (!involved || c.state == CaseState::kDraft) return Status::NotFound("case", std::to_string(case_id));
    return Status::Ok();
  }));
  return c;
}

Result<std::pair<Task, Case>> CaseService::StaffTask(store::Tx& tx, const Staff& staff, int64_t task_id) {
  TB_ASSIGN_OR_RETURN(auto t, CaseRepo::GetTask(tx, task_id));
  if (!t || t->department != staff.department) return Status::NotFound("task", std::to_string(task_id));
  TB_ASSIGN_OR_RETURN(Case c, Load(tx, t->case_id, false));
  return std::pair<Task, Case>(std::move(*t), std::move(c));
}

Result<Task> CaseService::Claim(const Staff& staff, int64_t task_id) {
  Task t;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto found, StaffTask(tx, staff, task_id));
    t = std::move(found.first);
    if (t.state == TaskState::kClaimed && t.claimed_by == staff.account_id) return Status::Ok();
    if (t.state == TaskState::kClaimed) return Status::Conflict("the task is claimed by " + t.claimed_by_name);
    if (t.state != TaskState::kReady) {
      return Status::FailedPrecondition("the task is " + std::string(TaskStateName(t.state)) + ", not ready");
    }
    t.state = TaskState::kClaimed;
    t.claimed_by = staff.account_id;
    t.claimed_by_name = staff.name;
    t.updated_at = NowSeconds();
    TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, t));
    return Event(tx, found.second, t.id, t.item, "claim", staff.department, "");
  }));
  return t;
}

namespace {

// Whether the staff member may decide the task now: ready (the decision claims it) or theirs.
Status Decidable(const Task& t, const Staff& staff) {
  if (t.state == TaskState::kReady) return Status::Ok();
  if (t.state == TaskState::kClaimed) {
    if (t.claimed_by != staff.account_id) return Status::Conflict("the task is claimed by " + t.claimed_by_name);
    return Status::Ok();
  }
  return Status::FailedPrecondition("the task is " + std::string(TaskStateName(t.state)));
}

// The value of an output template for the licence of `holder`.
std::string Fill(const std::string& tmpl, Party holder, const Case& c, const Item& item, const object& fields,
                 CivilDate today) {
  if (tmpl.starts_with("=")) return tmpl.substr(1);
  if (tmpl == "$case") return c.case_number;
  if (tmpl == "$today") return today.ToString();
  if (tmpl == "$item") return item.name_zh;
  std::string name = tmpl;
  const std::string h(PartyName(holder));
  const std::string o(PartyName(holder == Party::kApplicant ? Party::kCoApplicant : Party::kApplicant));
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"{holder}", h}, {"{other}", o}}) {
    for (size_t p = name.find(from); p != std::string::npos; p = name.find(from)) name.replace(p, from.size(), to);
  }
  if (name == "applicant_id") return c.applicant_subject;
  if (name == "co_applicant_id") return c.co_applicant_subject;
  auto it = fields.find(name);
  if (it == fields.end() || !it->value().is_object()) return "";
  const object& slot = it->value().as_object();
  return slot.contains("value") ? ValueText(slot.at("value")) : "";
}

}  // namespace

Result<Task> CaseService::Approve(const Staff& staff, int64_t task_id, const object& asked_fields) {
  auto approved = Decide(staff, task_id, [&](store::Tx& tx, Task& t, Case& c, int64_t now, Outbox& out) -> Status {
    return ApproveIn(tx, t, c, now, out, asked_fields, staff.department);
  });
  return approved;
}

Status CaseService::ApproveIn(store::Tx& tx, Task& t, Case& c, int64_t now, Outbox& out, const object& asked_fields,
                              std::string_view actor) {
  object staff_fields = asked_fields;  // with the case's earlier staff fields (below)
  const Item* item = catalogue_.FindItem(t.item);
  if (item == nullptr) return Status::FailedPrecondition("item " + t.item + " is no longer in the catalogue");
  // The output licence, one per holder, issued in this transaction: approved and issued, or neither.
  t.licenses.clear();
  if (!item->output.empty()) {
    std::vector<FieldError> errors;
    // Staff fields given at an earlier step of the case (the child's ID number the police
    // assigned) are carried: left out, they are reused; given again, they must agree.
    object& given = c.form["staff_fields"].is_object() ? c.form["staff_fields"].as_object()
                                                        : c.form["staff_fields"].emplace_object();
    for (const std::string& sf : item->staff_fields) {
      if (!staff_fields.contains(sf) && given.contains(sf)) staff_fields[sf] = given.at(sf);
      if (staff_fields.contains(sf) && given.contains(sf) && staff_fields.at(sf) != given.at(sf)) {
        errors.push_back({"/staff_fields/" + sf, "differs from the " + sf + " given earlier in this case (" +
                                                     ValueText(given.at(sf)) + ")"});
      }
      const value* v = staff_fields.if_contains(sf);
      if (v == nullptr || !v->is_string() || v->as_string().empty()) {
        errors.push_back({"/staff_fields/" + sf, "is required to issue the " + item->output});
      }
    }
    for (const auto& [k, v] : staff_fields) {
      if (std::find(item->staff_fields.begin(), item->staff_fields.end(), k) == item->staff_fields.end()) {
        errors.push_back({"/staff_fields/" + std::string(k), "is not a staff field of this item"});
      }
    }
    if (!errors.empty()) {
      return Refused("cannot issue the " + item->output, std::move(errors));
    }
    const license::LicenseType* type = licenses_.catalogue().Type(item->output);
    const CivilDate today = ChinaDate(clock_.Now());
    auto subject_of = [&](Party p) { return p == Party::kApplicant ? c.applicant_subject : c.co_applicant_subject; };
    // One licence per holder; or, with a holder field (a newborn's ID number), one licence for
    // that person with the applicants as guardians.
    const size_t licences = item->output_holder_field.empty() ? item->output_holders.size() : 1;
    for (size_t h = 0; h < licences; ++h) {
      const Party holder = item->output_holders[h];
      license::IssueRequest issue;
      issue.type = item->output;
      issue.holder_subject = subject_of(holder);
      if (!item->output_holder_field.empty()) {
        issue.holder_subject = std::string(staff_fields.at(item->output_holder_field).as_string());
        for (Party g : item->output_holders) {
          if (!subject_of(g).empty()) issue.guardians.push_back(subject_of(g));
        }
      }
      for (const auto& [field, tmpl] : item->output_fields) {
        std::string v = Fill(tmpl, holder, c, *item, FieldsOf(c), today);
        if (!v.empty()) issue.fields[field] = v;
      }
      for (const auto& [k, v] : staff_fields) issue.fields[k] = v;
      auto issued = licenses_.IssueIn(tx, issue, type->issuer);
      if (!issued.ok()) {
        const Status refused = issued.status();
        // Only the licence part's verdict on the case's values is the case's problem; a storage
        // error (a serialization conflict the transaction retries) stays what it is.
        if (refused.code() != ErrorCode::kInvalidArgument && refused.code() != ErrorCode::kPermissionDenied) {
          return refused;
        }
        const std::string why = refused.fields().empty()
                                    ? std::string(refused.message())
                                    : refused.fields().front().field + ": " + refused.fields().front().reason;
        return Status::FailedPrecondition("the " + item->output + " cannot be issued from this case (" + why +
                                          "); ask for materials or reject");
      }
      t.licenses.push_back(issued->id);
    }
  }
  for (const std::string& sf : item->staff_fields) {
    if (const value* v = staff_fields.if_contains(sf)) c.form["staff_fields"].as_object()[sf] = *v;
  }
  if (!item->staff_fields.empty()) TB_RETURN_IF_ERROR(CaseRepo::UpdateCase(tx, c));
  t.state = TaskState::kApproved;
  t.decided_at = now;
  t.decided_by = std::string(actor == kRulesActor ? kRulesActor : "");
  TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, t));
  TB_RETURN_IF_ERROR(Event(tx, c, t.id, t.item, "approve", actor, ""));
  TB_RETURN_IF_ERROR(NotifyApplicants(tx, c, "task_approved",
                                      item->name_zh + "已办结" + (t.licenses.empty() ? "。" : "，证照已发放到您的卡包。"),
                                      item->name_en + " is done" +
                                          (t.licenses.empty() ? "." : "; the licence is in your wallet."),
                                      out));
  // Waiting items whose waits are all approved enter their queues; the last approval completes.
  TB_ASSIGN_OR_RETURN(auto tasks, CaseRepo::TasksOf(tx, c.id));
  std::set<std::string> approved;
  for (const Task& x : tasks) {
    if (x.state == TaskState::kApproved) approved.insert(x.item);
  }
  const Bundle& bundle = BundleOf(c);
  for (Task& x : tasks) {
    if (x.state != TaskState::kWaiting) continue;
    const Step* s = bundle.FindStep(x.item);
    const Item* xi = catalogue_.FindItem(x.item);
    if (s == nullptr || xi == nullptr) continue;
    if (std::all_of(s->after.begin(), s->after.end(), [&](const std::string& a) { return approved.contains(a); })) {
      TB_RETURN_IF_ERROR(MakeReady(x, *xi, now));
      out.rules_to_run = out.rules_to_run || HasRules(x.item);
      TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, x));
    }
  }
  if (approved.size() == tasks.size()) {
    c.state = CaseState::kCompleted;
    c.completed_at = now;
    c.updated_at = now;
    TB_RETURN_IF_ERROR(CaseRepo::UpdateCase(tx, c));
    TB_RETURN_IF_ERROR(Event(tx, c, std::nullopt, "", "complete", "system", ""));
    TB_RETURN_IF_ERROR(NotifyApplicants(tx, c, "completed", bundle.name_zh + "已全部办结。",
                                        bundle.name_en + " is complete.", out));
  }
  return Status::Ok();
}

Result<Task> CaseService::Decide(const Staff& staff, int64_t task_id, const DecisionStep& step) {
  Task t;
  Outbox out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out = {};
    TB_ASSIGN_OR_RETURN(auto found, StaffTask(tx, staff, task_id));
    t = std::move(found.first);
    TB_RETURN_IF_ERROR(Decidable(t, staff));
    // A decision on a ready task claims it for whoever decides, with its own claim event so the
    // case's history says who took it (as an explicit claim does).
    if (!t.claimed_by) {
      t.claimed_by = staff.account_id;
      t.claimed_by_name = staff.name;
      TB_RETURN_IF_ERROR(Event(tx, found.second, t.id, t.item, "claim", staff.department, ""));
    }
    const int64_t now = NowSeconds();
    t.updated_at = now;
    return step(tx, t, found.second, now, out);
  }));
  Deliver(out);
  if (out.rules_to_run) ReviewByRules(t.case_id);
  return t;
}

Result<Task> CaseService::Reject(const Staff& staff, int64_t task_id, std::string_view reason) {
  TB_RETURN_IF_ERROR(CheckText("/reason", reason, 500));
  return Decide(staff, task_id, [&](store::Tx& tx, Task& t, Case& c, int64_t now, Outbox& out) -> Status {
    return RejectIn(tx, t, c, now, out, reason, reason, staff.department);
  });
}

Status CaseService::RejectIn(store::Tx& tx, Task& t, Case& c, int64_t now, Outbox& out, std::string_view reason_zh,
                             std::string_view reason_en, std::string_view actor) {
  t.state = TaskState::kRejected;
  t.reason = std::string(reason_zh);
  t.decided_at = now;
  t.decided_by = std::string(actor == kRulesActor ? kRulesActor : "");
  TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, t));
  TB_RETURN_IF_ERROR(Event(tx, c, t.id, t.item, "reject", actor, reason_zh));
  TB_ASSIGN_OR_RETURN(auto tasks, CaseRepo::TasksOf(tx, c.id));
  for (Task& x : tasks) {
    if (x.id == t.id || (!x.Open() && x.state != TaskState::kWaiting)) continue;
    x.state = TaskState::kCancelled;
    x.decided_at = now;
    x.updated_at = now;
    TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, x));
  }
  c.state = CaseState::kRejected;
  c.completed_at = now;
  c.updated_at = now;
  TB_RETURN_IF_ERROR(CaseRepo::UpdateCase(tx, c));
  const auto [zh, en] = catalogue_.ItemNames(t.item);
  if (actor == kRulesActor) {
    return NotifyApplicants(tx, c, "rejected",
                            zh + "经自动审核未通过：" + std::string(reason_zh) + "。如有异议，可在" +
                                std::to_string(options_.appeal_days) + "日内申诉，由工作人员复核。",
                            en + " was refused by the automatic check: " + std::string(reason_en) +
                                ". You may appeal within " + std::to_string(options_.appeal_days) +
                                " days; staff review it.",
                            out);
  }
  return NotifyApplicants(tx, c, "rejected", zh + "未通过：" + std::string(reason_zh),
                          en + " was refused: " + std::string(reason_en), out);
}

Result<Task> CaseService::RequestMaterials(const Staff& staff, int64_t task_id, std::string_view reason) {
  TB_RETURN_IF_ERROR(CheckText("/reason", reason, 500));
  return Decide(staff, task_id, [&](store::Tx& tx, Task& t, Case& c, int64_t now, Outbox& out) -> Status {
    t.state = TaskState::kAwaitingCitizen;
    t.reason = std::string(reason);
    t.paused_at = now;
    TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, t));
    TB_RETURN_IF_ERROR(Event(tx, c, t.id, t.item, "request_materials", staff.department, reason));
    const auto [zh, en] = catalogue_.ItemNames(t.item);
    return NotifyApplicants(tx, c, "materials_requested", zh + "需要补正：" + std::string(reason),
                            en + " needs more from you: " + std::string(reason), out);
  });
}

Result<int64_t> CaseService::EscalateOverdue(int limit) {
  int64_t done = 0;
  Outbox out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out = {};
    done = 0;
    const int64_t now = NowSeconds();
    TB_ASSIGN_OR_RETURN(auto due, CaseRepo::Overdue(tx, now, limit));
    for (Task& t : due) {
      t.escalated_at = now;
      t.updated_at = now;
      TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, t));
      TB_ASSIGN_OR_RETURN(Case c, Load(tx, t.case_id, false));
      TB_RETURN_IF_ERROR(Event(tx, c, t.id, t.item, "escalate", "system", ""));
      TB_RETURN_IF_ERROR(Notify(tx, c, 0, t.department, "escalated",
                                "办件 " + c.case_number + " 的事项已超过办理时限（" +
                                    (t.due_date ? t.due_date->ToString() : "") + "），已上报部门负责人。",
                                "A task of case " + c.case_number + " is past its time limit (" +
                                    (t.due_date ? t.due_date->ToString() : "") + ") and goes to the department lead.",
                                out));
      ++done;
    }
    return Status::Ok();
  }));
  Deliver(out);
  return done;
}

void CaseService::StartSweeps(std::chrono::milliseconds interval) {
  sweep_.Start(interval, [this] {
    auto r = EscalateOverdue(1000);
    if (!r.ok()) {
      ++sweep_errors_;
      spdlog::warn("service: escalation sweep failed: {}", r.status().ToString());
    }
    auto reviewed = ReviewAwaitingRules(1000);
    if (!reviewed.ok()) {
      ++sweep_errors_;
      spdlog::warn("service: rules sweep failed: {}", reviewed.status().ToString());
    }
  });
}

void CaseService::StopSweeps() { sweep_.Stop(); }

Result<std::vector<Notice>> CaseService::Notices(int64_t account_id, std::string_view department) {
  std::vector<Notice> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, CaseRepo::NoticesOf(tx, account_id, department, 200));
    return Status::Ok();
  }));
  return out;
}

Status CaseService::MarkNoticeRead(int64_t account_id, int64_t notice_id) {
  return db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(bool ok, CaseRepo::MarkRead(tx, account_id, notice_id, NowSeconds()));
    return ok ? Status::Ok() : Status::NotFound("notice", std::to_string(notice_id));
  });
}

bool CaseService::DueSoon(const Task& task) const {
  if (!task.due_date || (task.state != TaskState::kReady && task.state != TaskState::kClaimed)) return false;
  const CivilDate today = ChinaDate(clock_.Now());
  return calendar().AddWorkingDays(today, 1) >= *task.due_date;
}

Result<Figures> CaseService::GetFigures() {
  Figures f;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(f.bundles, CaseRepo::FiguresByBundle(tx));
    TB_ASSIGN_OR_RETURN(f.departments, CaseRepo::FiguresByDepartment(tx, NowSeconds()));
    return Status::Ok();
  }));
  for (ServiceFigures& b : f.bundles) {
    const Bundle* bundle = catalogue_.FindBundle(b.bundle);
    b.old_visits = bundle ? bundle->old_visits : 0;
  }
  return f;
}

}  // namespace tongban::service
