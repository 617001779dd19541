// CaseService's automatic decisions (秒批), appeals against them (申诉) and their replay; see the
// "秒批" section of case_service.h and docs/rules.md. The rest of the case life is case_service.cc.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/clock.h"
#include "core/mask.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "service/case_service.h"
#include "service/text_check.h"

namespace tongban::service {

using boost::json::array;
using boost::json::object;
using boost::json::value;

namespace {

// The stored value of a form field, or null.
const value* FormValue(const Case& c, std::string_view field) {
  const value* fields = c.form.if_contains("fields");
  if (fields == nullptr || !fields->is_object()) return nullptr;
  const value* slot = fields->as_object().if_contains(field);
  if (slot == nullptr || !slot->is_object()) return nullptr;
  return slot->as_object().if_contains("value");
}

rules::Value ValueOf(const value* v, rules::ValueType type) {
  if (v == nullptr) return rules::Value::Null();
  auto converted = rules::ValueFromJson(*v, type);
  return converted.ok() ? std::move(converted).value() : rules::Value::Null();
}

}  // namespace

std::string CaseService::DecisionDocument(const DecisionRecord& d, int rule_version) const {
  array rows;
  if (const value* r = d.explanation.if_contains("rows"); r != nullptr && r->is_array()) rows = r->as_array();
  // No personal data: the inputs only as the hash of their stored values.
  object doc{{"case_task", d.task_id},
             {"item", d.item},
             {"rules", d.rule_hash},
             {"version", rule_version},
             {"outcome", d.outcome},
             {"rows", std::move(rows)},
             {"inputs", crypto::ToHex(crypto::Hash(options_.hash, boost::json::serialize(d.refs)))},
             {"on", d.decided_on},
             {"at", d.at}};
  return boost::json::serialize(doc);
}

Status CaseService::RecordRuleVersions() {
  if (options_.rules == nullptr) return Status::Ok();
  return db_.Transact([&](store::Tx& tx) -> Status {
    for (const ItemRules& r : options_.rules->all()) {
      TB_ASSIGN_OR_RETURN(bool added, CaseRepo::InsertRuleVersion(tx, r.hash, r.table.item(), r.table.version(),
                                                                  r.file, r.text, NowSeconds()));
      if (!added) continue;
      const std::string doc = boost::json::serialize(object{{"item", r.table.item()},
                                                            {"version", r.table.version()},
                                                            {"file", r.file},
                                                            {"hash", r.hash}});
      std::array<uint8_t, 32> nobody{};
      TB_RETURN_IF_ERROR(ledger::EnqueueEntry(tx, ledger::DocumentEntry("service.rules", nobody, options_.hash, doc,
                                                                         clock_.NowUnixMicros()))
                             .status());
      spdlog::info("service: rules of {} version {} recorded ({})", r.table.item(), r.table.version(),
                   r.hash.substr(0, 16));
    }
    return Status::Ok();
  });
}

Result<std::vector<rules::Value>> CaseService::ReadReferences(const Case& c, const Item& item,
                                                              const rules::DecisionTable& table) {
  const auto& refs = table.references();
  std::vector<rules::Value> values(refs.size(), rules::Value::Null());
  std::map<std::string, std::vector<size_t>> by_dataset;
  bool wallet = false;
  for (size_t i = 0; i < refs.size(); ++i) {
    switch (refs[i].kind) {
      case rules::Reference::Kind::kForm:
        values[i] = ValueOf(FormValue(c, refs[i].a), refs[i].type);
        break;
      case rules::Reference::Kind::kData:
        by_dataset[refs[i].a].push_back(i);
        break;
      case rules::Reference::Kind::kLicense:
        wallet = true;
        break;
    }
  }
  // The data platform, under the case, as the item's department: the applicant sees these reads.
  for (const auto& [dataset, wanted] : by_dataset) {
    data::ReadRequest read;
    read.reader = {0, item.department};
    read.subject_id = c.applicant_subject;
    read.dataset = dataset;
    for (size_t i : wanted) {
      if (std::find(read.elements.begin(), read.elements.end(), refs[i].b) == read.elements.end()) {
        read.elements.push_back(refs[i].b);
      }
    }
    read.purpose = data::PurposeKind::kCase;
    read.purpose_ref = c.case_number;
    auto result = data_.Read(read);
    if (!result.ok()) {
      const ErrorCode code = result.status().code();
      if (code != ErrorCode::kNotFound && code != ErrorCode::kPermissionDenied &&
          code != ErrorCode::kFailedPrecondition) {
        return result.status();
      }
      // Nothing held, or not readable: missing data, which refers the task to staff.
      spdlog::info("service: case {} rules of {}: {} not read ({})", c.case_number, item.code, dataset,
                   result.status().message());
      continue;
    }
    for (size_t i : wanted) {
      for (const data::ElementValue& v : result->values) {
        if (v.element == refs[i].b && !v.value.is_null()) {
          values[i] = ValueOf(&v.value, refs[i].type);
          break;
        }
      }
    }
  }
  if (wallet) {
    TB_ASSIGN_OR_RETURN(auto licences, licenses_.Wallet(c.applicant_subject));
    const int64_t now = NowSeconds();
    for (size_t i = 0; i < refs.size(); ++i) {
      if (refs[i].kind != rules::Reference::Kind::kLicense) continue;
      const license::License* held = nullptr;
      for (const license::License& l : licences) {
        if (l.type == refs[i].a && l.holder_subject == c.applicant_subject &&
            l.EffectiveStatus(now) == license::LicenseStatus::kValid) {
          held = &l;
          break;
        }
      }
      if (refs[i].b.empty()) {
        values[i] = rules::Value::Boolean(held != nullptr);
      } else if (held != nullptr) {
        boost::system::error_code ec;
        value fields = boost::json::parse(held->fields_json, ec);
        if (!ec && fields.is_object()) values[i] = ValueOf(fields.as_object().if_contains(refs[i].b), refs[i].type);
      }
    }
  }
  return values;
}

Result<bool> CaseService::ReviewTask(const Task& task) {
  const ItemRules* rules = options_.rules ? options_.rules->For(task.item) : nullptr;
  const Item* item = catalogue_.FindItem(task.item);
  if (rules == nullptr || item == nullptr || task.state != TaskState::kReady || !task.decided_by.empty()) return false;
  const int64_t case_id = task.case_id, task_id = task.id;
  Task t = task;
  Case c;
  bool decided = false;  // referred to staff earlier: its inputs are not read again
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto earlier, CaseRepo::DecisionOfTask(tx, task_id));
    decided = earlier.has_value();
    if (decided) return Status::Ok();
    TB_ASSIGN_OR_RETURN(c, Load(tx, case_id, false));
    return Status::Ok();
  }));
  if (decided) return false;
  TB_ASSIGN_OR_RETURN(std::vector<rules::Value> refs, ReadReferences(c, *item, rules->table));
  const CivilDate today = ChinaDate(clock_.Now());
  const rules::Decision decision = rules->table.Evaluate(refs, today);

  DecisionRecord d;
  d.case_id = c.id;
  d.task_id = t.id;
  d.item = t.item;
  d.rule_hash = rules->hash;
  d.outcome = std::string(rules::OutcomeName(decision.outcome));
  d.explanation = decision.ToJson(rules->table);
  for (size_t i = 0; i < refs.size(); ++i) d.refs[rules->table.references()[i].Text()] = rules::ToJson(refs[i]);
  d.decided_on = today.ToString();

  bool approved = false;
  Outbox out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out = {};
    approved = false;
    TB_ASSIGN_OR_RETURN(c, Load(tx, case_id, false));
    TB_ASSIGN_OR_RETURN(auto fresh, CaseRepo::GetTask(tx, task_id));
    // Decided meanwhile (a staff member, or another node's review): nothing to do.
    if (!fresh || fresh->state != TaskState::kReady || !fresh->decided_by.empty() || c.state != CaseState::kInProgress) {
      return Status::Ok();
    }
    TB_ASSIGN_OR_RETURN(auto earlier, CaseRepo::DecisionOfTask(tx, task_id));
    if (earlier) return Status::Ok();
    t = std::move(*fresh);
    const int64_t now = NowSeconds();
    d.at = clock_.NowUnixMicros();
    d.document = DecisionDocument(d, rules->table.version());
    TB_ASSIGN_OR_RETURN(d.id, CaseRepo::InsertDecision(tx, d));
    TB_RETURN_IF_ERROR(ledger::EnqueueEntry(tx, ledger::DocumentEntry("service.decision",
                                                                      options_.subject_hash(c.applicant_subject),
                                                                      options_.hash, d.document, d.at))
                           .status());
    t.updated_at = now;
    switch (decision.outcome) {
      case rules::Outcome::kApprove:
        approved = true;
        return ApproveIn(tx, t, c, now, out, object{}, kRulesActor);
      case rules::Outcome::kReject:
        return RejectIn(tx, t, c, now, out, decision.reason_zh, decision.reason_en, kRulesActor);
      case rules::Outcome::kRefer: {
        // Stays in the department's queue; the decision's explanation shows beside it.
        TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, t));
        TB_RETURN_IF_ERROR(Event(tx, c, t.id, t.item, "refer", kRulesActor, decision.reason_en));
        const auto [zh, en] = catalogue_.ItemNames(t.item);
        return NotifyApplicants(tx, c, "referred", zh + "已转人工审核：" + decision.reason_zh,
                                en + " goes to staff for review: " + decision.reason_en, out);
      }
    }
    return Status::Ok();
  }));
  Deliver(out);
  if (d.id != 0) {
    spdlog::info("service: case {} task {} ({}) decided by rules: {}", c.case_number, t.id, t.item, d.outcome);
  }
  return approved;
}

