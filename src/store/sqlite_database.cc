// The SQLite driver.
//
// Connections: one writer connection, used by one transaction at a time (writer_mu_), and a pool
// of reader connections (`PRAGMA query_only`). In WAL mode readers see the last committed
// snapshot and never wait for the writer. An in-memory database has one connection for both.
// Every write transaction starts with BEGIN IMMEDIATE, so it takes the database's write lock up
// front and never fails half-way with SQLITE_BUSY on an upgrade from reader to writer; several
// processes (or several Database objects on one file) wait for each other up to busy_timeout and
// then Database::Transact retries with backoff.
// Statements are prepared once per connection (SQLITE_PREPARE_PERSISTENT) and cached by SQL text.
// WAL checkpoints run on a background thread with its own connection (PASSIVE: they never block
// the writer or readers), woken by the writer's commit hook once the WAL holds kCheckpointPages;
// SQLite's automatic checkpoint would run inside the committing transaction's call, while this
// process's next writer waits (docs/store.md). Past kCheckpointHardPages the writer checkpoints
// itself, so the WAL stays bounded if the background thread falls behind.
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/drivers.h"

namespace tongban::store::internal {
namespace {

struct Error {
  Status status;
  bool retryable = false;
};

Error SqliteError(sqlite3* db, int rc, std::string_view sql) {
  int ext = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string detail = "sqlite: " + std::string(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) +
                       " (" + std::to_string(ext) + ")";
  if (!sql.empty()) detail += " in: " + std::string(sql.substr(0, 300));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {Status::Unavailable("database busy").WithDetail(detail), true};
    case SQLITE_CONSTRAINT:
      if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return {Status::AlreadyExists("duplicate key").WithDetail(detail)};
      }
      return {Status::FailedPrecondition("constraint violated").WithDetail(detail)};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return {Status::DataLoss("database file is corrupt").WithDetail(detail)};
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return {Status::Unavailable("database cannot be written").WithDetail(detail)};
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return {Status::InvalidArgument("value rejected by the database").WithDetail(detail)};
    default:
      return {Status::Internal("database error").WithDetail(detail)};
  }
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// One sqlite3 connection and its statement cache. Used by one thread at a time.
class Conn {
 public:
  ~Conn() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Conn>> Open(const std::string& path, bool reader,
                                            const DatabaseOptions& options, bool sync_full) {
    auto conn = std::make_unique<Conn>();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &conn->db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      Error e = SqliteError(conn->db_, rc, "");
      return Status::Unavailable("cannot open database file").WithDetail(e.status.detail() +
                                                                         " path: " + path);
    }
    sqlite3_extended_result_codes(conn->db_, 1);
    sqlite3_busy_timeout(conn->db_, static_cast<int>(options.busy_timeout.count()));
    std::string pragmas = "PRAGMA foreign_keys = ON;";
    // The writer's page cache holds a large transaction's dirty pages (64 MiB instead of SQLite's
    // 2 MiB default): a 1,000-receipt batch no longer spills pages to the WAL mid-transaction.
    // Pages are allocated only as they are used.
    if (!reader) pragmas += "PRAGMA cache_size = -65536;";
    if (reader) {
      pragmas += "PRAGMA query_only = ON;";
    } else if (path != ":memory:") {
      // WAL: readers do not block the writer nor the writer readers. synchronous=NORMAL in WAL
      // mode never corrupts the database; a power loss may lose the last transactions committed
      // before the next checkpoint (docs/store.md). `?synchronous=full` fsyncs every commit.
      pragmas += "PRAGMA journal_mode = WAL;";
      pragmas += sync_full ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
    }
    TB_RETURN_IF_ERROR(conn->Script(pragmas).status);
    return conn;
  }

  sqlite3* db() const { return db_; }

  // Dynamic SQL would grow the cache without bound: start over when it is large. Called between
  // transactions only, when no Batch can hold one of the statements.
  void TrimCache() {
    if (cache_.size() < 1000) return;
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
  }

  Error Script(std::string_view sql) {
    std::string text(sql);
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
    return {};
  }

