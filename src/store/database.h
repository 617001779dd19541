// A Database is Tongban's SQL storage: one interface over SQLite (embedded, the default) and
// PostgreSQL (server), chosen by URL. Callers run their work in transactions:
//
//   Status s = db->Transact([&](store::Tx& tx) -> Status {
//     TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec(
//         "UPDATE receipt SET claimed_fen = ? WHERE no = ? AND claimed_fen = 0", {total, no}));
//     if (n == 0) return Status::Conflict("receipt already claimed");
//     return ledger_queue.Enqueue(tx, entry);     // commits together, or not at all
//   });
//
// SQL is written once for both drivers with `?` placeholders (the PostgreSQL driver rewrites them
// to $1, $2, ... outside string literals, quoted identifiers and comments). Keep to the common
// subset of the two dialects; where they differ (DDL mostly), branch on tx.dialect() or give a
// Migration per-dialect text. See docs/store.md.
//
// Thread-safety: a Database is thread-safe; a Tx (and a Batch made from it) belongs to the one
// thread running the transaction function and must not escape it.
// Ownership: Open() returns the owner; every Tx and Batch is only valid inside Transact()/Read().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/param.h"
#include "store/row.h"

namespace tongban::store {

enum class Dialect { kSqlite, kPostgres };
std::string_view DialectName(Dialect d);  // "sqlite" / "postgresql"

// Settings a program may choose in code. max_attempts, pool_size and busy_timeout (as
// busy_timeout_ms) can also be set by URL query parameters, which win; see docs/store.md.
struct DatabaseOptions {
  // Transactions failing with a retryable error (SQLITE_BUSY, PostgreSQL 40001/40P01) are run
  // again up to this many times in all, with exponential backoff and jitter between attempts.
  int max_attempts = 16;
  std::chrono::milliseconds initial_backoff{1};
  std::chrono::milliseconds max_backoff{100};
  // SQLite: how long one statement waits for a lock held by another connection (busy_timeout).
  std::chrono::milliseconds busy_timeout{5000};
  // Reader connections (SQLite) / connections in the pool (PostgreSQL). 0 picks the default
  // (SQLite 4, PostgreSQL 8). PostgreSQL connections are opened on demand up to this number.
  int pool_size = 0;

  // For tests of failure paths (leveldb's ErrorEnv, per Database, never global): called with
  // "BEGIN" before a transaction starts, with the SQL text before every statement (Exec, Query,
  // PrepareBatch, ExecScript), with "COMMIT" before committing and with "COMMITTED" after a
  // successful commit. A non-OK status is returned as if the database had failed there: at
  // "BEGIN" or a statement it fails the transaction (kUnavailable counts as retryable, like
  // SQLITE_BUSY); at "COMMIT" nothing is committed; at "COMMITTED" the data IS committed but
  // Transact returns the error (a lost acknowledgement). Must be thread-safe. Empty in production.
  std::function<Status(std::string_view point)> fault_hook;
};

// Counters for /metrics and tests. Monotonic since Open().
struct DatabaseStats {
  int64_t transactions = 0;  // committed
  int64_t retries = 0;       // attempts run again after a retryable error
  int64_t failures = 0;      // transactions that ended in an error (after retries)
};

class Tx;

// One prepared statement run many times inside one transaction (bulk inserts):
//   TB_ASSIGN_OR_RETURN(auto batch, tx.PrepareBatch("INSERT INTO leaf(idx, hash) VALUES (?, ?)"));
//   for (...) TB_RETURN_IF_ERROR(batch->Add({idx, Param::Blob(hash)}));
//   TB_RETURN_IF_ERROR(batch->Finish());
// SQLite runs each Add() at once. PostgreSQL streams a plain `INSERT INTO t (cols) VALUES (?, ...)`
// with COPY and pipelines any other statement, learning outcomes later, so an error may be
// reported by a later Add() or only by Finish(). Either way the error fails the transaction: a
// batch is all or nothing. Only for statements that return no rows.
// REQUIRES: used by the thread of its Tx, finished (or destroyed) before the Tx's function returns.
// Running other statements on the Tx while a Batch is open is allowed: the batch is synced first.
class Batch {
 public:
  virtual ~Batch() = default;
  virtual Status Add(Params params) = 0;
  // Waits for every added row; returns the total number of rows changed.
  virtual Result<int64_t> Finish() = 0;
};

// A transaction in progress. Handed to the function given to Database::Transact()/Read().
// After any statement fails, the transaction is failed: return the error from the function
// (the transaction is rolled back, and run again if the error was retryable).
class Tx {
 public:
  virtual ~Tx() = default;
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  Dialect dialect() const { return dialect_; }
  bool read_only() const { return read_only_; }

