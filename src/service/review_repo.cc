// The SQL of reviews; see review_repo.h.
#include "service/review_repo.h"

namespace tongban::service {

std::string_view LevelNameZh(int level) {
  switch (level) {
    case 5: return "非常满意";
    case 4: return "满意";
    case 3: return "基本满意";
    case 2: return "不满意";
    case 1: return "非常不满意";
  }
  return "";
}

std::string_view LevelNameEn(int level) {
  switch (level) {
    case 5: return "very satisfied";
    case 4: return "satisfied";
    case 3: return "fairly satisfied";
    case 2: return "dissatisfied";
    case 1: return "very dissatisfied";
  }
  return "";
}

std::string_view TicketStateName(TicketState s) {
  switch (s) {
    case TicketState::kOpen: return "open";
    case TicketState::kCalledBack: return "called_back";
    case TicketState::kVerified: return "verified";
    case TicketState::kRectified: return "rectified";
    case TicketState::kAnswered: return "answered";
  }
  return "open";
}

std::optional<TicketState> ParseTicketState(std::string_view s) {
  for (TicketState t : {TicketState::kOpen, TicketState::kCalledBack, TicketState::kVerified, TicketState::kRectified,
                        TicketState::kAnswered}) {
    if (TicketStateName(t) == s) return t;
  }
  return std::nullopt;
}

std::optional<TicketFilter> ParseTicketFilter(std::string_view s) {
  if (s == "open") return TicketFilter::kOpen;
  if (s == "overdue") return TicketFilter::kOverdue;
  if (s == "answered") return TicketFilter::kAnswered;
  if (s == "all") return TicketFilter::kAll;
  return std::nullopt;
}

namespace {

store::Param OptParam(const std::optional<int64_t>& v) { return v ? store::Param(*v) : store::Param(nullptr); }

constexpr std::string_view kRatingColumns =
    "r.id, r.case_id, c.case_number, r.task_id, r.item, r.department, r.window_key, r.window_zh, r.window_en, "
    "r.level, r.comment, r.account_id, r.subject, r.party, r.rater_name, r.at, r.round, t.id, r.document";

// The rating of kRatingColumns, starting at column `at` of the row.
Rating RatingFrom(const store::Row& row, size_t at = 0) {
  Rating r;
  r.id = row.Int64(at + 0);
  r.case_id = row.Int64(at + 1);
  r.case_number = row.OptText(at + 2).value_or("");
  r.task_id = row.Int64(at + 3);
  r.item = row.Text(at + 4);
  r.department = row.Text(at + 5);
  r.window_key = row.Text(at + 6);
  r.window_zh = row.Text(at + 7);
  r.window_en = row.Text(at + 8);
  r.level = static_cast<int>(row.Int64(at + 9));
  r.comment = row.Text(at + 10);
  r.account_id = row.Int64(at + 11);
  r.subject = row.Text(at + 12);
  r.party = row.Text(at + 13);
  r.rater_name = row.Text(at + 14);
  r.at = row.Int64(at + 15);
  r.round = static_cast<int>(row.Int64(at + 16));
  r.ticket_id = row.OptInt64(at + 17);
  r.document = row.Text(at + 18);
  return r;
}

std::string SelectRating(std::string_view where) {
  return "SELECT " + std::string(kRatingColumns) +
         " FROM service_rating r JOIN service_case c ON c.id = r.case_id "
         "LEFT JOIN service_remediation t ON t.rating_id = r.id " +
         std::string(where);
}

Result<std::vector<Rating>> ManyRatings(store::Tx& tx, const std::string& sql, store::Params params) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, std::move(params)));
  std::vector<Rating> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(RatingFrom(row));
  return out;
}

constexpr std::string_view kTicketColumns =
    "t.id, t.rating_id, t.case_id, t.task_id, t.department, t.state, t.opened_at, t.callback_due_date, "
    "t.answer_due_date, t.callback_due_at, t.answer_due_at, t.called_back_at, t.verified_at, t.rectified_at, "
    "t.answered_at, t.callback_note, t.finding, t.measures, t.answer, t.callback_escalated_at, "
    "t.answer_escalated_at, t.handled_by, t.handled_by_name, t.updated_at";
