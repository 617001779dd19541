// Powers of attorney, their checks, uses and guardianship records; see attorney.h.
#include "identity/attorney.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/citizen_id.h"
#include "crypto/hash.h"
#include "identity/scope_list.h"
#include "notify/outbox.h"

namespace tongban::identity {
namespace {

constexpr std::string_view kApplyPrefix = "services.apply:";

std::string DateText(int64_t unix_seconds) {
  return ChinaDate(FromUnixMicros(unix_seconds * 1000000)).ToString();
}

// The columns every attorney query reads, in the order ReadAttorney expects.
constexpr std::string_view kAttorneyColumns =
    "a.id, a.kind, a.principal_account, p.display_name, a.agent_account, g.display_name, g.login, "
    "a.scopes, a.valid_from, a.valid_until, a.created_at, a.created_by, a.created_via, "
    "a.revoked_at, a.revoked_by FROM attorneys a JOIN accounts p ON p.id = a.principal_account "
    "JOIN accounts g ON g.id = a.agent_account";

std::string SelectAttorneys(std::string_view where) {
  return "SELECT " + std::string(kAttorneyColumns) + " " + std::string(where);
}

Result<Attorney> ReadAttorney(const store::Row& r) {
  Attorney a;
  a.id = r.Int64(0);
  TB_ASSIGN_OR_RETURN(a.kind, ParseAttorneyKind(r.Text(1)));
  a.principal_account = r.Int64(2);
  a.principal_name = std::string(r.Text(3));
  a.agent_account = r.Int64(4);
  a.agent_name = std::string(r.Text(5));
  a.agent_login = std::string(r.Text(6));
  a.scopes = SplitScopes(r.Text(7));
  a.valid_from = r.Int64(8);
  a.valid_until = r.Int64(9);
  a.created_at = r.Int64(10);
  a.created_by = r.Int64(11);
  a.created_via = std::string(r.Text(12));
  a.revoked_at = r.OptInt64(13);
  a.revoked_by = r.OptInt64(14);
  return a;
}

Result<std::vector<Attorney>> ReadAttorneys(const std::vector<store::Row>& rows) {
  std::vector<Attorney> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    TB_ASSIGN_OR_RETURN(Attorney a, ReadAttorney(r));
    out.push_back(std::move(a));
  }
  return out;
}

std::string ScopeLabelZh(std::string_view scope) {
  for (const ActScope& s : ActScopes()) {
    if (s.name == scope) return std::string(s.zh);
    if (s.name.ends_with(':') && scope.starts_with(s.name)) {
      return std::string(s.zh) + "（" + std::string(scope.substr(s.name.size())) + "）";
    }
  }
  return std::string(scope);
}

std::string ScopeLabelsZh(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += "、";
    out += ScopeLabelZh(s);
  }
  return out;
}

// The 18th birthday (China date) of a child born on `birth`, as unix seconds; 29 February's
// child comes of age on 1 March in a common year.
int64_t AdultAt(CivilDate birth) {
  CivilDate d{birth.year + 18, birth.month, birth.day};
  if (!d.IsValid()) d = CivilDate{birth.year + 18, 3, 1};
  return ChinaDayStartUnix(d);
}

}  // namespace

std::string_view AttorneyKindName(AttorneyKind kind) {
  switch (kind) {
    case AttorneyKind::kAttorney: return "attorney";
    case AttorneyKind::kGuardian: return "guardian";
    case AttorneyKind::kEnterpriseAgent: return "enterprise_agent";
  }
  return "attorney";
}

Result<AttorneyKind> ParseAttorneyKind(std::string_view name) {
  if (name == "attorney") return AttorneyKind::kAttorney;
  if (name == "guardian") return AttorneyKind::kGuardian;
  if (name == "enterprise_agent") return AttorneyKind::kEnterpriseAgent;
  return Status::InvalidField("kind", "must be attorney, guardian or enterprise_agent");
}

