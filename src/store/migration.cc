// Migrate(): bring the schema up to the versions this binary knows, one transaction per version.
#include "store/migration.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace tongban::store {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " part TEXT NOT NULL,"
    " version BIGINT NOT NULL,"
    " applied_at_ms BIGINT NOT NULL,"
    " PRIMARY KEY (part, version))";

// Serializes concurrent migrators on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
constexpr int64_t kMigrationLockKey = 0x546f6e6762616e;  // "Tongban"

// On PostgreSQL the transaction first drops to READ COMMITTED (allowed before its first query),
// so the statements after the lock see what a migrator that held the lock before committed; a
// SERIALIZABLE snapshot would be taken by the lock query itself, before the wait.
Status Lock(Tx& tx) {
  if (tx.dialect() != Dialect::kPostgres) return Status::Ok();
  TB_RETURN_IF_ERROR(tx.ExecScript("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"));
  return tx.Query("SELECT pg_advisory_xact_lock(?)", {kMigrationLockKey}).status();
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace

std::string MigrationSql(const Migration& m, Dialect dialect) {
  std::string sql = m.sql;
  if (dialect == Dialect::kSqlite && !m.sqlite_sql.empty()) sql = m.sqlite_sql;
  if (dialect == Dialect::kPostgres && !m.postgres_sql.empty()) sql = m.postgres_sql;
  bool pg = dialect == Dialect::kPostgres;
  ReplaceAll(sql, "{{id}}", pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT");
  ReplaceAll(sql, "{{blob}}", pg ? "BYTEA" : "BLOB");
  ReplaceAll(sql, "{{int64}}", pg ? "BIGINT" : "INTEGER");
  ReplaceAll(sql, "{{text}}", "TEXT");
  return sql;
}

Result<int> AppliedVersion(Database& db, std::string_view part) {
  int version = 0;
  Status s = db.Transact([&](Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(Lock(tx));
    TB_RETURN_IF_ERROR(tx.ExecScript(kCreateTable));
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE part = ?",
        {std::string(part)}));
    version = row ? static_cast<int>(row->Int64(0)) : 0;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return version;
}

Status Migrate(Database& db, const std::vector<Migration>& migrations) {
  // Check the list: per part, versions 1..n without gaps or duplicates.
  std::map<std::string, std::vector<const Migration*>> by_part;
  for (const Migration& m : migrations) {
    if (m.part.empty() || m.version < 1) {
      return Status::InvalidArgument("migration needs a part and a version >= 1");
    }
    by_part[m.part].push_back(&m);
  }
  for (auto& [part, list] : by_part) {
    std::sort(list.begin(), list.end(),
              [](const Migration* a, const Migration* b) { return a->version < b->version; });
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i]->version != static_cast<int>(i) + 1) {
        return Status::InvalidArgument("migrations of " + part +
                                       " must be numbered 1, 2, 3, ... without gaps or repeats");
      }
    }
  }

  for (const auto& entry : by_part) {
    // Named references, not structured bindings: lambdas below capture them (clang 14 cannot
    // capture structured bindings).
    const auto& part = entry.first;
    const auto& list = entry.second;
    const int known = static_cast<int>(list.size());
    for (;;) {
      // One transaction per version: read the applied version under the lock, apply the next.
      bool done = false;
      Status s = db.Transact([&](Tx& tx) -> Status {
        TB_RETURN_IF_ERROR(Lock(tx));
        TB_RETURN_IF_ERROR(tx.ExecScript(kCreateTable));
        TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE part = ?", {part}));
        int applied = row ? static_cast<int>(row->Int64(0)) : 0;
        if (applied > known) {
          return Status::FailedPrecondition(
              "the database was written by a newer Tongban: schema " + part + " is at version " +
              std::to_string(applied) + ", this binary knows up to " + std::to_string(known) +
              "; upgrade the binary");
        }
        if (applied == known) {
          done = true;
          return Status::Ok();
        }
        const Migration& m = *list[applied];
        TB_RETURN_IF_ERROR(tx.ExecScript(MigrationSql(m, tx.dialect())));
        int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        return tx
            .Exec("INSERT INTO schema_migrations (part, version, applied_at_ms) VALUES (?, ?, ?)",
                  {part, m.version, now_ms})
            .status();
      });
      if (!s.ok()) {
        if (s.code() == ErrorCode::kFailedPrecondition && s.detail().empty()) return s;
        return Status(s).WithDetail("migration " + part + ": " + s.detail());
      }
      if (done) break;
    }
  }
  return Status::Ok();
}

}  // namespace tongban::store