constexpr size_t kTicketColumnCount = 24;

Ticket TicketFrom(const store::Row& row) {
  Ticket t;
  t.id = row.Int64(0);
  t.rating_id = row.Int64(1);
  t.case_id = row.Int64(2);
  t.task_id = row.Int64(3);
  t.department = row.Text(4);
  t.state = ParseTicketState(row.Text(5)).value_or(TicketState::kOpen);
  t.opened_at = row.Int64(6);
  t.callback_due_date = ParseCivilDate(row.Text(7)).value_or(CivilDate{});
  t.answer_due_date = ParseCivilDate(row.Text(8)).value_or(CivilDate{});
  t.callback_due_at = row.Int64(9);
  t.answer_due_at = row.Int64(10);
  t.called_back_at = row.OptInt64(11);
  t.verified_at = row.OptInt64(12);
  t.rectified_at = row.OptInt64(13);
  t.answered_at = row.OptInt64(14);
  t.callback_note = row.Text(15);
  t.finding = row.Text(16);
  t.measures = row.Text(17);
  t.answer = row.Text(18);
  t.callback_escalated_at = row.OptInt64(19);
  t.answer_escalated_at = row.OptInt64(20);
  t.handled_by = row.OptInt64(21);
  t.handled_by_name = row.Text(22);
  t.updated_at = row.Int64(23);
  return t;
}

std::string SelectTicket(std::string_view where) {
  return "SELECT " + std::string(kTicketColumns) + " FROM service_remediation t " + std::string(where);
}

// Tickets (alias t) with their ratings (r) in one query: the ticket's columns, then the rating's.
std::string SelectTicketWithRating(std::string_view where) {
  return "SELECT " + std::string(kTicketColumns) + ", " + std::string(kRatingColumns) +
         " FROM service_remediation t JOIN service_rating r ON r.id = t.rating_id "
         "JOIN service_case c ON c.id = r.case_id " +
         std::string(where);
}

Result<std::vector<RatingAndTicket>> TicketsWithRatings(store::Tx& tx, const std::string& sql, store::Params params) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, std::move(params)));
  std::vector<RatingAndTicket> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    RatingAndTicket x;
    x.ticket = TicketFrom(row);
    x.rating = RatingFrom(row, kTicketColumnCount);
    out.push_back(std::move(x));
  }
  return out;
}

Result<std::vector<Ticket>> ManyTickets(store::Tx& tx, const std::string& sql, store::Params params) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, std::move(params)));
  std::vector<Ticket> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(TicketFrom(row));
  return out;
}

// The deadlines of an unanswered ticket (table alias `t`), missed at `now` (one parameter each):
// a deadline is missed once its day has ended (due_at is that end). Ticket::CallbackMissed,
// AnswerMissed and Overdue are the same tests in C++.
std::string CallbackMissed(std::string_view t) {
  const std::string a(t);
  return a + ".answered_at IS NULL AND " + a + ".called_back_at IS NULL AND " + a + ".callback_due_at <= ?";
}
std::string AnswerMissed(std::string_view t) {
  const std::string a(t);
  return a + ".answered_at IS NULL AND " + a + ".answer_due_at <= ?";
}
// Past a deadline it has not met (two parameters: now, now).
std::string Overdue(std::string_view t) { return "((" + CallbackMissed(t) + ") OR (" + AnswerMissed(t) + "))"; }

// The figures' columns over ratings (r) left-joined to their tickets (t): each level's count, the
// count, tickets answered on time, late, open, open and overdue. Two parameters: now, now.
std::string FigureColumns() {
  std::string sql;
  for (int level = kLowestLevel; level <= kHighestLevel; ++level) {
    sql += "SUM(CASE WHEN r.level = " + std::to_string(level) + " THEN 1 ELSE 0 END), ";
  }
  return sql +
         "COUNT(*), "
         "SUM(CASE WHEN t.answered_at IS NOT NULL AND t.answered_at < t.answer_due_at THEN 1 ELSE 0 END), "
         "SUM(CASE WHEN t.answered_at IS NOT NULL AND t.answered_at >= t.answer_due_at THEN 1 ELSE 0 END), "
         "SUM(CASE WHEN t.id IS NOT NULL AND t.answered_at IS NULL THEN 1 ELSE 0 END), "
         "SUM(CASE WHEN t.id IS NOT NULL AND " + Overdue("t") + " THEN 1 ELSE 0 END) "
         "FROM service_rating r LEFT JOIN service_remediation t ON t.rating_id = r.id";
}

