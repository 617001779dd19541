// The SQL of cases and tasks; see case_repo.h.
#include "service/case_repo.h"

#include <map>

namespace tongban::service {
namespace {

boost::json::object ObjectFrom(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

constexpr std::string_view kCaseColumns =
    "id, case_number, bundle, applicant_account, applicant_subject, applicant_name, co_applicant_account, "
    "co_applicant_subject, co_applicant_name, state, form, created_at, submitted_at, opened_at, completed_at, "
    "updated_at, fields_prefilled, fields_asked, materials_from_wallet, materials_uploaded";

Case CaseFrom(const store::Row& r) {
  Case c;
  c.id = r.Int64(0);
  c.case_number = r.OptText(1).value_or("");
  c.bundle = r.Text(2);
  c.applicant_account = r.Int64(3);
  c.applicant_subject = r.Text(4);
  c.applicant_name = r.Text(5);
  c.co_applicant_account = r.OptInt64(6);
  c.co_applicant_subject = r.Text(7);
  c.co_applicant_name = r.Text(8);
  c.state = ParseCaseState(r.Text(9)).value_or(CaseState::kDraft);
  c.form = ObjectFrom(r.Text(10));
  c.created_at = r.Int64(11);
  c.submitted_at = r.OptInt64(12);
  c.opened_at = r.OptInt64(13);
  c.completed_at = r.OptInt64(14);
  c.updated_at = r.Int64(15);
  c.fields_prefilled = static_cast<int>(r.Int64(16));
  c.fields_asked = static_cast<int>(r.Int64(17));
  c.materials_from_wallet = static_cast<int>(r.Int64(18));
  c.materials_uploaded = static_cast<int>(r.Int64(19));
  return c;
}

std::string SelectCase(std::string_view where) {
  return "SELECT " + std::string(kCaseColumns) + " FROM service_case " + std::string(where);
}

constexpr std::string_view kTaskColumns =
    "t.id, t.case_id, c.case_number, t.item, t.department, t.state, t.claimed_by, t.claimed_by_name, t.ready_at, "
    "t.due_date, t.due_at, t.paused_at, t.paused_days, t.escalated_at, t.decided_at, t.reason, t.licenses, "
    "t.updated_at, t.decided_by";

Task TaskFrom(const store::Row& r) {
  Task t;
  t.id = r.Int64(0);
  t.case_id = r.Int64(1);
  t.case_number = r.OptText(2).value_or("");
  t.item = r.Text(3);
  t.department = r.Text(4);
  t.state = ParseTaskState(r.Text(5)).value_or(TaskState::kWaiting);
  t.claimed_by = r.OptInt64(6);
  t.claimed_by_name = r.Text(7);
  t.ready_at = r.OptInt64(8);
  if (auto due = r.OptText(9)) t.due_date = ParseCivilDate(*due);
  t.due_at = r.OptInt64(10);
  t.paused_at = r.OptInt64(11);
  t.paused_days = static_cast<int>(r.Int64(12));
  t.escalated_at = r.OptInt64(13);
  t.decided_at = r.OptInt64(14);
  t.reason = r.Text(15);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.Text(16), ec);
  if (!ec && v.is_array()) {
    for (const auto& e : v.as_array()) {
      if (e.is_string()) t.licenses.emplace_back(e.as_string());
    }
  }
  t.updated_at = r.Int64(17);
  t.decided_by = r.Text(18);
  return t;
}

std::string SelectTask(std::string_view where) {
  return "SELECT " + std::string(kTaskColumns) +
         " FROM service_task t JOIN service_case c ON c.id = t.case_id " + std::string(where);
}

Result<std::vector<Task>> ManyTasks(store::Tx& tx, const std::string& sql, store::Params params) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, std::move(params)));
  std::vector<Task> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(TaskFrom(r));
  return out;
}

