// CaseRepo: the SQL of cases, tasks, events and notices (tables service_case, service_task,
// service_event, service_notice), the same on SQLite and PostgreSQL. Every function runs inside
// the caller's transaction; decisions are case_service.h's.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "service/case_record.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::service {

// What a department's queue shows.
enum class QueueFilter { kOpen, kReady, kMine, kAwaitingCitizen, kOverdue, kEscalated, kDone };
std::optional<QueueFilter> ParseQueueFilter(std::string_view s);

struct ServiceFigures {
  std::string bundle;
  int64_t cases = 0, completed = 0;
  int64_t fields_prefilled = 0, fields_asked = 0, materials_from_wallet = 0, materials_uploaded = 0;
  int64_t old_visits = 0;             // filled by the service from the catalogue
  int64_t completion_seconds_sum = 0;  // submitted -> completed, completed cases
};

struct DepartmentFigures {
  std::string department;
  int64_t open = 0, approved = 0, rejected = 0, overdue = 0, escalated = 0;
  int64_t decision_seconds_sum = 0;  // ready -> decided, decided tasks
};

class CaseRepo {
 public:
  static std::vector<store::Migration> Migrations();

  static Result<int64_t> InsertCase(store::Tx& tx, const Case& c);
  static Status SetCaseNumber(store::Tx& tx, int64_t id, std::string_view number);
  // Writes the mutable columns of `c` (state, form, co-applicant, times, figures).
  static Status UpdateCase(store::Tx& tx, const Case& c);
  static Result<std::optional<Case>> GetCase(store::Tx& tx, int64_t id);
  // A case's CaseRef, by its number or id (the form is not read).
  static Result<std::optional<CaseRef>> RefByNumber(store::Tx& tx, std::string_view number);
  static Result<std::optional<CaseRef>> RefById(store::Tx& tx, int64_t id);
  // Cases where `subject` is the applicant or the named co-applicant, newest first.
  static Result<std::vector<Case>> CasesOf(store::Tx& tx, std::string_view subject, int limit);

  static Result<int64_t> InsertTask(store::Tx& tx, const Task& t);
  static Status UpdateTask(store::Tx& tx, const Task& t);
  static Result<std::optional<Task>> GetTask(store::Tx& tx, int64_t id);
  static Result<std::vector<Task>> TasksOf(store::Tx& tx, int64_t case_id);
  static Result<std::vector<Task>> Queue(store::Tx& tx, std::string_view department, QueueFilter filter,
                                         int64_t account, int64_t now, int limit);
  // Open tasks (ready or claimed) whose due time has passed and that are not yet escalated.
  static Result<std::vector<Task>> Overdue(store::Tx& tx, int64_t now, int limit);

  static Result<int64_t> InsertEvent(store::Tx& tx, int64_t case_id, const CaseEvent& e);
  static Result<std::vector<CaseEvent>> EventsOf(store::Tx& tx, int64_t case_id);

  static Result<int64_t> InsertNotice(store::Tx& tx, const Notice& n);
  static Result<std::vector<Notice>> NoticesOf(store::Tx& tx, int64_t account_id, std::string_view department,
                                               int limit);
  // Marks the account's notice read; false if it is not theirs.
  static Result<bool> MarkRead(store::Tx& tx, int64_t account_id, int64_t id, int64_t now);

  // Rule versions (秒批): inserted once per hash (true when this call added it); the text read back
  // for replay.
  static Result<bool> InsertRuleVersion(store::Tx& tx, std::string_view hash, std::string_view item, int version,
                                        std::string_view file, std::string_view text, int64_t now);
  static Result<std::optional<std::string>> RuleText(store::Tx& tx, std::string_view hash);
  static Result<int64_t> InsertDecision(store::Tx& tx, const DecisionRecord& d);
  static Result<std::optional<DecisionRecord>> GetDecision(store::Tx& tx, int64_t id);
  static Result<std::optional<DecisionRecord>> DecisionOfTask(store::Tx& tx, int64_t task_id);
  static Result<std::vector<DecisionRecord>> DecisionsOf(store::Tx& tx, int64_t case_id);
  // Ready tasks of `items` that no rule has decided yet (a crash between a case's opening and its
  // automatic review), oldest first.
  static Result<std::vector<Task>> AwaitingRules(store::Tx& tx, const std::vector<std::string>& items, int limit);

  static Result<int64_t> InsertAppeal(store::Tx& tx, const Appeal& a);
  static Status UpdateAppeal(store::Tx& tx, const Appeal& a);
  static Result<std::optional<Appeal>> GetAppeal(store::Tx& tx, int64_t id);
  static Result<std::optional<Appeal>> AppealOfTask(store::Tx& tx, int64_t task_id);
  static Result<std::vector<Appeal>> AppealsOf(store::Tx& tx, int64_t case_id);
  // A department's appeals: open ones soonest due first, or decided ones newest first.
  static Result<std::vector<Appeal>> AppealQueue(store::Tx& tx, std::string_view department, bool open, int limit);

  static Result<std::vector<ServiceFigures>> FiguresByBundle(store::Tx& tx);
  static Result<std::vector<DepartmentFigures>> FiguresByDepartment(store::Tx& tx, int64_t now);
};

}  // namespace tongban::service
