// The SQL of data objections; see objection_repo.h.
#include "data/objection_repo.h"

#include <map>

namespace tongban::data {
namespace {

ObjectionState StateFrom(std::string_view s) {
  if (s == "escalated") return ObjectionState::kEscalated;
  if (s == "accepted") return ObjectionState::kAccepted;
  if (s == "rejected") return ObjectionState::kRejected;
  return ObjectionState::kOpen;
}

boost::json::value JsonFrom(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  return ec ? boost::json::value() : v;
}

constexpr std::string_view kColumns =
    "id, subject_id, dataset, record_key, record_version, element, recorded_value, claimed_value, "
    "reason, owner, state, raised_at, due_date, due_at, escalated_at, decided_at, decision, "
    "corrected_version";

Objection ObjectionFrom(const store::Row& r) {
  Objection o;
  o.id = r.Int64(0);
  o.subject_id = r.Text(1);
  o.dataset = r.Text(2);
  o.record_key = r.Text(3);
  o.record_version = r.Int64(4);
  o.element = r.Text(5);
  o.recorded = JsonFrom(r.Text(6));
  o.claimed = JsonFrom(r.Text(7));
  o.reason = r.Text(8);
  o.owner = r.Text(9);
  o.state = StateFrom(r.Text(10));
  o.raised_at = r.Int64(11);
  o.due_date = ParseCivilDate(r.Text(12)).value_or(CivilDate{});
  o.due_at = r.Int64(13);
  o.escalated_at = r.OptInt64(14);
  o.decided_at = r.OptInt64(15);
  o.decision = r.Text(16);
  o.corrected_version = r.OptInt64(17);
  return o;
}

std::string Select(std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM data_objection " + std::string(where);
}

Result<std::vector<Objection>> Many(store::Tx& tx, const std::string& sql, store::Params params) {
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, std::move(params)));
  std::vector<Objection> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ObjectionFrom(r));
  return out;
}

}  // namespace

std::vector<store::Migration> ObjectionRepo::Migrations() {
  return {
      // Undecided = open or escalated: at most one per element of a record (the partial unique
      // index), so two raises racing cannot both succeed.
      {.part = "data_objection", .version = 1, .sql = R"sql(
        CREATE TABLE data_objection (
          id {{id}},
          subject_id TEXT NOT NULL,
          dataset TEXT NOT NULL,
          record_key TEXT NOT NULL,
          record_version {{int64}} NOT NULL,
          element TEXT NOT NULL,
          recorded_value TEXT NOT NULL,
          claimed_value TEXT NOT NULL,
          reason TEXT NOT NULL,
          owner TEXT NOT NULL,
          state TEXT NOT NULL,
          raised_at {{int64}} NOT NULL,
          due_date TEXT NOT NULL,
          due_at {{int64}} NOT NULL,
          escalated_at {{int64}},
          decided_at {{int64}},
          decided_by {{int64}},
          decision TEXT NOT NULL,
          corrected_version {{int64}}
        );
        CREATE UNIQUE INDEX data_objection_undecided ON data_objection (dataset, record_key, element)
          WHERE state IN ('open', 'escalated');
        CREATE INDEX data_objection_subject ON data_objection (subject_id, id);
        CREATE INDEX data_objection_owner ON data_objection (owner, state, due_at);
        CREATE INDEX data_objection_due ON data_objection (state, due_at);
        CREATE TABLE data_objection_step (
          id {{id}},
          objection_id {{int64}} NOT NULL,
          action TEXT NOT NULL,
          at_micros {{int64}} NOT NULL,
          actor TEXT NOT NULL,
          actor_account {{int64}} NOT NULL,
          note TEXT NOT NULL,
          version {{int64}},
          document TEXT NOT NULL
        );
        CREATE INDEX data_objection_step_objection ON data_objection_step (objection_id, id);
      )sql"},
  };
}

Result<int64_t> ObjectionRepo::Insert(store::Tx& tx, const Objection& o) {
  return tx.InsertReturningId(
      "INSERT INTO data_objection (subject_id, dataset, record_key, record_version, element, "
      "recorded_value, claimed_value, reason, owner, state, raised_at, due_date, due_at, decision) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '') RETURNING id",
      {o.subject_id, o.dataset, o.record_key, o.record_version, o.element,
       boost::json::serialize(o.recorded), boost::json::serialize(o.claimed), o.reason, o.owner,
       ObjectionStateName(o.state), o.raised_at, o.due_date.ToString(), o.due_at});
}