const std::vector<ActScope>& ActScopes() {
  static const std::vector<ActScope> scopes = {
      {"receipts.view", "查看我的电子票据", "See my receipts"},
      {"licenses.view", "查看我的电子证照", "See my licences"},
      {"licenses.present", "出示我的电子证照", "Present my licences"},
      {"services.view", "查看我的办件", "See my applications"},
      {"services.apply:", "代我申办事项", "Apply for a service for me"},
      {"data.view", "查看我的数据", "See my data"},
  };
  return scopes;
}

bool KnownActScope(std::string_view scope, const std::function<bool(std::string_view)>& item_known) {
  if (scope.starts_with(kApplyPrefix)) {
    std::string_view item = scope.substr(kApplyPrefix.size());
    if (item.empty() || item.size() > 64) return false;
    for (char c : item) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return !item_known || item_known(item);
  }
  for (const ActScope& s : ActScopes()) {
    if (!s.name.ends_with(':') && s.name == scope) return true;
  }
  return false;
}

bool ScopeCovers(std::string_view attorney_scope, std::string_view route_scope) {
  if (route_scope.empty()) return false;
  if (route_scope.ends_with(':')) return attorney_scope.starts_with(route_scope);
  return attorney_scope == route_scope;
}

std::string_view Attorney::StateAt(int64_t now) const {
  if (revoked_at) return "revoked";
  if (now < valid_from) return "not_yet";
  if (now >= valid_until) return "expired";
  return "in_force";
}

std::vector<store::Migration> AttorneyService::Migrations() {
  store::Migration v1;
  v1.part = "identity_attorney";
  v1.version = 1;
  v1.sql = R"(
CREATE TABLE attorneys (
  id {{id}},
  kind TEXT NOT NULL,
  principal_account {{int64}} NOT NULL REFERENCES accounts(id),
  agent_account {{int64}} NOT NULL REFERENCES accounts(id),
  scopes TEXT NOT NULL,
  valid_from {{int64}} NOT NULL,
  valid_until {{int64}} NOT NULL,
  created_at {{int64}} NOT NULL,
  created_by {{int64}} NOT NULL,
  created_via TEXT NOT NULL,
  revoked_at {{int64}},
  revoked_by {{int64}}
);
CREATE INDEX attorneys_principal ON attorneys(principal_account);
CREATE INDEX attorneys_agent ON attorneys(agent_account);
CREATE TABLE attorney_uses (
  id {{id}},
  attorney_id {{int64}} NOT NULL REFERENCES attorneys(id),
  principal_account {{int64}} NOT NULL,
  agent_account {{int64}} NOT NULL,
  operation TEXT NOT NULL,
  method TEXT NOT NULL,
  act_scope TEXT NOT NULL,
  at {{int64}} NOT NULL
);
CREATE INDEX attorney_uses_principal ON attorney_uses(principal_account, id);
CREATE TABLE guardianships (
  id {{id}},
  guardian_account {{int64}} NOT NULL REFERENCES accounts(id),
  child_subject TEXT NOT NULL,
  child_name TEXT NOT NULL,
  child_account {{int64}} NOT NULL REFERENCES accounts(id),
  relation TEXT NOT NULL,
  evidence TEXT NOT NULL,
  approved_by {{int64}} NOT NULL,
  approved_at {{int64}} NOT NULL,
  attorney_id {{int64}} NOT NULL REFERENCES attorneys(id),
  UNIQUE (guardian_account, child_subject)
);
)";
  return {v1};
}

