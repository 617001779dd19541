// Versioned schema migrations. Each part owns its schema as a list of Migrations (numbered 1, 2,
// 3, ... with no gaps) returned by a plain function, e.g. `std::vector<store::Migration>
// ledger::Migrations()`; the program collects them and calls Migrate() once at start. There is no
// global registry.
//
//   std::vector<store::Migration> Migrations() {
//     return {
//       {.part = "ledger", .version = 1, .sql = R"(
//           CREATE TABLE ledger_queue (id {{id}}, entry {{blob}} NOT NULL);
//        )"},
//       {.part = "ledger", .version = 2, .sql = "CREATE INDEX ...",
//        .postgres_sql = "CREATE INDEX CONCURRENTLY ..."},   // per-dialect text where needed
//     };
//   }
//
// In migration SQL, these words are replaced per dialect:
//   {{id}}         INTEGER PRIMARY KEY AUTOINCREMENT (SQLite) / BIGSERIAL PRIMARY KEY (PostgreSQL)
//   {{blob}}       BLOB / BYTEA
//   {{int64}}      INTEGER / BIGINT
//   {{text}}       TEXT / TEXT
// Applied versions are recorded in the table `schema_migrations(part, version, applied_at)`.
// Each migration runs in its own transaction together with its schema_migrations row, so a crash
// leaves a version applied or not. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/database.h"

namespace tongban::store {

struct Migration {
  std::string part;      // e.g. "ledger"
  int version = 0;       // 1, 2, 3, ... per part
  std::string sql;       // for both dialects, unless overridden below
  std::string sqlite_sql;    // if non-empty, used on SQLite instead of `sql`
  std::string postgres_sql;  // if non-empty, used on PostgreSQL instead of `sql`
};

// The SQL of `m` for `dialect`, with the {{...}} words replaced.
std::string MigrationSql(const Migration& m, Dialect dialect);

// Applies every migration of `migrations` not yet recorded, in (part, version) order, each in its
// own transaction. Idempotent: running it again applies nothing. Safe to run concurrently from
// several processes (they serialize on the database).
// Errors: kInvalidArgument when the list has gaps or duplicates; kFailedPrecondition when the
// database holds a version of one of these parts newer than the list knows ("the database was
// written by a newer Tongban: upgrade the binary"); the migration's own error otherwise.
Status Migrate(Database& db, const std::vector<Migration>& migrations);

// The highest applied version of `part`, 0 when none.
Result<int> AppliedVersion(Database& db, std::string_view part);

}  // namespace tongban::store