Result<std::optional<Objection>> ObjectionRepo::Get(store::Tx& tx, int64_t id) {
  TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(Select("WHERE id = ?"), {id}));
  if (!row) return std::optional<Objection>();
  return std::optional<Objection>(ObjectionFrom(*row));
}

Result<std::vector<Objection>> ObjectionRepo::OfSubject(store::Tx& tx, std::string_view subject_id) {
  return Many(tx, Select("WHERE subject_id = ? ORDER BY id DESC LIMIT 500"), {subject_id});
}

Result<std::vector<Objection>> ObjectionRepo::Queue(store::Tx& tx, std::string_view department,
                                                    ObjectionFilter filter, int64_t now, int limit) {
  std::string where = "WHERE (? = '' OR owner = ?)";
  switch (filter) {
    case ObjectionFilter::kAll: break;
    case ObjectionFilter::kOpen: where += " AND state IN ('open', 'escalated')"; break;
    case ObjectionFilter::kOverdue: where += " AND state IN ('open', 'escalated') AND due_at <= ?"; break;
    case ObjectionFilter::kEscalated: where += " AND state = 'escalated'"; break;
    case ObjectionFilter::kDecided: where += " AND state IN ('accepted', 'rejected')"; break;
  }
  where += " ORDER BY due_at, id LIMIT ?";
  if (filter == ObjectionFilter::kOverdue) {
    return Many(tx, Select(where), {department, department, now, limit});
  }
  return Many(tx, Select(where), {department, department, limit});
}

Result<std::vector<Objection>> ObjectionRepo::Overdue(store::Tx& tx, int64_t now, int limit) {
  return Many(tx, Select("WHERE state = 'open' AND due_at <= ? ORDER BY due_at, id LIMIT ?"), {now, limit});
}

Result<bool> ObjectionRepo::Decide(store::Tx& tx, int64_t id, ObjectionState to, std::string_view decision,
                                   std::optional<int64_t> corrected_version, int64_t account, int64_t at) {
  store::Param version = corrected_version ? store::Param(*corrected_version) : store::Param(nullptr);
  TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE data_objection SET state = ?, decision = ?, "
                                         "corrected_version = ?, decided_by = ?, decided_at = ? "
                                         "WHERE id = ? AND state IN ('open', 'escalated')",
                                         {ObjectionStateName(to), decision, version, account, at, id}));
  return n == 1;
}

Result<bool> ObjectionRepo::Escalate(store::Tx& tx, int64_t id, int64_t at) {
  TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE data_objection SET state = 'escalated', escalated_at = ? "
                                         "WHERE id = ? AND state = 'open'",
                                         {at, id}));
  return n == 1;
}

Status ObjectionRepo::InsertStep(store::Tx& tx, int64_t objection_id, int64_t account, const ObjectionStep& s) {
  store::Param version = s.version ? store::Param(*s.version) : store::Param(nullptr);
  return tx.Exec("INSERT INTO data_objection_step (objection_id, action, at_micros, actor, actor_account, "
                 "note, version, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 {objection_id, s.action, s.at_micros, s.actor, account, s.note, version, s.document})
      .status();
}

Status ObjectionRepo::LoadSteps(store::Tx& tx, std::span<Objection> objections) {
  if (objections.empty()) return Status::Ok();
  std::map<int64_t, Objection*> by_id;
  std::vector<store::Param> ids;
  std::string marks;
  for (Objection& o : objections) {
    o.steps.clear();
    by_id[o.id] = &o;
    ids.emplace_back(o.id);
    marks += marks.empty() ? "?" : ", ?";
  }
  TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT objection_id, id, action, at_micros, actor, note, version, document "
                                          "FROM data_objection_step WHERE objection_id IN (" + marks +
                                              ") ORDER BY objection_id, id",
                                          ids));
  for (const auto& r : rows) {
    by_id.at(r.Int64(0))->steps.push_back(ObjectionStep{r.Int64(1), std::string(r.Text(2)), r.Int64(3),
                                                         std::string(r.Text(4)), std::string(r.Text(5)),
                                                         r.OptInt64(6), std::string(r.Text(7))});
  }
  return Status::Ok();
}

}  // namespace tongban::data