AttorneyService::AttorneyService(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

int64_t AttorneyService::NowSeconds() const { return clock_.NowUnixMicros() / 1000000; }

Result<Attorney> AttorneyService::Create(const NewAttorney& request) {
  const int64_t now = NowSeconds();
  std::vector<FieldError> errors;
  if (request.scopes.empty()) errors.push_back({"/scopes", "name at least one scope"});
  if (request.scopes.size() > 32) errors.push_back({"/scopes", "at most 32 scopes"});
  for (size_t i = 0; i < request.scopes.size() && i < 32; ++i) {
    const std::string& s = request.scopes[i];
    if (!KnownActScope(s, item_known_)) {
      errors.push_back({"/scopes/" + std::to_string(i), "is not a known scope (see ActScopes)"});
    } else if (std::find(request.scopes.begin(), request.scopes.begin() + i, s) != request.scopes.begin() + i) {
      errors.push_back({"/scopes/" + std::to_string(i), "is named twice"});
    }
  }
  const int64_t from = request.valid_from.value_or(now);
  const int64_t max_span = request.kind == AttorneyKind::kEnterpriseAgent ? kEnterpriseAgentMaxSeconds
                                                                           : kAttorneyMaxSeconds;
  if (from < now - 86400) errors.push_back({"/valid_from", "must not be in the past"});
  if (from > now + kAttorneyMaxSeconds) errors.push_back({"/valid_from", "at most a year ahead"});
  if (request.valid_until <= from) {
    errors.push_back({"/valid_until", "must be after valid_from"});
  } else if (request.valid_until <= now) {
    errors.push_back({"/valid_until", "must be in the future"});
  } else if (request.kind != AttorneyKind::kGuardian && request.valid_until - from > max_span) {
    errors.push_back({"/valid_until", request.kind == AttorneyKind::kEnterpriseAgent
                                          ? "an enterprise agent is authorised for at most 3 years"
                                          : "a power of attorney lasts at most one year"});
  }
  if (request.agent_login.empty() || request.agent_login.size() > 64) {
    errors.push_back({"/agent_login", "must be the agent's login (1-64 characters)"});
  }
  int64_t id = 0;
  int64_t agent_id = 0;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    std::vector<FieldError> found = errors;
    TB_ASSIGN_OR_RETURN(auto principal,
                        tx.QueryRow("SELECT role, subject_id, display_name FROM accounts WHERE id = ?",
                                    {request.principal_account}));
    if (!principal) return Status::NotFound("account");
    const std::string principal_role(principal->Text(0));
    const std::string principal_subject(principal->Text(1));
    std::optional<int64_t> agent;
    std::string agent_name;
    if (!request.agent_login.empty() && request.agent_login.size() <= 64) {
      TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id, role, display_name FROM accounts WHERE login = ?",
                                                {request.agent_login}));
      if (!row) {
        found.push_back({"/agent_login", "no account has this login"});
      } else if (row->Int64(0) == request.principal_account) {
        found.push_back({"/agent_login", "you cannot authorise yourself"});
      } else if (row->Text(1) != "citizen") {
        found.push_back({"/agent_login", "the agent must be a citizen's account"});
      } else {
        agent = row->Int64(0);
        agent_id = *agent;
        agent_name = std::string(row->Text(2));
      }
    }
    const bool enterprise = request.kind == AttorneyKind::kEnterpriseAgent;
    if (enterprise ? principal_role != "enterprise" : principal_role != "citizen") {
      return Status::PermissionDenied(enterprise ? "only an enterprise account authorises its agents"
                                                 : "only a citizen gives a power of attorney");
    }
    if (!found.empty()) {
      Status invalid = Status::InvalidArgument("the power of attorney is not valid");
      return Status::InvalidArgument(invalid.message(), std::move(found));
    }
    TB_ASSIGN_OR_RETURN(
        id, tx.InsertReturningId(
                "INSERT INTO attorneys (kind, principal_account, agent_account, scopes, valid_from, "
                "valid_until, created_at, created_by, created_via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                {AttorneyKindName(request.kind), request.principal_account, *agent,
                 JoinScopes(request.scopes), from, request.valid_until, now, request.created_by,
                 request.created_via}));
    if (principal_subject.empty()) return Status::Ok();
    return notify::Enqueue(tx,
                           {.event_id = "attorney.created:" + std::to_string(id),
                            .recipient = principal_subject,
                            .template_id = "attorney.created",
                            .vars = {{"agent", agent_name},
                                     {"scope", ScopeLabelsZh(request.scopes)},
                                     {"until", DateText(request.valid_until - 1)}}},
                           now);
  });
  if (!s.ok()) return s;
  spdlog::info("attorney {} created: {} account {} -> agent account {} via {}", id,
               AttorneyKindName(request.kind), request.principal_account, agent_id,
               request.created_via);
  return Get(id, request.principal_account);
}