std::string LicensesJson(const std::vector<std::string>& ids) {
  boost::json::array a;
  for (const auto& id : ids) a.emplace_back(id);
  return boost::json::serialize(a);
}

store::Param OptParam(const std::optional<int64_t>& v) {
  return v ? store::Param(*v) : store::Param(nullptr);
}

}  // namespace

std::string_view AppealStateName(AppealState s) {
  switch (s) {
    case AppealState::kOpen: return "open";
    case AppealState::kReversed: return "reversed";
    case AppealState::kUpheld: return "upheld";
  }
  return "open";
}

std::optional<AppealState> ParseAppealState(std::string_view s) {
  for (AppealState a : {AppealState::kOpen, AppealState::kReversed, AppealState::kUpheld}) {
    if (AppealStateName(a) == s) return a;
  }
  return std::nullopt;
}

std::optional<QueueFilter> ParseQueueFilter(std::string_view s) {
  if (s == "open") return QueueFilter::kOpen;
  if (s == "ready") return QueueFilter::kReady;
  if (s == "mine") return QueueFilter::kMine;
  if (s == "awaiting_citizen") return QueueFilter::kAwaitingCitizen;
  if (s == "overdue") return QueueFilter::kOverdue;
  if (s == "escalated") return QueueFilter::kEscalated;
  if (s == "done") return QueueFilter::kDone;
  return std::nullopt;
}

