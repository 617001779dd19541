// CaseService: "one thing" applications and their cases (一件事 / 办件).
//
//   start       a citizen picks a bundle: a draft case with a case number, its form pre-filled
//               from the public data platform — each field bound to a data element is read under
//               the case (DataService::Read, purpose "case", so the citizen sees the read in 我的
//               数据), shown with its source and not editable; the rest is asked. Materials a
//               licence can satisfy list the matching licences of the applicant's wallet.
//   submit      the applicant answers what is missing and attaches licences by reference (each
//               verified: theirs, of the type, valid now — 免交); names the co-applicant when the
//               bundle has one. Committed before the answer: a "submitted" case survives a crash.
//   confirm     the co-applicant (the spouse), from their own login, agrees: their fields are
//               pre-filled the same way, their answers and licences checked; then the case opens.
//   open        the bundle fans out into one task per item in the item's department: items that
//               wait for another's approval wait; the others enter their department's queue with a
//               due date counted in working days (data::WorkingCalendar) from today.
//   tasks       staff of the department only: claim, approve (the item's output licence is issued
//               into each holder's wallet in the same transaction; waiting items whose waits are
//               all approved enter their queues; the last approval completes the case), reject with
//               a reason (the case is rejected, its other tasks cancelled), ask for materials (补正:
//               the task waits for the citizen and its clock stops; the citizen's supplement
//               resumes it, the due date moved by the working days it waited).
//   escalate    an open task past its due time is escalated to its department's lead (a notice to
//               the department, the console's escalation list), once.
//
// Every state change is an event row whose document a ledger entry commits to (keyed subject hash
// of the applicant; no personal data in the document), in the change's transaction. Notices go to
// the inbox in the same transaction and to the Notifier after commit.
//
// Objects that are not the caller's (another's case, another department's task) answer exactly
// as missing ones (kNotFound). Decisions here, SQL in case_repo.cc. Thread-safe; the database,
// clock, catalogues, data and licence services and calendar outlive it.
#pragma once

#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/periodic.h"
#include "core/status.h"
#include "crypto/hash.h"
#include "data/calendar.h"
#include "data/data_service.h"
#include "ledger/entry.h"
#include "license/license_service.h"
#include "service/case_record.h"
#include "service/case_repo.h"
#include "service/catalogue.h"
#include "service/notifier.h"
#include "service/rule_book.h"
#include "service/upload_store.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::service {

struct CaseServiceOptions {
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;  // the ledger suite's hash
  std::function<std::array<uint8_t, 32>(std::string_view)> subject_hash;
  const data::WorkingCalendar* calendar = nullptr;  // null: data::WorkingCalendar::Builtin()
  Notifier* notifier = nullptr;                     // null: none (the inbox only)
  const RuleBook* rules = nullptr;                  // 秒批: items decided at once; null: none
  int appeal_days = 30;         // calendar days after an automatic rejection in which it may be appealed
  int appeal_answer_days = 5;   // working days staff have to answer an appeal
};

// A citizen acting: their account, subject (ID number) and name.
struct Person {
  int64_t account_id = 0;
  std::string subject_id;
  std::string name;
  // Set when an agent acts for the person (identity/attorney.h): the agent's account and the power
  // of attorney, recorded in the case's events and ledger entries as the actor.
  int64_t agent_account_id = 0;
  int64_t attorney_id = 0;
};

// A staff member acting: their account, department (public data department key) and name.
struct Staff {
  int64_t account_id = 0;
  std::string department;
  std::string name;
};

struct MaterialChoice {
  std::string code;        // material code
  std::string license_id;  // a licence in the party's wallet
};

struct Answers {
  boost::json::object fields;            // field code -> value, only for asked fields
  std::vector<MaterialChoice> materials;
};

struct SubmitRequest {
  Answers answers;
  std::string co_applicant_id;    // bundles with a co-applicant: their citizen ID number
  std::string co_applicant_name;
};

// Seed figures (docs/service.md): per bundle and per department.
struct Figures {
  std::vector<ServiceFigures> bundles;
  std::vector<DepartmentFigures> departments;
};

class CaseService {
 public:
  static std::vector<store::Migration> Migrations() { return CaseRepo::Migrations(); }