Result<std::vector<Attorney>> AttorneyService::ListGiven(int64_t principal_account,
                                                         std::optional<AttorneyKind> kind) {
  std::vector<Attorney> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    std::vector<store::Row> rows;
    if (kind) {
      TB_ASSIGN_OR_RETURN(rows, tx.Query(SelectAttorneys("WHERE a.principal_account = ? AND a.kind = ? "
                                                         "ORDER BY a.id DESC LIMIT 500"),
                                         {principal_account, AttorneyKindName(*kind)}));
    } else {
      TB_ASSIGN_OR_RETURN(rows, tx.Query(SelectAttorneys("WHERE a.principal_account = ? "
                                                         "ORDER BY a.id DESC LIMIT 500"),
                                         {principal_account}));
    }
    TB_ASSIGN_OR_RETURN(out, ReadAttorneys(rows));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Attorney>> AttorneyService::ListReceived(int64_t agent_account) {
  std::vector<Attorney> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query(SelectAttorneys("WHERE a.agent_account = ? "
                                                            "ORDER BY a.id DESC LIMIT 500"),
                                            {agent_account}));
    TB_ASSIGN_OR_RETURN(out, ReadAttorneys(rows));
    return Status::Ok();
  }));
  return out;
}

Result<Attorney> AttorneyService::Get(int64_t id, int64_t viewer) {
  std::optional<Attorney> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(SelectAttorneys("WHERE a.id = ?"), {id}));
    if (!row) return Status::Ok();
    TB_ASSIGN_OR_RETURN(Attorney a, ReadAttorney(*row));
    if (a.principal_account == viewer || a.agent_account == viewer) out = std::move(a);
    return Status::Ok();
  }));
  if (!out) return Status::NotFound("power of attorney", std::to_string(id));
  return *std::move(out);
}

Result<Attorney> AttorneyService::Revoke(int64_t id, int64_t principal_account, int64_t by_account,
                                         std::optional<AttorneyKind> kind) {
  const int64_t now = NowSeconds();
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT principal_account, kind, revoked_at FROM attorneys "
                                              "WHERE id = ?",
                                              {id}));
    if (!row || row->Int64(0) != principal_account || (kind && row->Text(1) != AttorneyKindName(*kind))) {
      return Status::NotFound("power of attorney", std::to_string(id));
    }
    if (!row->IsNull(2)) return Status::FailedPrecondition("this power of attorney is already withdrawn");
    return tx.Exec("UPDATE attorneys SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
                   {now, by_account, id})
        .status();
  }));
  spdlog::info("attorney {} withdrawn by account {}", id, by_account);
  return Get(id, principal_account);
}

Result<Acting> AttorneyService::Act(int64_t attorney_id, int64_t agent_account, std::string_view route_scope,
                                    std::string_view operation, std::string_view method,
                                    const std::function<bool(Role)>& admits) {
  const int64_t now = NowSeconds();
  Acting acting;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(
        auto row, tx.QueryRow("SELECT a.agent_account, a.principal_account, a.scopes, a.valid_from, "
                              "a.valid_until, a.revoked_at, p.role, p.subject_id, g.display_name "
                              "FROM attorneys a JOIN accounts p ON p.id = a.principal_account "
                              "JOIN accounts g ON g.id = a.agent_account WHERE a.id = ?",
                              {attorney_id}));
    if (!row || row->Int64(0) != agent_account) {
      return Status::PermissionDenied("X-Act-For: you hold no power of attorney " +
                                      std::to_string(attorney_id));
    }
    if (!row->IsNull(5)) {
      return Status::PermissionDenied("the power of attorney was withdrawn on " + DateText(row->Int64(5)));
    }
    if (now < row->Int64(3)) {
      return Status::PermissionDenied("the power of attorney is in force from " + DateText(row->Int64(3)));
    }
    if (now >= row->Int64(4)) {
      return Status::PermissionDenied("the power of attorney expired on " + DateText(row->Int64(4) - 1));
    }
    acting.scopes = SplitScopes(row->Text(2));
    if (std::none_of(acting.scopes.begin(), acting.scopes.end(),
                     [&](const std::string& a) { return ScopeCovers(a, route_scope); })) {
      return Status::PermissionDenied("the power of attorney does not cover " + std::string(route_scope));
    }
    acting.principal_account = row->Int64(1);
    TB_ASSIGN_OR_RETURN(acting.principal_role, ParseRole(row->Text(6)));
    if (admits && !admits(acting.principal_role)) {
      return Status::PermissionDenied("the person you act for may not call this endpoint");
    }
    const std::string subject(row->Text(7));
    const std::string agent_name(row->Text(8));
    TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO attorney_uses (attorney_id, principal_account, agent_account, "
                               "operation, method, act_scope, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               {attorney_id, acting.principal_account, agent_account, operation, method,
                                route_scope, now})
                           .status());
    if (subject.empty()) return Status::Ok();
    // At most once per attorney per China day: the hub delivers an event id once.
    const std::string day = DateText(now);
    return notify::Enqueue(tx,
                           {.event_id = "attorney.used:" + std::to_string(attorney_id) + ":" + day,
                            .recipient = subject,
                            .template_id = "attorney.used",
                            .vars = {{"agent", agent_name}, {"action", ScopeLabelZh(route_scope)}}},
                           now);
  });
  if (!s.ok()) return s;
  return acting;
}