// FigureColumns' values from column `at` on. Without ratings the sums are NULL, read as 0.
void FiguresFrom(const store::Row& row, size_t at, RatingGroup& g) {
  for (size_t i = 0; i < g.levels.size(); ++i) g.levels[i] = row.Int64(at + i);
  g.total = row.Int64(at + 5);
  g.tickets_answered_on_time = row.Int64(at + 6);
  g.tickets_answered_late = row.Int64(at + 7);
  g.tickets_open = row.Int64(at + 8);
  g.tickets_open_overdue = row.Int64(at + 9);
}

// One GROUP BY over the ratings and their tickets; `key` and the two names are the grouping's
// columns (r.department, '' , '').
std::string GroupedSql(std::string_view key, std::string_view name_zh, std::string_view name_en) {
  return "SELECT " + std::string(key) + ", " + std::string(name_zh) + ", " + std::string(name_en) + ", " +
         FigureColumns() + " GROUP BY " + std::string(key) + " ORDER BY " + std::string(key);
}

// The rows of a GroupedSql query.
Result<std::vector<RatingGroup>> Grouped(store::Tx& tx, const std::string& sql, int64_t now) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {now, now}));
  std::vector<RatingGroup> out;
  for (const auto& row : rows) {
    RatingGroup g;
    g.key = row.Text(0);
    g.name_zh = row.Text(1);
    g.name_en = row.Text(2);
    FiguresFrom(row, 3, g);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

std::vector<store::Migration> ReviewRepo::Migrations() {
  return {
      // Ratings are append-only (no UPDATE or DELETE is written against service_rating); one per
      // task and round. A ticket per bad rating; its steps with their ledger documents.
      {.part = "service_review", .version = 1, .sql = R"sql(
        CREATE TABLE service_rating (
          id {{id}},
          case_id {{int64}} NOT NULL REFERENCES service_case (id),
          task_id {{int64}} NOT NULL REFERENCES service_task (id),
          item TEXT NOT NULL,
          department TEXT NOT NULL,
          window_key TEXT NOT NULL,
          window_zh TEXT NOT NULL,
          window_en TEXT NOT NULL,
          level {{int64}} NOT NULL CHECK (level BETWEEN 1 AND 5),
          comment TEXT NOT NULL,
          account_id {{int64}} NOT NULL,
          subject TEXT NOT NULL,
          party TEXT NOT NULL,
          rater_name TEXT NOT NULL,
          at {{int64}} NOT NULL,
          round {{int64}} NOT NULL CHECK (round IN (1, 2)),
          document TEXT NOT NULL
        );
        CREATE UNIQUE INDEX service_rating_task_round ON service_rating (task_id, round);
        CREATE INDEX service_rating_case ON service_rating (case_id, id);
        CREATE TABLE service_remediation (
          id {{id}},
          rating_id {{int64}} NOT NULL UNIQUE REFERENCES service_rating (id),
          case_id {{int64}} NOT NULL REFERENCES service_case (id),
          task_id {{int64}} NOT NULL REFERENCES service_task (id),
          department TEXT NOT NULL,
          state TEXT NOT NULL,
          opened_at {{int64}} NOT NULL,
          callback_due_date TEXT NOT NULL,
          answer_due_date TEXT NOT NULL,
          callback_due_at {{int64}} NOT NULL,
          answer_due_at {{int64}} NOT NULL,
          called_back_at {{int64}},
          verified_at {{int64}},
          rectified_at {{int64}},
          answered_at {{int64}},
          callback_note TEXT NOT NULL,
          finding TEXT NOT NULL,
          measures TEXT NOT NULL,
          answer TEXT NOT NULL,
          callback_escalated_at {{int64}},
          answer_escalated_at {{int64}},
          handled_by {{int64}},
          handled_by_name TEXT NOT NULL,
          updated_at {{int64}} NOT NULL
        );
        CREATE INDEX service_remediation_queue ON service_remediation (department, state, answer_due_at);
        CREATE INDEX service_remediation_case ON service_remediation (case_id, id);
        CREATE INDEX service_remediation_due ON service_remediation (answered_at, answer_due_at);
        CREATE TABLE service_remediation_step (
          id {{id}},
          ticket_id {{int64}} NOT NULL REFERENCES service_remediation (id),
          action TEXT NOT NULL,
          actor TEXT NOT NULL,
          at_micros {{int64}} NOT NULL,
          document TEXT NOT NULL
        );
        CREATE INDEX service_remediation_step_ticket ON service_remediation_step (ticket_id, id);
      )sql"},
  };
}

Result<int64_t> ReviewRepo::InsertRating(store::Tx& tx, const Rating& r) {
  return tx.InsertReturningId(
      "INSERT INTO service_rating (case_id, task_id, item, department, window_key, window_zh, window_en, level, "
      "comment, account_id, subject, party, rater_name, at, round, document) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {r.case_id, r.task_id, r.item, r.department, r.window_key, r.window_zh, r.window_en, r.level, r.comment,
       r.account_id, r.subject, r.party, r.rater_name, r.at, r.round, r.document});
}