  // The cached statement for `sql`, reset and with no bindings.
  Result<sqlite3_stmt*> Prepare(std::string_view sql, Error* err) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) {
      *err = SqliteError(db_, rc, sql);
      return err->status;
    }
    if (stmt == nullptr || tail != sql.data() + sql.size()) {
      std::string_view rest(tail, sql.data() + sql.size() - tail);
      if (stmt == nullptr || rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
        sqlite3_finalize(stmt);
        *err = {Status::Internal("database error")
                    .WithDetail("expected exactly one SQL statement: " + std::string(sql))};
        return err->status;
      }
    }
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> cache_;
};

// Binds `params` to `stmt`. The bytes are not copied (SQLITE_STATIC): the caller resets the
// statement before the Params go out of scope.
Error Bind(sqlite3* db, sqlite3_stmt* stmt, Params params, std::string_view sql) {
  int expected = sqlite3_bind_parameter_count(stmt);
  if (expected != static_cast<int>(params.size())) {
    return {Status::Internal("database error")
                .WithDetail("statement takes " + std::to_string(expected) + " parameters, got " +
                            std::to_string(params.size()) + ": " + std::string(sql))};
  }
  static const char kEmpty[] = "";
  for (size_t i = 0; i < params.size(); ++i) {
    const Param& p = params[i];
    int idx = static_cast<int>(i) + 1;
    int rc = SQLITE_OK;
    switch (p.kind()) {
      case Param::Kind::kNull:
        rc = sqlite3_bind_null(stmt, idx);
        break;
      case Param::Kind::kInt64:
        rc = sqlite3_bind_int64(stmt, idx, p.int64());
        break;
      case Param::Kind::kText: {
        const char* data = p.bytes().empty() ? kEmpty : p.bytes().data();
        rc = sqlite3_bind_text64(stmt, idx, data, p.bytes().size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
      }
      case Param::Kind::kBlob:
        // A NULL pointer would bind SQL NULL; an empty blob is a zero-length blob.
        rc = p.bytes().empty()
                 ? sqlite3_bind_zeroblob(stmt, idx, 0)
                 : sqlite3_bind_blob64(stmt, idx, p.bytes().data(), p.bytes().size(),
                                       SQLITE_STATIC);
        break;
    }
    if (rc != SQLITE_OK) return SqliteError(db, rc, sql);
  }
  return {};
}

void ReadRow(sqlite3_stmt* stmt, Row& row) {
  int n = sqlite3_column_count(stmt);
  for (int c = 0; c < n; ++c) {
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_INTEGER:
        row.AddInt64(sqlite3_column_int64(stmt, c));
        break;
      case SQLITE_NULL:
        row.AddNull();
        break;
      case SQLITE_BLOB: {
        const void* p = sqlite3_column_blob(stmt, c);
        int len = sqlite3_column_bytes(stmt, c);
        row.AddBlob(std::string(static_cast<const char*>(p), p ? len : 0));
        break;
      }
      default: {  // TEXT, FLOAT (as its text)
        const unsigned char* p = sqlite3_column_text(stmt, c);
        int len = sqlite3_column_bytes(stmt, c);
        row.AddText(std::string_view(reinterpret_cast<const char*>(p), p ? len : 0));
        break;
      }
    }
  }
}

class SqliteDatabase;

class SqliteMultiRowBatch;

class SqliteTx final : public Tx {
 public:
  SqliteTx(Conn* conn, bool read_only, std::function<void()> release)
      : Tx(Dialect::kSqlite, read_only), conn_(conn), release_(std::move(release)) {}
  ~SqliteTx() override {
    if (!done_) DoRollback();
    release_();
  }

  // The multi-row batch whose buffered rows must be written before any other statement runs.
  void SetOpenBatch(SqliteMultiRowBatch* b) { open_batch_ = b; }
  SqliteMultiRowBatch* open_batch() const { return open_batch_; }
  Status FlushOpenBatch();

  void Fail(const Error& e) { NoteError(e.status, e.retryable); }