Result<std::vector<AttorneyUse>> AttorneyService::Uses(int64_t principal_account, int limit) {
  std::vector<AttorneyUse> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT u.id, u.attorney_id, u.principal_account, u.agent_account, "
                                 "g.display_name, u.operation, u.method, u.act_scope, u.at FROM attorney_uses u "
                                 "JOIN accounts g ON g.id = u.agent_account WHERE u.principal_account = ? "
                                 "ORDER BY u.id DESC LIMIT ?",
                                 {principal_account, std::clamp(limit, 1, 500)}));
    for (const auto& r : rows) {
      out.push_back({.id = r.Int64(0),
                     .attorney_id = r.Int64(1),
                     .principal_account = r.Int64(2),
                     .agent_account = r.Int64(3),
                     .agent_name = std::string(r.Text(4)),
                     .operation = std::string(r.Text(5)),
                     .method = std::string(r.Text(6)),
                     .act_scope = std::string(r.Text(7)),
                     .at = r.Int64(8)});
    }
    return Status::Ok();
  }));
  return out;
}

Result<Guardianship> AttorneyService::RecordGuardianship(const NewGuardianship& request, int64_t admin_account) {
  const int64_t now = NowSeconds();
  std::vector<FieldError> errors;
  std::optional<CitizenId> child;
  if (auto id = CitizenId::Parse(request.child_subject, clock_, "/child_id"); id.ok()) {
    child = *id;
    if (now >= AdultAt(child->birth_date())) errors.push_back({"/child_id", "is not a minor's (18 or older)"});
  } else {
    errors.push_back({"/child_id", "must be the child's citizen ID number"});
  }
  if (request.child_name.empty() || request.child_name.size() > 100) {
    errors.push_back({"/child_name", "is required (at most 100 bytes)"});
  }
  if (request.relation != "parent" && request.relation != "other") {
    errors.push_back({"/relation", "must be parent or other"});
  }
  if (request.evidence.empty() || request.evidence.size() > 200) {
    errors.push_back({"/evidence", "say what proves the relation (at most 200 bytes)"});
  }
  Guardianship g;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    std::vector<FieldError> found = errors;
    TB_ASSIGN_OR_RETURN(auto guardian, tx.QueryRow("SELECT id, role, display_name, subject_id FROM accounts "
                                                   "WHERE login = ?",
                                                   {request.guardian_login}));
    if (!guardian || guardian->Text(1) != "citizen") {
      found.push_back({"/guardian_login", "must be a citizen's login"});
    } else if (child && guardian->Text(3) == child->RevealFullNumber()) {
      found.push_back({"/child_id", "is the guardian's own"});
    }
    if (!found.empty()) {
      Status invalid = Status::InvalidArgument("the guardianship record is not valid");
      return Status::InvalidArgument(invalid.message(), std::move(found));
    }
    g = Guardianship{};
    g.guardian_account = guardian->Int64(0);
    g.guardian_name = std::string(guardian->Text(2));
    g.child_subject = child->RevealFullNumber();
    g.child_name = request.child_name;
    g.relation = request.relation;
    g.evidence = request.evidence;
    g.approved_by = admin_account;
    g.approved_at = now;
    TB_ASSIGN_OR_RETURN(auto existing, tx.QueryRow("SELECT id FROM accounts WHERE subject_id = ? AND role = "
                                                   "'citizen' ORDER BY id LIMIT 1",
                                                   {g.child_subject}));
    if (existing) {
      g.child_account = existing->Int64(0);
    } else {
      // The child has no account yet: one without a password (no one logs in with it) is the
      // principal the guardian acts for; a later real-name login links to it by subject ID.
      const std::string login =
          "minor-" + crypto::ToHex(crypto::Hash(crypto::HashAlgorithm::kSha256, g.child_subject)).substr(0, 16);
      TB_ASSIGN_OR_RETURN(g.child_account,
                          tx.InsertReturningId("INSERT INTO accounts (login, role, display_name, subject_id, "
                                               "department, region_code, password_hash, created_at) VALUES "
                                               "(?, 'citizen', ?, ?, '', ?, NULL, ?) RETURNING id",
                                               {login, g.child_name, g.child_subject,
                                                child->region_code().ToString(), now}));
    }
    std::vector<std::string> all;
    for (const ActScope& sc : ActScopes()) {
      if (!sc.name.ends_with(':')) all.emplace_back(sc.name);
    }
    TB_ASSIGN_OR_RETURN(
        g.attorney_id,
        tx.InsertReturningId("INSERT INTO attorneys (kind, principal_account, agent_account, scopes, valid_from, "
                             "valid_until, created_at, created_by, created_via) VALUES ('guardian', ?, ?, ?, ?, "
                             "?, ?, ?, 'guardianship') RETURNING id",
                             {g.child_account, g.guardian_account, JoinScopes(all), now,
                              AdultAt(child->birth_date()), now, admin_account}));
    auto id = tx.InsertReturningId("INSERT INTO guardianships (guardian_account, child_subject, child_name, "
                                   "child_account, relation, evidence, approved_by, approved_at, attorney_id) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                   {g.guardian_account, g.child_subject, g.child_name, g.child_account,
                                    g.relation, g.evidence, admin_account, now, g.attorney_id});
    if (!id.ok() && id.status().code() == ErrorCode::kAlreadyExists) {
      return Status::AlreadyExists("this guardian is already recorded for this child");
    }
    if (!id.ok()) return id.status();
    g.id = *id;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  spdlog::info("guardianship {} recorded by account {}: guardian account {}, child account {}", g.id,
               admin_account, g.guardian_account, g.child_account);
  return g;
}