void CaseService::ReviewByRules(int64_t case_id) {
  if (options_.rules == nullptr) return;
  // An approval may make waiting tasks ready; they are reviewed in turn (at most once each).
  std::set<int64_t> reviewed;
  for (bool more = true; more;) {
    more = false;
    std::vector<Task> tasks;
    const Status read = db_.Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(tasks, CaseRepo::TasksOf(tx, case_id));
      return Status::Ok();
    });
    if (!read.ok()) {
      sweep_errors_.fetch_add(1);
      spdlog::warn("service: rules of case {} not run: {}", case_id, read.ToString());
      return;
    }
    for (const Task& t : tasks) {
      if (t.state != TaskState::kReady || !t.decided_by.empty() || options_.rules->For(t.item) == nullptr ||
          !reviewed.insert(t.id).second) {
        continue;
      }
      auto approved = ReviewTask(t);
      if (!approved.ok()) {
        // Left ready and undecided: the sweep (ReviewAwaitingRules) tries again.
        sweep_errors_.fetch_add(1);
        spdlog::warn("service: rules of task {} not run: {}", t.id, approved.status().ToString());
        continue;
      }
      more = more || *approved;
    }
  }
}

Result<int64_t> CaseService::ReviewAwaitingRules(int limit) {
  if (options_.rules == nullptr) return int64_t{0};
  std::vector<std::string> items;
  for (const ItemRules& r : options_.rules->all()) items.push_back(r.table.item());
  std::vector<Task> tasks;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(tasks, CaseRepo::AwaitingRules(tx, items, limit));
    return Status::Ok();
  }));
  std::set<int64_t> cases;
  for (const Task& t : tasks) cases.insert(t.case_id);
  for (int64_t id : cases) ReviewByRules(id);
  return static_cast<int64_t>(tasks.size());
}