std::vector<store::Migration> CaseRepo::Migrations() {
  return {
      {.part = "service", .version = 1, .sql = R"sql(
        CREATE TABLE service_case (
          id {{id}},
          case_number TEXT UNIQUE,
          bundle TEXT NOT NULL,
          applicant_account {{int64}} NOT NULL,
          applicant_subject TEXT NOT NULL,
          applicant_name TEXT NOT NULL,
          co_applicant_account {{int64}},
          co_applicant_subject TEXT NOT NULL,
          co_applicant_name TEXT NOT NULL,
          state TEXT NOT NULL,
          form TEXT NOT NULL,
          created_at {{int64}} NOT NULL,
          submitted_at {{int64}},
          opened_at {{int64}},
          completed_at {{int64}},
          updated_at {{int64}} NOT NULL,
          fields_prefilled {{int64}} NOT NULL,
          fields_asked {{int64}} NOT NULL,
          materials_from_wallet {{int64}} NOT NULL,
          materials_uploaded {{int64}} NOT NULL
        );
        CREATE INDEX service_case_applicant ON service_case (applicant_subject, id);
        CREATE INDEX service_case_co_applicant ON service_case (co_applicant_subject, id);
        CREATE TABLE service_task (
          id {{id}},
          case_id {{int64}} NOT NULL REFERENCES service_case (id),
          item TEXT NOT NULL,
          department TEXT NOT NULL,
          state TEXT NOT NULL,
          claimed_by {{int64}},
          claimed_by_name TEXT NOT NULL,
          ready_at {{int64}},
          due_date TEXT,
          due_at {{int64}},
          paused_at {{int64}},
          paused_days {{int64}} NOT NULL,
          escalated_at {{int64}},
          decided_at {{int64}},
          reason TEXT NOT NULL,
          licenses TEXT NOT NULL,
          updated_at {{int64}} NOT NULL
        );
        CREATE INDEX service_task_case ON service_task (case_id, id);
        CREATE INDEX service_task_queue ON service_task (department, state, due_at);
        CREATE INDEX service_task_due ON service_task (state, due_at);
        CREATE TABLE service_event (
          id {{id}},
          case_id {{int64}} NOT NULL REFERENCES service_case (id),
          task_id {{int64}},
          action TEXT NOT NULL,
          actor TEXT NOT NULL,
          at_micros {{int64}} NOT NULL,
          note TEXT NOT NULL,
          document TEXT NOT NULL
        );
        CREATE INDEX service_event_case ON service_event (case_id, id);
        CREATE TABLE service_notice (
          id {{id}},
          account_id {{int64}} NOT NULL,
          department TEXT NOT NULL,
          case_id {{int64}},
          case_number TEXT NOT NULL,
          kind TEXT NOT NULL,
          text_zh TEXT NOT NULL,
          text_en TEXT NOT NULL,
          at {{int64}} NOT NULL,
          read_at {{int64}}
        );
        CREATE INDEX service_notice_account ON service_notice (account_id, id);
        CREATE INDEX service_notice_department ON service_notice (department, id);
      )sql"},
      // 秒批 (docs/rules.md): who decided a task ("" staff, "rules"), the rule versions a node has
      // loaded (their text, so any decision replays from the database alone), each automatic
      // decision with the input values it used, and appeals (申诉) against automatic rejections.
      {.part = "service", .version = 2, .sql = R"sql(
        ALTER TABLE service_task ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
        CREATE TABLE service_rule_version (
          hash TEXT PRIMARY KEY,
          item TEXT NOT NULL,
          version {{int64}} NOT NULL,
          file TEXT NOT NULL,
          text TEXT NOT NULL,
          loaded_at {{int64}} NOT NULL
        );
        CREATE TABLE service_decision (
          id {{id}},
          case_id {{int64}} NOT NULL REFERENCES service_case (id),
          task_id {{int64}} NOT NULL REFERENCES service_task (id),
          item TEXT NOT NULL,
          rule_hash TEXT NOT NULL REFERENCES service_rule_version (hash),
          outcome TEXT NOT NULL,
          explanation TEXT NOT NULL,
          refs TEXT NOT NULL,
          decided_on TEXT NOT NULL,
          at {{int64}} NOT NULL,
          document TEXT NOT NULL
        );
        CREATE UNIQUE INDEX service_decision_task ON service_decision (task_id);
        CREATE INDEX service_decision_case ON service_decision (case_id, id);
        CREATE TABLE service_appeal (
          id {{id}},
          case_id {{int64}} NOT NULL REFERENCES service_case (id),
          task_id {{int64}} NOT NULL REFERENCES service_task (id),
          decision_id {{int64}} NOT NULL REFERENCES service_decision (id),
          department TEXT NOT NULL,
          state TEXT NOT NULL,
          reason TEXT NOT NULL,
          filed_at {{int64}} NOT NULL,
          due_at {{int64}} NOT NULL,
          decided_at {{int64}},
          decided_by {{int64}},
          decided_by_name TEXT NOT NULL,
          answer TEXT NOT NULL
        );
        CREATE UNIQUE INDEX service_appeal_task ON service_appeal (task_id);
        CREATE INDEX service_appeal_queue ON service_appeal (department, state, due_at);
      )sql"},
  };
}

Result<int64_t> CaseRepo::InsertCase(store::Tx& tx, const Case& c) {
  return tx.InsertReturningId(
      "INSERT INTO service_case (bundle, applicant_account, applicant_subject, applicant_name, "
      "co_applicant_subject, co_applicant_name, state, form, created_at, updated_at, fields_prefilled, "
      "fields_asked, materials_from_wallet, materials_uploaded) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0) RETURNING id",
      {c.bundle, c.applicant_account, c.applicant_subject, c.applicant_name, c.co_applicant_subject,
       c.co_applicant_name, CaseStateName(c.state), boost::json::serialize(c.form), c.created_at, c.updated_at});
}

Status CaseRepo::SetCaseNumber(store::Tx& tx, int64_t id, std::string_view number) {
  return tx.Exec("UPDATE service_case SET case_number = ? WHERE id = ?", {number, id}).status();
}