  CaseService(store::Database& db, const Clock& clock, const ServiceCatalogue& catalogue,
              data::DataService& data, license::LicenseService& licenses, CaseServiceOptions options);
  ~CaseService() { StopSweeps(); }
  CaseService(const CaseService&) = delete;
  CaseService& operator=(const CaseService&) = delete;

  const ServiceCatalogue& catalogue() const { return catalogue_; }
  const data::WorkingCalendar& calendar() const { return *options_.calendar; }

  // The seams the data and licence parts call inside their transactions (DataServiceOptions::
  // case_open, LicenseServiceOptions::case_open). A case may read `dataset` about `subject` when it
  // is live, `department` runs it (the bundle's window) or has a task in it, `subject` is its
  // applicant or its confirmed co-applicant, and a field of the bundle is sourced from `dataset`
  // for that party. A licence grant to a case is usable while the case is live and the
  // department (by name) runs it or has a task in it.
  // Departments are named by their Chinese name (the accounts' department), as both parts pass them.
  Result<bool> CaseMayRead(store::Tx& tx, std::string_view department_name, std::string_view case_number,
                           std::string_view subject, std::string_view dataset);
  Result<bool> CaseOpenFor(store::Tx& tx, std::string_view department_name, std::string_view case_number);

  // kNotFound (unknown bundle: "/bundle"), else the draft with its pre-filled form.
  Result<Case> Start(const Person& applicant, std::string_view bundle);
  // kNotFound (not the applicant's), kFailedPrecondition (not a draft), kInvalidArgument with a
  // FieldError per problem (/answers/<code>, /materials/<code>, /co_applicant_id).
  Result<Case> Submit(const Person& applicant, int64_t case_id, const SubmitRequest& request);
  // The co-applicant named at submit confirms. kNotFound (not named in it), kFailedPrecondition
  // (not awaiting them), kInvalidArgument as Submit (their pre-filled form is kept).
  Result<Case> Confirm(const Person& co_applicant, int64_t case_id, const Answers& answers);
  // 补正: answers and licences asked for; resumes the case's tasks awaiting the citizen.
  // kFailedPrecondition when none is.
  Result<Case> Supplement(const Person& applicant, int64_t case_id, const Answers& answers);

  // Attaches an uploaded file (stored by UploadStore) as material `code` of the person's party:
  // the applicant while the case is a draft or a task waits for them (补正), the co-applicant
  // while the case waits for their confirmation. kNotFound (not their case), kInvalidArgument
  // ("/code": not a material of the form, not theirs, or one that cannot be uploaded),
  // kFailedPrecondition (not now).
  Result<Case> AttachUpload(const Person& person, int64_t case_id, std::string_view code, const StoredUpload& file);

  // Which party of case `case_id` the person with `subject` is (applicant, or the co-applicant it
  // names); kNotFound for anyone else, as for a missing case. Reads only the case's row.
  Result<Party> PartyOf(std::string_view subject, int64_t case_id);

  // A case of the person's (applicant or named co-applicant), with tasks and events.
  Result<Case> Mine(std::string_view subject, int64_t case_id);
  Result<std::vector<Case>> MyCases(std::string_view subject);

  // The staff member's department's queue, soonest due first, at most 500.
  Result<std::vector<Task>> Queue(const Staff& staff, QueueFilter filter);
  // A case the staff member's department runs or has a task in, with tasks and events.
  Result<Case> CaseForStaff(const Staff& staff, int64_t case_id);
  // kNotFound (another department's), kConflict (claimed by someone else), kFailedPrecondition.
  Result<Task> Claim(const Staff& staff, int64_t task_id);
  // `staff_fields`: values of the output licence's staff fields (kInvalidArgument
  // /staff_fields/<name> when missing, or different from the value an earlier step of the case
  // gave — the child's ID number the police assigned is reused by the later steps when left out).
  // A ready task is claimed by the approval.
  Result<Task> Approve(const Staff& staff, int64_t task_id, const boost::json::object& staff_fields);
  Result<Task> Reject(const Staff& staff, int64_t task_id, std::string_view reason);
  Result<Task> RequestMaterials(const Staff& staff, int64_t task_id, std::string_view reason);