Result<std::vector<Rating>> ReviewRepo::RatingsOfTask(store::Tx& tx, int64_t task_id) {
  static const std::string kSql = SelectRating("WHERE r.task_id = ? ORDER BY r.id");
  return ManyRatings(tx, kSql, {task_id});
}

Result<std::vector<Rating>> ReviewRepo::RatingsOfCase(store::Tx& tx, int64_t case_id) {
  static const std::string kSql = SelectRating("WHERE r.case_id = ? ORDER BY r.id");
  return ManyRatings(tx, kSql, {case_id});
}

Result<std::optional<Rating>> ReviewRepo::GetRating(store::Tx& tx, int64_t id) {
  static const std::string kSql = SelectRating("WHERE r.id = ?");
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(kSql, {id}));
  if (!row) return std::optional<Rating>();
  return std::optional<Rating>(RatingFrom(*row));
}

Result<int64_t> ReviewRepo::InsertTicket(store::Tx& tx, const Ticket& t) {
  return tx.InsertReturningId(
      "INSERT INTO service_remediation (rating_id, case_id, task_id, department, state, opened_at, "
      "callback_due_date, answer_due_date, callback_due_at, answer_due_at, callback_note, finding, measures, "
      "answer, handled_by_name, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', '', ?) RETURNING id",
      {t.rating_id, t.case_id, t.task_id, t.department, TicketStateName(t.state), t.opened_at,
       t.callback_due_date.ToString(), t.answer_due_date.ToString(), t.callback_due_at, t.answer_due_at,
       t.updated_at});
}

Status ReviewRepo::UpdateTicket(store::Tx& tx, const Ticket& t) {
  return tx
      .Exec("UPDATE service_remediation SET state = ?, called_back_at = ?, verified_at = ?, rectified_at = ?, "
            "answered_at = ?, callback_note = ?, finding = ?, measures = ?, answer = ?, callback_escalated_at = ?, "
            "answer_escalated_at = ?, handled_by = ?, handled_by_name = ?, updated_at = ? WHERE id = ?",
            {TicketStateName(t.state), OptParam(t.called_back_at), OptParam(t.verified_at), OptParam(t.rectified_at),
             OptParam(t.answered_at), t.callback_note, t.finding, t.measures, t.answer,
             OptParam(t.callback_escalated_at), OptParam(t.answer_escalated_at), OptParam(t.handled_by),
             t.handled_by_name, t.updated_at, t.id})
      .status();
}

Result<std::optional<Ticket>> ReviewRepo::GetTicket(store::Tx& tx, int64_t id) {
  static const std::string kSql = SelectTicket("WHERE t.id = ?");
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(kSql, {id}));
  if (!row) return std::optional<Ticket>();
  return std::optional<Ticket>(TicketFrom(*row));
}