Status CaseRepo::UpdateCase(store::Tx& tx, const Case& c) {
  const std::string form = boost::json::serialize(c.form);
  return tx
      .Exec("UPDATE service_case SET state = ?, form = ?, co_applicant_account = ?, co_applicant_subject = ?, "
            "co_applicant_name = ?, submitted_at = ?, opened_at = ?, completed_at = ?, updated_at = ?, "
            "fields_prefilled = ?, fields_asked = ?, materials_from_wallet = ?, materials_uploaded = ? WHERE id = ?",
            {CaseStateName(c.state), form, OptParam(c.co_applicant_account), c.co_applicant_subject,
             c.co_applicant_name, OptParam(c.submitted_at), OptParam(c.opened_at), OptParam(c.completed_at),
             c.updated_at, c.fields_prefilled, c.fields_asked, c.materials_from_wallet, c.materials_uploaded, c.id})
      .status();
}

Result<std::optional<Case>> CaseRepo::GetCase(store::Tx& tx, int64_t id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(SelectCase("WHERE id = ?"), {id}));
  if (!row) return std::optional<Case>();
  return std::optional<Case>(CaseFrom(*row));
}

namespace {

Result<std::optional<CaseRef>> Ref(store::Tx& tx, std::string_view where, store::Params params) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, case_number, bundle, state, applicant_subject, "
                                            "co_applicant_subject, co_applicant_account FROM service_case " +
                                                std::string(where),
                                            std::move(params)));
  if (!row) return std::optional<CaseRef>();
  CaseRef c;
  c.id = row->Int64(0);
  c.case_number = row->OptText(1).value_or("");
  c.bundle = row->Text(2);
  c.state = ParseCaseState(row->Text(3)).value_or(CaseState::kDraft);
  c.applicant_subject = row->Text(4);
  c.co_applicant_subject = row->Text(5);
  c.co_applicant_account = row->OptInt64(6);
  return std::optional<CaseRef>(std::move(c));
}

}  // namespace

Result<std::optional<CaseRef>> CaseRepo::RefByNumber(store::Tx& tx, std::string_view number) {
  return Ref(tx, "WHERE case_number = ?", {number});
}

Result<std::optional<CaseRef>> CaseRepo::RefById(store::Tx& tx, int64_t id) { return Ref(tx, "WHERE id = ?", {id}); }

Result<std::vector<Case>> CaseRepo::CasesOf(store::Tx& tx, std::string_view subject, int limit) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(SelectCase("WHERE applicant_subject = ? OR co_applicant_subject = ? "
                                                     "ORDER BY id DESC LIMIT ?"),
                                          {subject, subject, limit}));
  std::vector<Case> out;
  for (const auto& r : rows) out.push_back(CaseFrom(r));
  return out;
}

Result<int64_t> CaseRepo::InsertTask(store::Tx& tx, const Task& t) {
  const std::optional<std::string> due = t.due_date ? std::optional(t.due_date->ToString()) : std::nullopt;
  return tx.InsertReturningId(
      "INSERT INTO service_task (case_id, item, department, state, claimed_by_name, ready_at, due_date, due_at, "
      "paused_days, reason, licenses, updated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, 0, '', '[]', ?) RETURNING id",
      {t.case_id, t.item, t.department, TaskStateName(t.state), OptParam(t.ready_at),
       due ? store::Param(*due) : store::Param(nullptr), OptParam(t.due_at), t.updated_at});
}

Status CaseRepo::UpdateTask(store::Tx& tx, const Task& t) {
  const std::optional<std::string> due = t.due_date ? std::optional(t.due_date->ToString()) : std::nullopt;
  const std::string licenses = LicensesJson(t.licenses);
  return tx
      .Exec("UPDATE service_task SET state = ?, claimed_by = ?, claimed_by_name = ?, ready_at = ?, due_date = ?, "
            "due_at = ?, paused_at = ?, paused_days = ?, escalated_at = ?, decided_at = ?, reason = ?, licenses = ?, "
            "updated_at = ?, decided_by = ? WHERE id = ?",
            {TaskStateName(t.state), OptParam(t.claimed_by), t.claimed_by_name, OptParam(t.ready_at),
             due ? store::Param(*due) : store::Param(nullptr), OptParam(t.due_at), OptParam(t.paused_at),
             t.paused_days, OptParam(t.escalated_at), OptParam(t.decided_at), t.reason, licenses, t.updated_at,
             t.decided_by, t.id})
      .status();
}