Result<Appeal> CaseService::FileAppeal(const Person& applicant, int64_t case_id, int64_t task_id,
                                       std::string_view reason) {
  TB_RETURN_IF_ERROR(CheckText("/reason", reason, 1000));
  Appeal a;
  Outbox out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out = {};
    TB_ASSIGN_OR_RETURN(Case c, Load(tx, case_id, false));
    if (c.applicant_subject != applicant.subject_id) return Status::NotFound("case", std::to_string(case_id));
    TB_ASSIGN_OR_RETURN(auto t, CaseRepo::GetTask(tx, task_id));
    if (!t || t->case_id != c.id) return Status::NotFound("task", std::to_string(task_id));
    if (t->state != TaskState::kRejected || !t->AutoDecided()) {
      return Status::FailedPrecondition("only a rejection by the automatic check can be appealed");
    }
    const int64_t now = NowSeconds();
    if (!Appealable(*t)) {
      return Status::FailedPrecondition("the " + std::to_string(options_.appeal_days) +
                                        " days to appeal this decision have passed");
    }
    TB_ASSIGN_OR_RETURN(auto earlier, CaseRepo::AppealOfTask(tx, task_id));
    if (earlier) return Status::Conflict("this decision is already appealed");
    TB_ASSIGN_OR_RETURN(auto decision, CaseRepo::DecisionOfTask(tx, task_id));
    if (!decision) return Status::FailedPrecondition("the automatic decision is not on record");
    a.case_id = c.id;
    a.case_number = c.case_number;
    a.task_id = t->id;
    a.item = t->item;
    a.decision_id = decision->id;
    a.department = t->department;
    a.reason = std::string(reason);
    a.filed_at = now;
    a.due_at = ChinaDayEndUnix(calendar().AddWorkingDays(ChinaDate(clock_.Now()), options_.appeal_answer_days));
    TB_ASSIGN_OR_RETURN(a.id, CaseRepo::InsertAppeal(tx, a));
    TB_RETURN_IF_ERROR(Event(tx, c, t->id, t->item, "appeal", "applicant", reason));
    const auto [zh, en] = catalogue_.ItemNames(t->item);
    TB_RETURN_IF_ERROR(Notify(tx, c, 0, t->department, "appeal_filed", zh + "的自动审核结果被申诉，请复核。",
                              "The automatic decision on " + en + " is appealed; review it.", out));
    return NotifyApplicants(tx, c, "appeal_filed", "您对" + zh + "自动审核结果的申诉已受理，工作人员将复核并答复。",
                            "Your appeal against the automatic decision on " + en +
                                " is received; staff will review it and answer.",
                            out);
  }));
  Deliver(out);
  return a;
}