  // Escalates up to `limit` overdue open tasks, once each. Returns how many.
  Result<int64_t> EscalateOverdue(int limit = 1000);
  void StartSweeps(std::chrono::milliseconds interval);
  void StopSweeps();
  int64_t sweep_errors() const { return sweep_errors_.load(); }

  // The account's notices and its department's (escalations), newest first.
  Result<std::vector<Notice>> Notices(int64_t account_id, std::string_view department);
  // kNotFound when not the account's.
  Status MarkNoticeRead(int64_t account_id, int64_t notice_id);

  // Whether the task is within one working day of its due date (shown as "due soon").
  bool DueSoon(const Task& task) const;
  Result<Figures> GetFigures();

  int64_t NowSeconds() const { return clock_.NowUnixMicros() / 1'000'000; }

  // Whether `item` is decided at once by rules; whether task `t` is an automatic rejection its
  // applicant may still appeal (the appeal period not over; whether one was filed is the case's).
  bool HasRules(std::string_view item) const { return options_.rules != nullptr && options_.rules->For(item) != nullptr; }
  bool Appealable(const Task& t) const {
    return t.state == TaskState::kRejected && t.AutoDecided() && t.decided_at &&
           NowSeconds() <= *t.decided_at + int64_t{options_.appeal_days} * 86400;
  }

  // ---- 秒批: automatic decisions by the item's rules (docs/rules.md) ----
  // A task whose item has rules is decided when it enters its queue, right after the commit that
  // made it ready: the rules' inputs are read (the form; the data platform under the case, as the
  // item's department; the applicant's valid licences), the table evaluated, and in one
  // transaction the decision row (rows fired, input values, rule version) with its ledger entry
  // and the outcome: approve (the output licence issued, as a staff approval), reject (the case is
  // rejected; the citizen may appeal) or refer (missing data, no rule matched: the task stays in
  // the department's queue with the explanation beside it).

  // Writes each loaded rule version (its text) once, with a ledger entry "service.rules". At start.
  Status RecordRuleVersions();
  // Decides up to `limit` ready tasks that rules should have decided and have not (after a crash
  // between a case's opening and its review). Returns how many were decided. Run by the sweeps.
  Result<int64_t> ReviewAwaitingRules(int limit = 1000);

  // 申诉: the applicant appeals an automatic rejection of `task_id`, within options.appeal_days.
  // kNotFound (not theirs), kFailedPrecondition (not an automatic rejection, too late), kConflict
  // (already appealed), kInvalidArgument (/reason).
  Result<Appeal> FileAppeal(const Person& applicant, int64_t case_id, int64_t task_id, std::string_view reason);
  // The department's appeals: open ones soonest due first, or decided ones.
  Result<std::vector<Appeal>> AppealQueue(const Staff& staff, bool open);
  struct AppealView {
    Appeal appeal;
    DecisionRecord decision;
    Case c;  // with tasks, events, decisions
  };
  Result<AppealView> AppealForStaff(const Staff& staff, int64_t appeal_id);
  // Staff of the item's department decide an open appeal: reverse (the task is approved as by
  // Approve, with `staff_fields`; the case's cancelled tasks resume and the case is in progress
  // again) or uphold (the rejection stands). `answer` is sent to the citizen. Both stay on the
  // ledger beside the automatic decision.
  Result<Appeal> DecideAppeal(const Staff& staff, int64_t appeal_id, bool reverse, std::string_view answer,
                              const boost::json::object& staff_fields);

  // Replays decision `decision_id` from the database alone: the rule version's text, the stored
  // reference values and the date; `same` when the outcome and rows agree and the recomputed
  // ledger document equals the stored one.
  struct Replay {
    DecisionRecord decision;
    rules::Decision replayed;
    bool same = false;
    std::string difference;  // what differs, when not the same
    ledger::Entry entry;     // the decision's ledger entry, recomputed (to find it in the log)
  };
  Result<Replay> ReplayDecision(int64_t decision_id);
  // The ids of the decisions of case `case_number` (for `tongban rules replay --case`).
  Result<std::vector<int64_t>> DecisionIdsOf(std::string_view case_number);