  // Runs `stmt` once with `params`, calling on_row for each row. Leaves stmt reset.
  template <typename OnRow>
  Status Run(sqlite3_stmt* stmt, Params params, std::string_view sql, OnRow on_row) {
    Error e = Bind(conn_->db(), stmt, params, sql);
    if (e.status.ok()) {
      for (;;) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
          on_row(stmt);
          continue;
        }
        if (rc != SQLITE_DONE) e = SqliteError(conn_->db(), rc, sql);
        break;
      }
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (!e.status.ok()) {
      Fail(e);
      return e.status;
    }
    return Status::Ok();
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    Error e;
    auto r = conn_->Prepare(sql, &e);
    if (!r.ok()) Fail(e);
    return r;
  }

  Conn* conn() const { return conn_; }

 protected:
  Result<int64_t> DoExec(std::string_view sql, Params params) override {
    TB_RETURN_IF_ERROR(FlushOpenBatch());
    TB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    TB_RETURN_IF_ERROR(Run(stmt, params, sql, [](sqlite3_stmt*) {}));
    return static_cast<int64_t>(sqlite3_changes64(conn_->db()));
  }

  Result<std::vector<Row>> DoQuery(std::string_view sql, Params params) override {
    TB_RETURN_IF_ERROR(FlushOpenBatch());
    TB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    std::vector<Row> rows;
    TB_RETURN_IF_ERROR(Run(stmt, params, sql, [&](sqlite3_stmt* s) {
      rows.emplace_back();
      ReadRow(s, rows.back());
    }));
    return rows;
  }

  Result<std::unique_ptr<store::Batch>> DoBatch(std::string_view sql) override;

  Status DoScript(std::string_view sql) override {
    TB_RETURN_IF_ERROR(FlushOpenBatch());
    Error e = conn_->Script(sql);
    if (!e.status.ok()) Fail(e);
    return e.status;
  }

  Status DoCommit() override {
    TB_RETURN_IF_ERROR(FlushOpenBatch());
    Error e = conn_->Script("COMMIT");
    if (!e.status.ok()) {
      Fail(e);
      return e.status;
    }
    done_ = true;
    return Status::Ok();
  }

  void DoRollback() override {
    if (done_) return;
    done_ = true;
    // Fails harmlessly when SQLite already rolled back (e.g. after SQLITE_FULL).
    (void)conn_->Script("ROLLBACK");
  }

 private:
  Conn* conn_;
  std::function<void()> release_;
  bool done_ = false;
  SqliteMultiRowBatch* open_batch_ = nullptr;
};

class SqliteBatch final : public Batch {
 public:
  SqliteBatch(SqliteTx* tx, sqlite3_stmt* stmt, std::string sql)
      : tx_(tx), stmt_(stmt), sql_(std::move(sql)) {}

  Status Add(Params params) override {
    TB_RETURN_IF_ERROR(tx_->Run(stmt_, params, sql_, [](sqlite3_stmt*) {}));
    changed_ += sqlite3_changes64(tx_->conn()->db());
    return Status::Ok();
  }
  Result<int64_t> Finish() override { return changed_; }

 private:
  SqliteTx* tx_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  int64_t changed_ = 0;
};

// A plain INSERT's rows, kRowsPerStatement at a time in one multi-row
// `INSERT INTO t (cols) VALUES (...), (...), ...`: a single-row statement per row costs SQLite
// ~10 k instructions of statement overhead (for an AUTOINCREMENT table also a sqlite_sequence
// update) on top of the row itself. Rows are copied when added (the caller's Params are views)
// and written when a statement's worth is buffered, before any other statement of the
// transaction runs, and at Finish (or destruction); an error fails the transaction as a
// single-row failure would.
class SqliteMultiRowBatch final : public Batch {
 public:
  SqliteMultiRowBatch(SqliteTx* tx, PlainInsert insert) : tx_(tx), insert_(std::move(insert)) {
    // SQLite's default limit is 32,766 parameters per statement.
    rows_per_statement_ = std::clamp(32766 / std::max(insert_.placeholders, 1), 1, kRowsPerStatement);
    full_sql_ = Sql(rows_per_statement_);
    tx_->SetOpenBatch(this);
  }
  ~SqliteMultiRowBatch() override {
    (void)Flush();  // an error is noted on the transaction, which then fails
    if (tx_->open_batch() == this) tx_->SetOpenBatch(nullptr);
  }