Result<std::optional<Task>> CaseRepo::GetTask(store::Tx& tx, int64_t id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(SelectTask("WHERE t.id = ?"), {id}));
  if (!row) return std::optional<Task>();
  return std::optional<Task>(TaskFrom(*row));
}

Result<std::vector<Task>> CaseRepo::TasksOf(store::Tx& tx, int64_t case_id) {
  return ManyTasks(tx, SelectTask("WHERE t.case_id = ? ORDER BY t.id"), {case_id});
}

Result<std::vector<Task>> CaseRepo::Queue(store::Tx& tx, std::string_view department, QueueFilter filter,
                                          int64_t account, int64_t now, int limit) {
  const std::string base = "WHERE t.department = ? AND ";
  switch (filter) {
    case QueueFilter::kOpen:
      return ManyTasks(tx, SelectTask(base + "t.state IN ('ready', 'claimed', 'awaiting_citizen') "
                                             "ORDER BY t.due_at, t.id LIMIT ?"),
                       {department, limit});
    case QueueFilter::kReady:
      return ManyTasks(tx, SelectTask(base + "t.state = 'ready' ORDER BY t.due_at, t.id LIMIT ?"), {department, limit});
    case QueueFilter::kMine:
      return ManyTasks(tx, SelectTask(base + "t.state IN ('claimed', 'awaiting_citizen') AND t.claimed_by = ? "
                                             "ORDER BY t.due_at, t.id LIMIT ?"),
                       {department, account, limit});
    case QueueFilter::kAwaitingCitizen:
      return ManyTasks(tx, SelectTask(base + "t.state = 'awaiting_citizen' ORDER BY t.id LIMIT ?"), {department, limit});
    case QueueFilter::kOverdue:
      return ManyTasks(tx, SelectTask(base + "t.state IN ('ready', 'claimed') AND t.due_at < ? "
                                             "ORDER BY t.due_at, t.id LIMIT ?"),
                       {department, now, limit});
    case QueueFilter::kEscalated:
      return ManyTasks(tx, SelectTask(base + "t.escalated_at IS NOT NULL AND t.state IN ('ready', 'claimed', "
                                             "'awaiting_citizen') ORDER BY t.escalated_at, t.id LIMIT ?"),
                       {department, limit});
    case QueueFilter::kDone:
      return ManyTasks(tx, SelectTask(base + "t.state IN ('approved', 'rejected', 'cancelled') "
                                             "ORDER BY t.decided_at DESC, t.id DESC LIMIT ?"),
                       {department, limit});
  }
  return std::vector<Task>{};
}

Result<std::vector<Task>> CaseRepo::Overdue(store::Tx& tx, int64_t now, int limit) {
  return ManyTasks(tx, SelectTask("WHERE t.state IN ('ready', 'claimed') AND t.due_at < ? AND t.escalated_at IS NULL "
                                  "ORDER BY t.due_at, t.id LIMIT ?"),
                   {now, limit});
}

Result<int64_t> CaseRepo::InsertEvent(store::Tx& tx, int64_t case_id, const CaseEvent& e) {
  return tx.InsertReturningId(
      "INSERT INTO service_event (case_id, task_id, action, actor, at_micros, note, document) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {case_id, OptParam(e.task_id), e.action, e.actor, e.at_micros, e.note, e.document});
}

Result<std::vector<CaseEvent>> CaseRepo::EventsOf(store::Tx& tx, int64_t case_id) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, task_id, action, actor, at_micros, note, document "
                                          "FROM service_event WHERE case_id = ? ORDER BY id",
                                          {case_id}));
  std::vector<CaseEvent> out;
  for (const auto& r : rows) {
    out.push_back({r.Int64(0), r.OptInt64(1), std::string(r.Text(2)), std::string(r.Text(3)), r.Int64(4),
                   std::string(r.Text(5)), std::string(r.Text(6))});
  }
  return out;
}