Result<std::vector<Appeal>> CaseService::AppealQueue(const Staff& staff, bool open) {
  std::vector<Appeal> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, CaseRepo::AppealQueue(tx, staff.department, open, 500));
    return Status::Ok();
  }));
  return out;
}

Result<CaseService::AppealView> CaseService::AppealForStaff(const Staff& staff, int64_t appeal_id) {
  AppealView view;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto a, CaseRepo::GetAppeal(tx, appeal_id));
    if (!a || a->department != staff.department) return Status::NotFound("appeal", std::to_string(appeal_id));
    TB_ASSIGN_OR_RETURN(auto d, CaseRepo::GetDecision(tx, a->decision_id));
    if (!d) return Status::NotFound("decision", std::to_string(a->decision_id));
    TB_ASSIGN_OR_RETURN(view.c, Load(tx, a->case_id, true));
    view.appeal = std::move(*a);
    view.decision = std::move(*d);
    return Status::Ok();
  }));
  return view;
}

Result<Appeal> CaseService::DecideAppeal(const Staff& staff, int64_t appeal_id, bool reverse, std::string_view answer,
                                         const object& staff_fields) {
  TB_RETURN_IF_ERROR(CheckText("/answer", answer, 1000));
  Appeal a;
  Outbox out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out = {};
    TB_ASSIGN_OR_RETURN(auto found, CaseRepo::GetAppeal(tx, appeal_id));
    if (!found || found->department != staff.department) return Status::NotFound("appeal", std::to_string(appeal_id));
    a = std::move(*found);
    if (a.state != AppealState::kOpen) return Status::FailedPrecondition("the appeal is already decided");
    TB_ASSIGN_OR_RETURN(Case c, Load(tx, a.case_id, false));
    TB_ASSIGN_OR_RETURN(auto task, CaseRepo::GetTask(tx, a.task_id));
    if (!task) return Status::NotFound("task", std::to_string(a.task_id));
    Task t = std::move(*task);
    const int64_t now = NowSeconds();
    a.decided_at = now;
    a.decided_by = staff.account_id;
    a.decided_by_name = staff.name;
    a.answer = std::string(answer);
    const auto [zh, en] = catalogue_.ItemNames(t.item);
    if (!reverse) {
      a.state = AppealState::kUpheld;
      TB_RETURN_IF_ERROR(CaseRepo::UpdateAppeal(tx, a));
      TB_RETURN_IF_ERROR(Event(tx, c, t.id, t.item, "appeal_upheld", staff.department, answer));
      return NotifyApplicants(tx, c, "appeal_answered", "您对" + zh + "的申诉经复核维持原结果：" + std::string(answer),
                              "Your appeal on " + en + " was reviewed; the decision stands: " + std::string(answer),
                              out);
    }
    // Reversed: the case resumes — the tasks the rejection cancelled wait again, then the task is
    // approved as by staff, which makes ready what may start and completes the case when all are.
    a.state = AppealState::kReversed;
    TB_RETURN_IF_ERROR(CaseRepo::UpdateAppeal(tx, a));
    TB_ASSIGN_OR_RETURN(auto tasks, CaseRepo::TasksOf(tx, c.id));
    for (Task& x : tasks) {
      if (x.state != TaskState::kCancelled) continue;
      x.state = TaskState::kWaiting;
      x.decided_at.reset();
      x.claimed_by.reset();
      x.claimed_by_name.clear();
      x.updated_at = now;
      TB_RETURN_IF_ERROR(CaseRepo::UpdateTask(tx, x));
    }
    c.state = CaseState::kInProgress;
    c.completed_at.reset();
    c.updated_at = now;
    TB_RETURN_IF_ERROR(CaseRepo::UpdateCase(tx, c));
    TB_RETURN_IF_ERROR(Event(tx, c, t.id, t.item, "appeal_reversed", staff.department, answer));
    t.claimed_by = staff.account_id;
    t.claimed_by_name = staff.name;
    t.reason.clear();
    t.updated_at = now;
    TB_RETURN_IF_ERROR(ApproveIn(tx, t, c, now, out, staff_fields, staff.department));
    return NotifyApplicants(tx, c, "appeal_answered", "您对" + zh + "的申诉经复核予以支持：" + std::string(answer),
                            "Your appeal on " + en + " was upheld after review: " + std::string(answer), out);
  }));
  Deliver(out);
  if (out.rules_to_run) ReviewByRules(a.case_id);
  return a;
}