  // Runs one statement (prepared and cached per connection); returns the number of rows changed.
  // Errors: kAlreadyExists (unique key), kFailedPrecondition (foreign key, CHECK, NOT NULL),
  // kUnavailable (busy, serialization failure, deadlock: return it and Transact retries; or the
  // connection was lost: not retried; lost during COMMIT, the outcome is unknown),
  // kInvalidArgument (a value the database rejects), kInternal (bad SQL: our bug).
  Result<int64_t> Exec(std::string_view sql, Params params = {});
  // Runs a query and returns all its rows.
  Result<std::vector<Row>> Query(std::string_view sql, Params params = {});
  // The first row of a query, or nullopt when it returns none.
  Result<std::optional<Row>> QueryRow(std::string_view sql, Params params = {});
  // Runs an INSERT written with `RETURNING <id column>` (both SQLite >= 3.35 and PostgreSQL
  // accept it) and returns that column of the inserted row.
  Result<int64_t> InsertReturningId(std::string_view sql, Params params = {});
  // Prepares `sql` for many executions; see Batch.
  Result<std::unique_ptr<Batch>> PrepareBatch(std::string_view sql);
  // Runs several `;`-separated statements without parameters (migrations, DDL). Not cached.
  Status ExecScript(std::string_view sql);

  // The transaction has failed (a statement returned an error); it can only be rolled back.
  bool failed() const { return failed_; }
  // The failure is a transient conflict (busy / serialization / deadlock): Transact retries.
  bool retryable() const { return retryable_; }

 protected:
  Tx(Dialect dialect, bool read_only) : dialect_(dialect), read_only_(read_only) {}

  virtual Result<int64_t> DoExec(std::string_view sql, Params params) = 0;
  virtual Result<std::vector<Row>> DoQuery(std::string_view sql, Params params) = 0;
  virtual Result<std::unique_ptr<Batch>> DoBatch(std::string_view sql) = 0;
  virtual Status DoScript(std::string_view sql) = 0;
  virtual Status DoCommit() = 0;
  virtual void DoRollback() = 0;

  // Drivers call this for every error, including those reported by a Batch.
  void NoteError(const Status& /*s*/, bool retryable) {
    failed_ = true;
    retryable_ = retryable_ || retryable;
  }

 private:
  friend class Database;
  // Runs the fault hook at `point`; a non-OK result fails the transaction.
  Status Inject(std::string_view point);

  Dialect dialect_;
  const std::function<Status(std::string_view)>* hook_ = nullptr;
  bool read_only_;
  bool failed_ = false;
  bool retryable_ = false;
};

class Database {
 public:
  // Opens a database by URL:
  //   sqlite:///abs/path/tongban.db      absolute path (created if missing; its folder must exist)
  //   sqlite://relative/tongban.db       relative to the working directory
  //   sqlite::memory:                    private in-memory database (tests)
  //   postgresql://user@host:port/db?... any libpq URI (postgres:// too)
  // plus driver parameters in the query string (docs/store.md), e.g. ?pool_size=16.
  // Errors: kInvalidArgument for a malformed URL, unknown parameter or missing folder;
  // kUnavailable when the server cannot be reached or the file cannot be opened.
  static Result<std::unique_ptr<Database>> Open(std::string_view url,
                                                const DatabaseOptions& options = {});

  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const { return dialect_; }

  // Runs `fn` in a read-write transaction and commits when it returns OK. On an error from `fn`
  // or from COMMIT the transaction is rolled back; if the error is retryable (SQLITE_BUSY,
  // PostgreSQL serialization failure 40001 or deadlock 40P01) the whole function runs again
  // (up to max_attempts), so `fn` must have no side effects outside `tx` other than ones that
  // are safe to repeat. Isolation is serializable on both drivers (docs/store.md).
  // Returns the last error, or OK. kUnavailable after retries are exhausted.
  // REQUIRES: not called from inside another Transact/Read function on the same thread (it would
  // wait for the connection the outer transaction holds). Pass the Tx down instead.
  Status Transact(const std::function<Status(Tx&)>& fn);

  // Runs `fn` in a read-only transaction that sees one consistent snapshot. Readers never wait
  // for the writer (SQLite WAL readers / PostgreSQL MVCC). Writes inside fail.
  Status Read(const std::function<Status(Tx&)>& fn);

  DatabaseStats stats() const;

 protected:
  Database(Dialect dialect, const DatabaseOptions& options) : dialect_(dialect), options_(options) {}
  // Starts a transaction. Errors are kUnavailable when retryable (busy, pool exhausted).
  virtual Result<std::unique_ptr<Tx>> Begin(bool read_only) = 0;

  const DatabaseOptions& options() const { return options_; }

 private:
  Status Run(bool read_only, const std::function<Status(Tx&)>& fn);

  Dialect dialect_;
  DatabaseOptions options_;
  std::atomic<int64_t> committed_{0};
  std::atomic<int64_t> retries_{0};
  std::atomic<int64_t> failures_{0};
};

}  // namespace tongban::store