Result<bool> CaseRepo::InsertRuleVersion(store::Tx& tx, std::string_view hash, std::string_view item, int version,
                                         std::string_view file, std::string_view text, int64_t now) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("INSERT INTO service_rule_version (hash, item, version, file, text, "
                                            "loaded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING "
                                            "RETURNING hash",
                                            {hash, item, int64_t{version}, file, text, now}));
  return row.has_value();
}

Result<std::optional<std::string>> CaseRepo::RuleText(store::Tx& tx, std::string_view hash) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT text FROM service_rule_version WHERE hash = ?", {hash}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

namespace {

constexpr std::string_view kDecisionColumns =
    "id, case_id, task_id, item, rule_hash, outcome, explanation, refs, decided_on, at, document";

DecisionRecord DecisionFrom(const store::Row& r) {
  DecisionRecord d;
  d.id = r.Int64(0);
  d.case_id = r.Int64(1);
  d.task_id = r.Int64(2);
  d.item = r.Text(3);
  d.rule_hash = r.Text(4);
  d.outcome = r.Text(5);
  d.explanation = ObjectFrom(r.Text(6));
  d.refs = ObjectFrom(r.Text(7));
  d.decided_on = r.Text(8);
  d.at = r.Int64(9);
  d.document = r.Text(10);
  return d;
}

Result<std::vector<DecisionRecord>> ManyDecisions(store::Tx& tx, std::string_view where, store::Params params) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kDecisionColumns) + " FROM service_decision " +
                                              std::string(where),
                                          std::move(params)));
  std::vector<DecisionRecord> out;
  for (const auto& r : rows) out.push_back(DecisionFrom(r));
  return out;
}

constexpr std::string_view kAppealColumns =
    "a.id, a.case_id, c.case_number, a.task_id, t.item, a.decision_id, a.department, a.state, a.reason, a.filed_at, "
    "a.due_at, a.decided_at, a.decided_by, a.decided_by_name, a.answer";

Appeal AppealFrom(const store::Row& r) {
  Appeal a;
  a.id = r.Int64(0);
  a.case_id = r.Int64(1);
  a.case_number = r.OptText(2).value_or("");
  a.task_id = r.Int64(3);
  a.item = r.Text(4);
  a.decision_id = r.Int64(5);
  a.department = r.Text(6);
  a.state = ParseAppealState(r.Text(7)).value_or(AppealState::kOpen);
  a.reason = r.Text(8);
  a.filed_at = r.Int64(9);
  a.due_at = r.Int64(10);
  a.decided_at = r.OptInt64(11);
  a.decided_by = r.OptInt64(12);
  a.decided_by_name = r.Text(13);
  a.answer = r.Text(14);
  return a;
}

Result<std::vector<Appeal>> ManyAppeals(store::Tx& tx, std::string_view where, store::Params params) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kAppealColumns) +
                                              " FROM service_appeal a JOIN service_case c ON c.id = a.case_id "
                                              "JOIN service_task t ON t.id = a.task_id " +
                                              std::string(where),
                                          std::move(params)));
  std::vector<Appeal> out;
  for (const auto& r : rows) out.push_back(AppealFrom(r));
  return out;
}

}  // namespace

Result<int64_t> CaseRepo::InsertDecision(store::Tx& tx, const DecisionRecord& d) {
  return tx.InsertReturningId(
      "INSERT INTO service_decision (case_id, task_id, item, rule_hash, outcome, explanation, refs, decided_on, at, "
      "document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {d.case_id, d.task_id, d.item, d.rule_hash, d.outcome, boost::json::serialize(d.explanation),
       boost::json::serialize(d.refs), d.decided_on, d.at, d.document});
}