Result<std::vector<Ticket>> ReviewRepo::TicketsOfCase(store::Tx& tx, int64_t case_id) {
  static const std::string kSql = SelectTicket("WHERE t.case_id = ? ORDER BY t.id");
  return ManyTickets(tx, kSql, {case_id});
}

Result<std::vector<RatingAndTicket>> ReviewRepo::Tickets(store::Tx& tx, std::string_view department,
                                                         TicketFilter filter, int64_t now, int limit) {
  static const std::string kOpen = SelectTicketWithRating(
      "WHERE t.department = ? AND t.answered_at IS NULL ORDER BY t.answer_due_at, t.id LIMIT ?");
  static const std::string kOverdue = SelectTicketWithRating("WHERE t.department = ? AND " + Overdue("t") +
                                                             " ORDER BY t.answer_due_at, t.id LIMIT ?");
  static const std::string kAnswered = SelectTicketWithRating(
      "WHERE t.department = ? AND t.answered_at IS NOT NULL ORDER BY t.answered_at DESC, t.id DESC LIMIT ?");
  static const std::string kAll = SelectTicketWithRating("WHERE t.department = ? ORDER BY t.id DESC LIMIT ?");
  switch (filter) {
    case TicketFilter::kOpen: return TicketsWithRatings(tx, kOpen, {department, limit});
    case TicketFilter::kOverdue: return TicketsWithRatings(tx, kOverdue, {department, now, now, limit});
    case TicketFilter::kAnswered: return TicketsWithRatings(tx, kAnswered, {department, limit});
    case TicketFilter::kAll: return TicketsWithRatings(tx, kAll, {department, limit});
  }
  return std::vector<RatingAndTicket>{};
}

Result<std::vector<RatingAndTicket>> ReviewRepo::Late(store::Tx& tx, int64_t now, int limit) {
  static const std::string kSql =
      SelectTicketWithRating("WHERE (" + CallbackMissed("t") + " AND t.callback_escalated_at IS NULL) OR (" +
                             AnswerMissed("t") + " AND t.answer_escalated_at IS NULL) ORDER BY t.id LIMIT ?");
  return TicketsWithRatings(tx, kSql, {now, now, limit});
}

Result<int64_t> ReviewRepo::InsertStep(store::Tx& tx, int64_t ticket_id, const TicketStep& s) {
  return tx.InsertReturningId(
      "INSERT INTO service_remediation_step (ticket_id, action, actor, at_micros, document) "
      "VALUES (?, ?, ?, ?, ?) RETURNING id",
      {ticket_id, s.action, s.actor, s.at_micros, s.document});
}

Result<std::vector<TicketStep>> ReviewRepo::StepsOf(store::Tx& tx, int64_t ticket_id) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, action, actor, at_micros, document FROM "
                                          "service_remediation_step WHERE ticket_id = ? ORDER BY id",
                                          {ticket_id}));
  std::vector<TicketStep> out;
  for (const auto& r : rows) {
    out.push_back({r.Int64(0), std::string(r.Text(1)), std::string(r.Text(2)), r.Int64(3), std::string(r.Text(4))});
  }
  return out;
}

Result<RatingGroup> ReviewRepo::Overall(store::Tx& tx, int64_t now) {
  // No GROUP BY: one row, also without ratings.
  static const std::string kSql = "SELECT " + FigureColumns();
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(kSql, {now, now}));
  RatingGroup g;
  if (row) FiguresFrom(*row, 0, g);
  return g;
}

Result<ReviewFigures> ReviewRepo::Figures(store::Tx& tx, int64_t now) {
  ReviewFigures f;
  TB_ASSIGN_OR_RETURN(f.overall, Overall(tx, now));
  static const std::string kByDepartment = GroupedSql("r.department", "''", "''");
  static const std::string kByItem = GroupedSql("r.item", "''", "''");
  static const std::string kByWindow = GroupedSql("r.window_key", "MAX(r.window_zh)", "MAX(r.window_en)");
  TB_ASSIGN_OR_RETURN(f.departments, Grouped(tx, kByDepartment, now));
  TB_ASSIGN_OR_RETURN(f.items, Grouped(tx, kByItem, now));
  TB_ASSIGN_OR_RETURN(f.windows, Grouped(tx, kByWindow, now));
  return f;
}

}  // namespace tongban::service