Result<CaseService::Replay> CaseService::ReplayDecision(int64_t decision_id) {
  Replay r;
  std::string text;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto d, CaseRepo::GetDecision(tx, decision_id));
    if (!d) return Status::NotFound("decision", std::to_string(decision_id));
    r.decision = std::move(*d);
    TB_ASSIGN_OR_RETURN(auto ref, CaseRepo::RefById(tx, r.decision.case_id));
    if (!ref) return Status::NotFound("case", std::to_string(r.decision.case_id));
    r.entry = ledger::DocumentEntry("service.decision", options_.subject_hash(ref->applicant_subject), options_.hash,
                                    r.decision.document, r.decision.at);
    TB_ASSIGN_OR_RETURN(auto t, CaseRepo::RuleText(tx, r.decision.rule_hash));
    if (!t) return Status::FailedPrecondition("rule version " + r.decision.rule_hash + " is not on record");
    text = std::move(*t);
    return Status::Ok();
  }));
  if (crypto::ToHex(crypto::Hash(options_.hash, text)) != r.decision.rule_hash) {
    return Status::FailedPrecondition("the stored text of rule version " + r.decision.rule_hash +
                                      " does not hash to it");
  }
  TB_ASSIGN_OR_RETURN(rules::DecisionTable table,
                      RuleBook::ParseOne({"rules " + r.decision.rule_hash.substr(0, 16), text}, catalogue_,
                                         data_.catalogue(), licenses_.catalogue()));
  std::vector<rules::Value> refs;
  for (const rules::Reference& ref : table.references()) {
    refs.push_back(ValueOf(r.decision.refs.if_contains(ref.Text()), ref.type));
  }
  const std::optional<CivilDate> on = ParseCivilDate(r.decision.decided_on);
  if (!on) return Status::FailedPrecondition("decision " + std::to_string(decision_id) + " has no valid date");
  r.replayed = table.Evaluate(refs, *on);
  const object replayed = r.replayed.ToJson(table);
  std::vector<std::string> differences;
  if (rules::OutcomeName(r.replayed.outcome) != r.decision.outcome) {
    differences.push_back("outcome " + std::string(rules::OutcomeName(r.replayed.outcome)) + " (recorded " +
                          r.decision.outcome + ")");
  }
  const value* recorded_rows = r.decision.explanation.if_contains("rows");
  const value recorded = recorded_rows ? *recorded_rows : value();
  if (replayed.at("rows") != recorded) {
    differences.push_back("rows " + boost::json::serialize(replayed.at("rows")) + " (recorded " +
                          boost::json::serialize(recorded) + ")");
  }
  if (DecisionDocument(r.decision, table.version()) != r.decision.document) {
    differences.push_back("the ledger document differs from the one recomputed from the stored decision");
  }
  r.same = differences.empty();
  for (const std::string& d : differences) r.difference += (r.difference.empty() ? "" : "; ") + d;
  return r;
}

Result<std::vector<int64_t>> CaseService::DecisionIdsOf(std::string_view case_number) {
  std::vector<int64_t> ids;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto ref, CaseRepo::RefByNumber(tx, case_number));
    if (!ref) return Status::NotFound("case", std::string(case_number));
    TB_ASSIGN_OR_RETURN(auto decisions, CaseRepo::DecisionsOf(tx, ref->id));
    for (const DecisionRecord& d : decisions) ids.push_back(d.id);
    return Status::Ok();
  }));
  return ids;
}

}  // namespace tongban::service