Result<std::optional<DecisionRecord>> CaseRepo::GetDecision(store::Tx& tx, int64_t id) {
  TB_ASSIGN_OR_RETURN(auto found, ManyDecisions(tx, "WHERE id = ?", {id}));
  if (found.empty()) return std::optional<DecisionRecord>();
  return std::optional<DecisionRecord>(std::move(found.front()));
}

Result<std::optional<DecisionRecord>> CaseRepo::DecisionOfTask(store::Tx& tx, int64_t task_id) {
  TB_ASSIGN_OR_RETURN(auto found, ManyDecisions(tx, "WHERE task_id = ?", {task_id}));
  if (found.empty()) return std::optional<DecisionRecord>();
  return std::optional<DecisionRecord>(std::move(found.front()));
}

Result<std::vector<DecisionRecord>> CaseRepo::DecisionsOf(store::Tx& tx, int64_t case_id) {
  return ManyDecisions(tx, "WHERE case_id = ? ORDER BY id", {case_id});
}

Result<std::vector<Task>> CaseRepo::AwaitingRules(store::Tx& tx, const std::vector<std::string>& items, int limit) {
  if (items.empty()) return std::vector<Task>();
  std::string in;
  std::vector<store::Param> params;
  for (const std::string& item : items) {
    in += in.empty() ? "?" : ", ?";
    params.push_back(item);
  }
  params.push_back(int64_t{limit});
  return ManyTasks(tx,
                   SelectTask("WHERE t.state = 'ready' AND t.decided_by = '' AND t.item IN (" + in +
                              ") AND NOT EXISTS (SELECT 1 FROM service_decision d WHERE d.task_id = t.id) "
                              "ORDER BY t.id LIMIT ?"),
                   params);
}

Result<int64_t> CaseRepo::InsertAppeal(store::Tx& tx, const Appeal& a) {
  return tx.InsertReturningId(
      "INSERT INTO service_appeal (case_id, task_id, decision_id, department, state, reason, filed_at, due_at, "
      "decided_by_name, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '') RETURNING id",
      {a.case_id, a.task_id, a.decision_id, a.department, AppealStateName(a.state), a.reason, a.filed_at, a.due_at});
}

Status CaseRepo::UpdateAppeal(store::Tx& tx, const Appeal& a) {
  return tx
      .Exec("UPDATE service_appeal SET state = ?, decided_at = ?, decided_by = ?, decided_by_name = ?, answer = ? "
            "WHERE id = ?",
            {AppealStateName(a.state), OptParam(a.decided_at), OptParam(a.decided_by), a.decided_by_name, a.answer,
             a.id})
      .status();
}

Result<std::optional<Appeal>> CaseRepo::GetAppeal(store::Tx& tx, int64_t id) {
  TB_ASSIGN_OR_RETURN(auto found, ManyAppeals(tx, "WHERE a.id = ?", {id}));
  if (found.empty()) return std::optional<Appeal>();
  return std::optional<Appeal>(std::move(found.front()));
}

Result<std::optional<Appeal>> CaseRepo::AppealOfTask(store::Tx& tx, int64_t task_id) {
  TB_ASSIGN_OR_RETURN(auto found, ManyAppeals(tx, "WHERE a.task_id = ?", {task_id}));
  if (found.empty()) return std::optional<Appeal>();
  return std::optional<Appeal>(std::move(found.front()));
}

Result<std::vector<Appeal>> CaseRepo::AppealsOf(store::Tx& tx, int64_t case_id) {
  return ManyAppeals(tx, "WHERE a.case_id = ? ORDER BY a.id", {case_id});
}

Result<std::vector<Appeal>> CaseRepo::AppealQueue(store::Tx& tx, std::string_view department, bool open, int limit) {
  if (open) {
    return ManyAppeals(tx, "WHERE a.department = ? AND a.state = 'open' ORDER BY a.due_at, a.id LIMIT ?",
                       {department, int64_t{limit}});
  }
  return ManyAppeals(tx, "WHERE a.department = ? AND a.state <> 'open' ORDER BY a.decided_at DESC, a.id DESC LIMIT ?",
                     {department, int64_t{limit}});
}