  Status Add(Params params) override {
    if (static_cast<int>(params.size()) != insert_.placeholders) {
      Status s = Status::Internal("database error")
                     .WithDetail("statement takes " + std::to_string(insert_.placeholders) +
                                 " parameters, got " + std::to_string(params.size()));
      tx_->Fail({s, false});
      return s;
    }
    for (const Param& p : params) {
      if (p.kind() == Param::Kind::kText || p.kind() == Param::Kind::kBlob) {
        const std::string& copy = owned_.emplace_back(p.bytes());
        Param q = p.kind() == Param::Kind::kText ? Param(std::string_view(copy))
                                                 : Param::Blob(std::string_view(copy));
        pending_.push_back(q);
      } else {
        pending_.push_back(p);
      }
    }
    if (++rows_ >= rows_per_statement_) return Flush();
    return Status::Ok();
  }

  Result<int64_t> Finish() override {
    TB_RETURN_IF_ERROR(Flush());
    return changed_;
  }

  Status Flush() {
    if (rows_ == 0) return Status::Ok();
    const std::string sql = rows_ == rows_per_statement_ ? full_sql_ : Sql(rows_);
    rows_ = 0;
    auto stmt = tx_->Prepare(sql);
    Status s = stmt.ok() ? tx_->Run(*stmt, Params(pending_), sql, [](sqlite3_stmt*) {})
                         : stmt.status();
    pending_.clear();
    owned_.clear();
    if (!s.ok()) return s;
    changed_ += sqlite3_changes64(tx_->conn()->db());
    return Status::Ok();
  }

 private:
  static constexpr int kRowsPerStatement = 64;

  // "INSERT INTO t (cols) VALUES (?, ?), (?, ?), ..." for `rows` rows.
  std::string Sql(int rows) const {
    std::string row = "(";
    for (int i = 0; i < insert_.placeholders; ++i) row += i == 0 ? "?" : ", ?";
    row += ")";
    std::string sql = "INSERT INTO " + insert_.table + " (" + insert_.columns + ") VALUES ";
    for (int r = 0; r < rows; ++r) {
      if (r > 0) sql += ", ";
      sql += row;
    }
    return sql;
  }

  SqliteTx* tx_;
  PlainInsert insert_;
  int rows_per_statement_ = 1;
  std::string full_sql_;
  int rows_ = 0;
  std::vector<Param> pending_;
  std::deque<std::string> owned_;  // stable addresses for pending_'s views
  int64_t changed_ = 0;
};

Status SqliteTx::FlushOpenBatch() {
  if (open_batch_ == nullptr) return Status::Ok();
  return open_batch_->Flush();
}