 private:
  // What a transaction produced for after its commit.
  struct Outbox {
    std::vector<OutboundMessage> messages;
    bool rules_to_run = false;  // a task whose item has rules entered its queue (decide it after the commit)
  };
  Result<Case> Load(store::Tx& tx, int64_t case_id, bool with_details);
  // After a commit that opened case `c`: its tasks with rules decided, and the case as it now is
  // (with details); `c` itself when nothing has rules.
  Result<Case> Reviewed(const Case& c);
  // Reads the party's sourced fields under the case into `form` (outside any transaction: the
  // data service runs each read in its own). Returns how many were filled.
  Result<int> Prefill(const Case& c, const Bundle& bundle, Party party, const std::string& subject,
                      boost::json::object& fields);
  // Checks and applies answers and licence choices of `party` to the case's form; every problem
  // goes to `errors`. `final`: required fields and materials must be present.
  void Apply(Case& c, const Bundle& bundle, Party party, const std::string& subject, const Answers& answers,
             const std::map<std::string, license::License>& licenses, bool final,
             std::vector<FieldError>& errors);
  // The licences named in `answers`, read before the transaction that checks them.
  Result<std::map<std::string, license::License>> FetchLicenses(const Answers& answers);
  Status OpenCase(store::Tx& tx, Case& c, const Bundle& bundle);
  // Whether an item of `bundle` is handled by `department` (a key).
  bool HasTaskIn(const Bundle& bundle, std::string_view department) const;
  Status MakeReady(Task& t, const Item& item, int64_t now);
  // Writes the event row and its ledger entry.
  Status Event(store::Tx& tx, const Case& c, std::optional<int64_t> task_id, std::string_view item,
               std::string_view action, std::string_view actor, std::string_view note);
  Status Notify(store::Tx& tx, const Case& c, int64_t account, std::string_view department, std::string kind,
                std::string text_zh, std::string text_en, Outbox& out);
  Status NotifyApplicants(store::Tx& tx, const Case& c, std::string kind, const std::string& text_zh,
                          const std::string& text_en, Outbox& out);
  // A staff decision on a task: in one transaction, the staff member's task (kNotFound otherwise),
  // decidable by them (ready, or claimed by them; a ready one is claimed by the decision), and its
  // case handed to `step`; notices delivered after the commit.
  using DecisionStep = std::function<Status(store::Tx&, Task&, Case&, int64_t now, Outbox&)>;
  Result<Task> Decide(const Staff& staff, int64_t task_id, const DecisionStep& step);
  // The staff member's task (kNotFound otherwise) and its case.
  Result<std::pair<Task, Case>> StaffTask(store::Tx& tx, const Staff& staff, int64_t task_id);
  void Deliver(const Outbox& out);
  // Staff or rules approving task `t` inside a decision's transaction: the output licence issued,
  // waiting tasks made ready, the case completed by its last approval. `actor`: a department key,
  // or "rules".
  Status ApproveIn(store::Tx& tx, Task& t, Case& c, int64_t now, Outbox& out,
                   const boost::json::object& asked_fields, std::string_view actor);
  // Rejecting task `t`: the case is rejected and its other tasks cancelled.
  Status RejectIn(store::Tx& tx, Task& t, Case& c, int64_t now, Outbox& out, std::string_view reason_zh,
                  std::string_view reason_en, std::string_view actor);
  // After a commit that may have made tasks of the case ready: decides those that have rules.
  // Errors are logged and counted; the sweep retries.
  void ReviewByRules(int64_t case_id);
  // Decides one ready task by its rules, unless they decided it before (a referral). True when it
  // approved (more tasks may now be ready).
  Result<bool> ReviewTask(const Task& task);
  // The values of the table's references for the case: the form, the data platform, the wallet.
  Result<std::vector<rules::Value>> ReadReferences(const Case& c, const Item& item, const rules::DecisionTable& table);
  // The document a decision's ledger entry commits to (no personal data: hashes of the inputs).
  std::string DecisionDocument(const DecisionRecord& d, int rule_version) const;
  const Bundle& BundleOf(const Case& c) const;

  store::Database& db_;
  const Clock& clock_;
  const ServiceCatalogue& catalogue_;
  data::DataService& data_;
  license::LicenseService& licenses_;
  CaseServiceOptions options_;

  Periodic sweep_;
  std::atomic<int64_t> sweep_errors_{0};
};

}  // namespace tongban::service