Result<Attorney> AttorneyService::EndGuardianship(int64_t id, int64_t admin_account) {
  int64_t attorney = 0, child = 0;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT attorney_id, child_account FROM guardianships WHERE id = ?", {id}));
    if (!row) return Status::NotFound("guardianship", std::to_string(id));
    attorney = row->Int64(0);
    child = row->Int64(1);
    return Status::Ok();
  }));
  spdlog::info("guardianship {} ended by account {}", id, admin_account);
  return Revoke(attorney, child, admin_account, AttorneyKind::kGuardian);
}

Result<std::vector<Guardianship>> AttorneyService::ListGuardianships() {
  std::vector<Guardianship> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows,
                        tx.Query("SELECT s.id, s.guardian_account, g.display_name, s.child_subject, s.child_name, "
                                 "s.child_account, s.relation, s.evidence, s.approved_by, s.approved_at, "
                                 "s.attorney_id FROM guardianships s JOIN accounts g ON g.id = s.guardian_account "
                                 "ORDER BY s.id DESC LIMIT 500"));
    for (const auto& r : rows) {
      out.push_back({.id = r.Int64(0),
                     .guardian_account = r.Int64(1),
                     .guardian_name = std::string(r.Text(2)),
                     .child_subject = std::string(r.Text(3)),
                     .child_name = std::string(r.Text(4)),
                     .child_account = r.Int64(5),
                     .relation = std::string(r.Text(6)),
                     .evidence = std::string(r.Text(7)),
                     .approved_by = r.Int64(8),
                     .approved_at = r.Int64(9),
                     .attorney_id = r.Int64(10)});
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace tongban::identity