Result<int64_t> CaseRepo::InsertNotice(store::Tx& tx, const Notice& n) {
  return tx.InsertReturningId(
      "INSERT INTO service_notice (account_id, department, case_id, case_number, kind, text_zh, text_en, at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {n.account_id, n.department, OptParam(n.case_id), n.case_number, n.kind, n.text_zh, n.text_en, n.at});
}

Result<std::vector<Notice>> CaseRepo::NoticesOf(store::Tx& tx, int64_t account_id, std::string_view department,
                                                int limit) {
  TB_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT id, account_id, department, case_id, case_number, kind, text_zh, text_en, at, "
                               "read_at FROM service_notice WHERE (account_id = ? AND account_id <> 0) "
                               "OR (account_id = 0 AND department = ? AND department <> '') ORDER BY id DESC LIMIT ?",
                               {account_id, department, limit}));
  std::vector<Notice> out;
  for (const auto& r : rows) {
    Notice n;
    n.id = r.Int64(0);
    n.account_id = r.Int64(1);
    n.department = r.Text(2);
    n.case_id = r.OptInt64(3);
    n.case_number = r.Text(4);
    n.kind = r.Text(5);
    n.text_zh = r.Text(6);
    n.text_en = r.Text(7);
    n.at = r.Int64(8);
    n.read_at = r.OptInt64(9);
    out.push_back(std::move(n));
  }
  return out;
}

Result<bool> CaseRepo::MarkRead(store::Tx& tx, int64_t account_id, int64_t id, int64_t now) {
  TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE service_notice SET read_at = COALESCE(read_at, ?) "
                                         "WHERE id = ? AND account_id = ? AND account_id <> 0",
                                         {now, id, account_id}));
  return n > 0;
}

Result<std::vector<ServiceFigures>> CaseRepo::FiguresByBundle(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(auto rows,
                      tx.Query("SELECT bundle, COUNT(*), "
                               "SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END), "
                               "SUM(fields_prefilled), SUM(fields_asked), SUM(materials_from_wallet), "
                               "SUM(materials_uploaded), "
                               "SUM(CASE WHEN state = 'completed' THEN completed_at - submitted_at ELSE 0 END) "
                               "FROM service_case WHERE submitted_at IS NOT NULL GROUP BY bundle ORDER BY bundle"));
  std::vector<ServiceFigures> out;
  for (const auto& r : rows) {
    ServiceFigures f;
    f.bundle = r.Text(0);
    f.cases = r.Int64(1);
    f.completed = r.Int64(2);
    f.fields_prefilled = r.Int64(3);
    f.fields_asked = r.Int64(4);
    f.materials_from_wallet = r.Int64(5);
    f.materials_uploaded = r.Int64(6);
    f.completion_seconds_sum = r.Int64(7);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<DepartmentFigures>> CaseRepo::FiguresByDepartment(store::Tx& tx, int64_t now) {
  TB_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT department, "
               "SUM(CASE WHEN state IN ('ready', 'claimed', 'awaiting_citizen') THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN state = 'approved' THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN state = 'rejected' THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN state IN ('ready', 'claimed') AND due_at < ? THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN escalated_at IS NOT NULL THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN decided_at IS NOT NULL AND ready_at IS NOT NULL THEN decided_at - ready_at ELSE 0 END) "
               "FROM service_task GROUP BY department ORDER BY department",
               {now}));
  std::vector<DepartmentFigures> out;
  for (const auto& r : rows) {
    out.push_back({std::string(r.Text(0)), r.Int64(1), r.Int64(2), r.Int64(3), r.Int64(4), r.Int64(5), r.Int64(6)});
  }
  return out;
}

}  // namespace tongban::service