Result<std::unique_ptr<store::Batch>> SqliteTx::DoBatch(std::string_view sql) {
  TB_RETURN_IF_ERROR(FlushOpenBatch());
  if (auto insert = ParsePlainInsert(sql)) {
    return std::unique_ptr<store::Batch>(std::make_unique<SqliteMultiRowBatch>(this, *insert));
  }
  TB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  return std::unique_ptr<store::Batch>(std::make_unique<SqliteBatch>(this, stmt, std::string(sql)));
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const DatabaseOptions& options, bool memory)
      : Database(Dialect::kSqlite, options), memory_(memory) {}

  ~SqliteDatabase() override {
    if (checkpointer_.joinable()) {
      {
        std::lock_guard g(checkpoint_mu_);
        stopping_ = true;
      }
      checkpoint_cv_.notify_one();
      checkpointer_.join();
    }
  }

  Status Init(const std::string& path, bool sync_full) {
    TB_ASSIGN_OR_RETURN(writer_, Conn::Open(path, false, options(), sync_full));
    if (!memory_) {
      int n = options().pool_size > 0 ? options().pool_size : 4;
      for (int i = 0; i < n; ++i) {
        TB_ASSIGN_OR_RETURN(auto reader, Conn::Open(path, true, options(), sync_full));
        idle_.push_back(std::move(reader));
      }
      TB_ASSIGN_OR_RETURN(checkpoint_conn_, Conn::Open(path, false, options(), sync_full));
      sqlite3_wal_hook(writer_->db(), &SqliteDatabase::OnCommit, this);  // replaces autocheckpoint
      checkpointer_ = std::thread([this] { CheckpointLoop(); });
    }
    return Status::Ok();
  }

 protected:
  Result<std::unique_ptr<Tx>> Begin(bool read_only) override {
    if (read_only && !memory_) {
      std::unique_lock lock(pool_mu_);
      pool_cv_.wait(lock, [&] { return !idle_.empty(); });
      std::unique_ptr<Conn> conn = std::move(idle_.back());
      idle_.pop_back();
      lock.unlock();
      Conn* raw = conn.release();
      raw->TrimCache();
      // Deferred BEGIN: the snapshot is taken by the first read and held to the end.
      Error e = raw->Script("BEGIN");
      auto release = [this, raw] {
        std::lock_guard g(pool_mu_);
        idle_.emplace_back(raw);
        pool_cv_.notify_one();
      };
      if (!e.status.ok()) {
        release();
        return e.status;
      }
      return std::unique_ptr<Tx>(std::make_unique<SqliteTx>(raw, true, release));
    }
    std::unique_lock lock(writer_mu_);
    writer_->TrimCache();
    Error e = writer_->Script(read_only ? "BEGIN; PRAGMA query_only = ON;" : "BEGIN IMMEDIATE");
    if (!e.status.ok()) return e.status;  // busy: another process holds the write lock
    auto* held = new std::unique_lock<std::mutex>(std::move(lock));
    Conn* w = writer_.get();
    auto release = [held, w, read_only] {
      if (read_only) (void)w->Script("PRAGMA query_only = OFF");
      delete held;
    };
    return std::unique_ptr<Tx>(std::make_unique<SqliteTx>(w, read_only, release));
  }

 private:
  static constexpr int kCheckpointPages = 1000;        // SQLite's own autocheckpoint size
  static constexpr int kCheckpointHardPages = 65536;   // 256 MiB of 4 KiB pages

  // The writer's commit hook (sqlite3_wal_hook), with writer_mu_ held: `pages` frames are in the WAL.
  static int OnCommit(void* self, sqlite3* db, const char* schema, int pages) {
    auto* d = static_cast<SqliteDatabase*>(self);
    if (pages >= kCheckpointHardPages) {
      sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kCheckpointPages) {
      {
        std::lock_guard g(d->checkpoint_mu_);
        d->checkpoint_due_ = true;
      }
      d->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void CheckpointLoop() {
    std::unique_lock lock(checkpoint_mu_);
    for (;;) {
      checkpoint_cv_.wait(lock, [&] { return stopping_ || checkpoint_due_; });
      if (stopping_) return;
      checkpoint_due_ = false;
      lock.unlock();
      // PASSIVE: copies what no reader still needs; SQLITE_BUSY (another checkpointer) is fine.
      sqlite3_wal_checkpoint_v2(checkpoint_conn_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                nullptr, nullptr);
      lock.lock();
    }
  }

  bool memory_;
  std::unique_ptr<Conn> checkpoint_conn_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;
  bool stopping_ = false;
  std::thread checkpointer_;
  std::mutex writer_mu_;
  std::unique_ptr<Conn> writer_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                             const std::map<std::string, std::string>& params,
                                             const DatabaseOptions& options) {
  DatabaseOptions opts = options;
  std::map<std::string, std::string> rest = params;
  TB_RETURN_IF_ERROR(TakeCommonParams(rest, opts));
  bool sync_full = false;
  if (auto it = rest.find("synchronous"); it != rest.end()) {
    if (it->second != "normal" && it->second != "full") {
      return Status::InvalidArgument("bad database URL: synchronous must be normal or full");
    }
    sync_full = it->second == "full";
    rest.erase(it);
  }
  if (!rest.empty()) {
    return Status::InvalidArgument("bad database URL: unknown parameter " + rest.begin()->first);
  }
  bool memory = path == ":memory:";
  if (!memory) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
      return Status::InvalidArgument("database folder does not exist: " + dir.string());
    }
  }
  auto db = std::make_unique<SqliteDatabase>(opts, memory);
  TB_RETURN_IF_ERROR(db->Init(path, sync_full));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace tongban::store::internal
