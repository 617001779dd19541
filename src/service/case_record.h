// The records of the services part: a case (办件: one application for a bundle, from the draft
// with its pre-filled form to completion), its department tasks, the events that changed them
// (each with the document its ledger entry commits to) and the notices in a citizen's inbox.
// Value types; case_service.h decides, case_repo.h stores.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace tongban::service {

// draft: started, form pre-filled, not submitted; awaiting_co_applicant: submitted, waiting for
// the co-applicant's confirmation; in_progress: tasks running; completed: every task approved;
// rejected: a task was rejected (the others cancelled).
enum class CaseState { kDraft, kAwaitingCoApplicant, kInProgress, kCompleted, kRejected };
std::string_view CaseStateName(CaseState s);
std::optional<CaseState> ParseCaseState(std::string_view s);
// Not yet completed or rejected: it may still read data and use grants.
inline bool IsLive(CaseState s) {
  return s == CaseState::kDraft || s == CaseState::kAwaitingCoApplicant || s == CaseState::kInProgress;
}

// Who decided a task that no staff member decided: its item's rules (秒批), as Task::decided_by and
// as the actor of its events.
inline constexpr std::string_view kRulesActor = "rules";

// waiting: for another item's approval; ready: in the department's queue; claimed: a staff member
// has it; awaiting_citizen: 补正, materials asked for, the clock paused; approved / rejected /
// cancelled (another task of the case was rejected).
enum class TaskState { kWaiting, kReady, kClaimed, kAwaitingCitizen, kApproved, kRejected, kCancelled };
std::string_view TaskStateName(TaskState s);
std::optional<TaskState> ParseTaskState(std::string_view s);

struct Task {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string case_number;
  std::string item;
  std::string department;  // public data department key
  TaskState state = TaskState::kWaiting;
  std::optional<int64_t> claimed_by;  // staff account
  std::string claimed_by_name;
  std::optional<int64_t> ready_at;    // unix seconds: entered the queue
  std::optional<CivilDate> due_date;  // China date: due by its end
  std::optional<int64_t> due_at;      // unix seconds: the end of due_date, China time
  std::optional<int64_t> paused_at;   // 补正 since
  int paused_days = 0;                // working days added to the limit by pauses so far
  std::optional<int64_t> escalated_at;
  std::optional<int64_t> decided_at;
  std::string reason;                 // of a rejection or of the 补正 request
  std::vector<std::string> licenses;  // issued on approval
  int64_t updated_at = 0;
  std::string decided_by;             // "" (staff, or not decided) or "rules": decided at once (秒批)

  bool AutoDecided() const { return decided_by == kRulesActor; }

  bool Open() const {
    return state == TaskState::kReady || state == TaskState::kClaimed || state == TaskState::kAwaitingCitizen;
  }
};

// One state change, as its ledger entry commits to it: H(document).
struct CaseEvent {
  int64_t id = 0;
  std::optional<int64_t> task_id;
  std::string action;  // start, submit, confirm, open, claim, approve, reject, request_materials, supplement, escalate, complete
  std::string actor;   // "applicant", "co_applicant", a department key, or "system"
  int64_t at_micros = 0;
  std::string note;
  std::string document;
};

// An automatic decision (秒批) on a task: the rule version (hash of its text) that decided, the
// outcome, the explanation (rows that fired, input values with their labels, reasons in zh and en,
// rules::Decision::ToJson) and the reference values it read, from which it replays.
struct DecisionRecord {
  int64_t id = 0;
  int64_t case_id = 0;
  int64_t task_id = 0;
  std::string item;
  std::string rule_hash;
  std::string outcome;  // approve, reject, refer
  boost::json::object explanation;
  boost::json::object refs;  // "form.x" / "data.d.e" / "license.t[.f]" -> value
  std::string decided_on;    // the China date the rules saw as today
  int64_t at = 0;            // unix micros
  std::string document;      // what its ledger entry commits to
};

// open: waiting for staff; reversed: staff approved the task after all (the case resumes); upheld:
// the rejection stands, with staff's answer.
enum class AppealState { kOpen, kReversed, kUpheld };
std::string_view AppealStateName(AppealState s);
std::optional<AppealState> ParseAppealState(std::string_view s);

// A citizen's appeal (申诉) against an automatic rejection, reviewed by staff of the item's
// department with the decision's explanation beside it.
struct Appeal {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string case_number;
  int64_t task_id = 0;
  std::string item;
  int64_t decision_id = 0;
  std::string department;  // the item's department key
  AppealState state = AppealState::kOpen;
  std::string reason;      // the citizen's words
  int64_t filed_at = 0;
  int64_t due_at = 0;      // end of the China day, working days after filing
  std::optional<int64_t> decided_at;
  std::optional<int64_t> decided_by;
  std::string decided_by_name;
  std::string answer;      // staff's answer to the citizen
};

struct Case {
  int64_t id = 0;
  std::string case_number;  // "YJS20261207000042"
  std::string bundle;
  int64_t applicant_account = 0;
  std::string applicant_subject;  // personal data: masked in logs
  std::string applicant_name;
  std::optional<int64_t> co_applicant_account;  // set when they confirm
  std::string co_applicant_subject;             // named by the applicant at submit
  std::string co_applicant_name;
  CaseState state = CaseState::kDraft;
  // {"fields": {code: {"value": v, "party": p, "source": {...}?}}, "materials": {code: {...}}}
  boost::json::object form;
  int64_t created_at = 0;
  std::optional<int64_t> submitted_at, opened_at, completed_at;
  int64_t updated_at = 0;
  // Seed figures: fields pre-filled, fields asked, materials attached from the wallet, uploaded.
  int fields_prefilled = 0, fields_asked = 0, materials_from_wallet = 0, materials_uploaded = 0;
  std::vector<Task> tasks;       // filled by the getters that say so
  std::vector<CaseEvent> events;  // oldest first, filled by the getters that say so
  std::vector<DecisionRecord> decisions;  // automatic decisions, filled with the events
  std::vector<Appeal> appeals;            // filled with the events

  bool Live() const { return IsLive(state); }
};

// Who a case is about and where it stands, without its form: what the checks on every data read
// and licence use under a case, and the ownership checks, need (CaseRepo::Ref*).
struct CaseRef {
  int64_t id = 0;
  std::string case_number;
  std::string bundle;
  CaseState state = CaseState::kDraft;
  std::string applicant_subject;
  std::string co_applicant_subject;
  std::optional<int64_t> co_applicant_account;

  bool Live() const { return IsLive(state); }
};

// A notice in an account's inbox, or a department's (escalations, for its lead), and what the
// outbound notifier sends.
struct Notice {
  int64_t id = 0;
  int64_t account_id = 0;   // 0: addressed to `department`
  std::string department;   // department key, or "" for an account's notice
  std::optional<int64_t> case_id;
  std::string case_number;
  std::string kind;  // submitted, confirm_requested, task_approved, materials_requested, completed, rejected, escalated, ...
  std::string text_zh, text_en;
  int64_t at = 0;
  std::optional<int64_t> read_at;
};

}  // namespace tongban::service
