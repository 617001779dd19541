// The PostgreSQL driver (libpq).
// Over ~700 lines on purpose: it is the whole driver (pool, statement cache, parameter and result
// conversion, errors mapped to Status, batches), kept in one translation unit so that libpq's
// headers and its text/binary conventions stay in this file alone (store/drivers.h is the seam).
//
// A pool of connections, opened on demand up to pool_size. Each connection caches its prepared
// statements by SQL text (named "tb1", "tb2", ...). Parameters go in text format except blobs
// (binary bytea); results come back in text format and are converted by column type.
// Write transactions run at SERIALIZABLE by default (or READ COMMITTED with
// `?isolation=read_committed`); readers at REPEATABLE READ READ ONLY, one snapshot per
// transaction. Serialization failures (40001) and deadlocks (40P01) mark the transaction
// retryable; Database::Transact runs it again.
// A Batch of a plain `INSERT INTO t (a, b) VALUES (?, ?)` streams its rows with COPY FROM STDIN
// (text format); any other statement uses libpq's pipeline mode: rows are sent without waiting
// and synced every kSyncEvery rows, one round trip per sync instead of one per row.
#include <libpq-fe.h>

#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/drivers.h"
#include "store/sql_rewrite.h"

namespace tongban::store::internal {
namespace {

constexpr int kSyncEvery = 1000;
constexpr size_t kMaxCachedStatements = 1000;
constexpr Oid kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kBoolOid = 16, kByteaOid = 17;

struct Error {
  Status status;
  bool retryable = false;
};

Error PgError(PGconn* conn, const PGresult* res, std::string_view sql) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state != nullptr ? state : "";
  std::string text = res != nullptr ? PQresultErrorMessage(res) : "";
  if (text.empty() && conn != nullptr) text = PQerrorMessage(conn);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string detail = "postgresql: " + text + (code.empty() ? "" : " [" + code + "]");
  if (!sql.empty()) detail += " in: " + std::string(sql.substr(0, 300));
  if (code == "40001" || code == "40P01") {
    return {Status::Unavailable("database busy: transaction conflict").WithDetail(detail), true};
  }
  if (code == "23505") return {Status::AlreadyExists("duplicate key").WithDetail(detail)};
  if (code.starts_with("23")) {
    return {Status::FailedPrecondition("constraint violated").WithDetail(detail)};
  }
  if (code.starts_with("22")) {
    return {Status::InvalidArgument("value rejected by the database").WithDetail(detail)};
  }
  if (code.empty() || code.starts_with("08") || code.starts_with("53") ||
      code.starts_with("57")) {
    // No SQLSTATE: the connection itself failed.
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK || !code.empty()) {
      return {Status::Unavailable("database unavailable").WithDetail(detail)};
    }
  }
  return {Status::Internal("database error").WithDetail(detail)};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void ReadRows(const PGresult* res, std::vector<Row>& rows) {
  int nrows = PQntuples(res), ncols = PQnfields(res);
  rows.reserve(rows.size() + nrows);
  for (int r = 0; r < nrows; ++r) {
    Row& row = rows.emplace_back();
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(res, r, c)) {
        row.AddNull();
        continue;
      }
      const char* v = PQgetvalue(res, r, c);
      int len = PQgetlength(res, r, c);
      switch (PQftype(res, c)) {
        case kInt8Oid:
        case kInt4Oid:
        case kInt2Oid: {
          int64_t x = 0;
          std::from_chars(v, v + len, x);
          row.AddInt64(x);
          break;
        }
        case kBoolOid:
          row.AddInt64(len > 0 && v[0] == 't' ? 1 : 0);
          break;
        case kByteaOid: {
          // Text output of bytea is hex: \x0a1b...
          std::string bytes;
          if (len >= 2 && v[0] == '\\' && v[1] == 'x') {
            bytes.reserve((len - 2) / 2);
            for (int i = 2; i + 1 < len; i += 2) {
              bytes.push_back(static_cast<char>(HexValue(v[i]) * 16 + HexValue(v[i + 1])));
            }
          }
          row.AddBlob(std::move(bytes));
          break;
        }
        default:
          row.AddText(std::string_view(v, len));
      }
    }
  }
}

struct Prepared {
  std::string name;
  int nparams = 0;
};

// libpq takes text parameters as C strings: a NUL byte would silently cut the value short (a
// login "admin\0x" would be looked up as "admin"). Such a value is refused instead.
Status CheckTextParams(Params params) {
  for (const Param& p : params) {
    if (p.kind() == Param::Kind::kText && p.bytes().find('\0') != std::string_view::npos) {
      return Status::InvalidArgument("a text value contains a NUL byte");
    }
  }
  return Status::Ok();
}

// Text-format parameter values for one execution; reused to avoid allocations.
struct ParamBuffers {
  std::vector<std::string> text;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;

  void Fill(Params params) {
    size_t n = params.size();
    if (text.size() < n) text.resize(n);
    values.assign(n, nullptr);
    lengths.assign(n, 0);
    formats.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      const Param& p = params[i];
      switch (p.kind()) {
        case Param::Kind::kNull:
          break;
        case Param::Kind::kInt64: {
          char buf[24];
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p.int64());
          text[i].assign(buf, end);
          values[i] = text[i].c_str();
          break;
        }
        case Param::Kind::kText:
          text[i].assign(p.bytes());  // libpq wants NUL-terminated text
          values[i] = text[i].c_str();
          break;
        case Param::Kind::kBlob:
          values[i] = p.bytes().empty() ? "" : p.bytes().data();
          lengths[i] = static_cast<int>(p.bytes().size());
          formats[i] = 1;  // binary bytea: the raw bytes
          break;
      }
    }
  }
};

class PgConn {
 public:
  explicit PgConn(PGconn* c) : conn_(c) {}
  ~PgConn() { PQfinish(conn_); }
  PGconn* get() const { return conn_; }

  // Runs a statement without parameters (BEGIN, COMMIT, scripts).
  Error Simple(std::string_view sql) {
    PGresult* res = PQexec(conn_, std::string(sql).c_str());
    ExecStatusType st = PQresultStatus(res);
    Error e;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      e = PgError(conn_, res, sql);
    }
    PQclear(res);
    return e;
  }

  // The prepared statement for `sql`, preparing it on first use.
  Result<const Prepared*> Prepare(std::string_view sql, Params params, Error* err) {
    if (auto it = cache_.find(std::string(sql)); it != cache_.end()) {
      if (it->second.nparams != static_cast<int>(params.size())) {
        *err = {Status::Internal("database error")
                    .WithDetail("statement takes " + std::to_string(it->second.nparams) +
                                " parameters, got " + std::to_string(params.size()) + ": " +
                                std::string(sql))};
        return err->status;
      }
      return &it->second;
    }
    int n = 0;
    std::string pg_sql = QuestionToDollar(sql, &n);
    if (n != static_cast<int>(params.size())) {
      *err = {Status::Internal("database error")
                  .WithDetail("statement takes " + std::to_string(n) + " parameters, got " +
                              std::to_string(params.size()) + ": " + std::string(sql))};
      return err->status;
    }
    std::vector<Oid> types(n, 0);
    for (int i = 0; i < n; ++i) {
      if (params[i].kind() == Param::Kind::kInt64) types[i] = kInt8Oid;
      if (params[i].kind() == Param::Kind::kBlob) types[i] = kByteaOid;
    }
    std::string name = "tb" + std::to_string(++counter_);
    PGresult* res = PQprepare(conn_, name.c_str(), pg_sql.c_str(), n, types.data());
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      *err = PgError(conn_, res, sql);
      PQclear(res);
      return err->status;
    }
    PQclear(res);
    auto [it, inserted] = cache_.emplace(std::string(sql), Prepared{name, n});
    return &it->second;
  }

  // Dynamic SQL would grow the cache without bound: start over when it is large. Called between
  // transactions only, when no Batch can hold one of the statements.
  void TrimCache() {
    if (cache_.size() >= kMaxCachedStatements) ForgetStatements();
  }

  void ForgetStatements() {
    (void)Simple("DEALLOCATE ALL");
    cache_.clear();
  }

  ParamBuffers& buffers() { return buffers_; }

 private:
  PGconn* conn_;
  std::unordered_map<std::string, Prepared> cache_;
  int64_t counter_ = 0;
  ParamBuffers buffers_;
};

class PgTx;

class PgBatch final : public Batch {
 public:
  PgBatch(PgTx* tx, const Prepared* stmt) : tx_(tx), stmt_(stmt) {}
  ~PgBatch() override;
  Status Add(Params params) override;
  Result<int64_t> Finish() override;
  // Sends a sync and reads every pending result.
  void Sync();

 private:
  PgTx* tx_;
  const Prepared* stmt_;
  bool in_pipeline_ = false;
  bool finished_ = false;
  int pending_ = 0;
  int64_t changed_ = 0;
  Status error_;
};


// "COPY t (a, b) FROM STDIN" for "INSERT INTO t (a, b) VALUES (?, ?)", or "" when `sql` is
// anything else (ON CONFLICT, RETURNING, expressions, ...): those go through the pipeline.
std::string CopyStatementFor(std::string_view sql) {
  auto insert = ParsePlainInsert(sql);
  if (!insert) return "";
  return "COPY " + insert->table + " (" + insert->columns + ") FROM STDIN";
}

// Appends `p` to a COPY text-format line.
void AppendCopyField(const Param& p, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (p.kind()) {
    case Param::Kind::kNull:
      out += "\\N";
      break;
    case Param::Kind::kInt64: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p.int64());
      out.append(buf, end);
      break;
    }
    case Param::Kind::kText:
      for (char c : p.bytes()) {
        switch (c) {
          case '\\': out += "\\\\"; break;
          case '\n': out += "\\n"; break;
          case '\r': out += "\\r"; break;
          case '\t': out += "\\t"; break;
          default: out.push_back(c);
        }
      }
      break;
    case Param::Kind::kBlob:
      out += "\\\\x";  // bytea hex input \x..., its backslash escaped for COPY
      for (char c : p.bytes()) {
        out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
        out.push_back(kHex[static_cast<unsigned char>(c) & 15]);
      }
      break;
  }
}

class PgCopyBatch final : public Batch {
 public:
  PgCopyBatch(PgTx* tx, std::string copy_sql, int ncols)
      : tx_(tx), copy_sql_(std::move(copy_sql)), ncols_(ncols) {}
  ~PgCopyBatch() override {
    if (!finished_) (void)Finish();
  }
  Status Add(Params params) override;
  Result<int64_t> Finish() override;

 private:
  void Flush();
  void SetError(const Error& e);

  PgTx* tx_;
  std::string copy_sql_;
  int ncols_;
  bool started_ = false;
  bool finished_ = false;
  std::string buf_;
  int64_t changed_ = 0;
  Status error_;
};

class PgTx final : public Tx {
 public:
  PgTx(PgConn* conn, bool read_only, std::function<void(bool)> release)
      : Tx(Dialect::kPostgres, read_only), conn_(conn), release_(std::move(release)) {}
  ~PgTx() override {
    if (!done_) DoRollback();
    release_(broken_);
  }

  void Fail(const Error& e) {
    NoteError(e.status, e.retryable);
    if (PQstatus(conn_->get()) != CONNECTION_OK) broken_ = true;
  }
  PgConn* conn() const { return conn_; }
  // The batch whose rows are in flight on the connection; other statements finish it first.
  void SetBatch(store::Batch* b) { batch_ = b; }
  store::Batch* batch() const { return batch_; }

 protected:
  Result<int64_t> DoExec(std::string_view sql, Params params) override {
    int64_t changed = 0;
    TB_RETURN_IF_ERROR(Run(sql, params, nullptr, &changed));
    return changed;
  }
  Result<std::vector<Row>> DoQuery(std::string_view sql, Params params) override {
    std::vector<Row> rows;
    int64_t changed = 0;
    TB_RETURN_IF_ERROR(Run(sql, params, &rows, &changed));
    return rows;
  }
  Result<std::unique_ptr<store::Batch>> DoBatch(std::string_view sql) override {
    SyncBatch();
    Error e;
    // Prepared with no parameter types: the server infers them from the statement.
    int n = 0;
    QuestionToDollar(sql, &n);
    std::vector<Param> nulls(n, Param(nullptr));
    auto stmt = conn_->Prepare(sql, Params(nulls), &e);
    if (!stmt.ok()) {
      Fail(e);
      return stmt.status();
    }
    if (auto copy = CopyStatementFor(sql); !copy.empty()) {
      return std::unique_ptr<store::Batch>(std::make_unique<PgCopyBatch>(this, copy, n));
    }
    return std::unique_ptr<store::Batch>(std::make_unique<PgBatch>(this, *stmt));
  }
  Status DoScript(std::string_view sql) override {
    SyncBatch();
    Error e = conn_->Simple(sql);
    if (!e.status.ok()) {
      Fail(e);
      return e.status;
    }
    // DDL may change the shape of tables that cached plans refer to.
    conn_->ForgetStatements();
    return Status::Ok();
  }
  Status DoCommit() override {
    SyncBatch();
    PGresult* res = PQexec(conn_->get(), "COMMIT");
    Error e;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      e = PgError(conn_->get(), res, "COMMIT");
    } else if (std::strcmp(PQcmdStatus(res), "COMMIT") != 0) {
      e = {Status::Internal("database error").WithDetail("COMMIT rolled back")};
    }
    PQclear(res);
    done_ = e.status.ok();
    if (!e.status.ok()) Fail(e);
    return e.status;
  }
  void DoRollback() override {
    if (done_) return;
    done_ = true;
    SyncBatch();
    if (PQpipelineStatus(conn_->get()) != PQ_PIPELINE_OFF) broken_ = true;
    if (broken_ || PQstatus(conn_->get()) != CONNECTION_OK) {
      broken_ = true;
      return;
    }
    if (!conn_->Simple("ROLLBACK").status.ok()) broken_ = true;
  }

 private:
  void SyncBatch() {
    if (batch_ != nullptr) (void)batch_->Finish();
  }

  Status Run(std::string_view sql, Params params, std::vector<Row>* rows, int64_t* changed) {
    SyncBatch();
    TB_RETURN_IF_ERROR(CheckTextParams(params));
    Error e;
    auto stmt = conn_->Prepare(sql, params, &e);
    if (!stmt.ok()) {
      Fail(e);
      return e.status;
    }
    ParamBuffers& b = conn_->buffers();
    b.Fill(params);
    PGresult* res = PQexecPrepared(conn_->get(), (*stmt)->name.c_str(),
                                   static_cast<int>(params.size()), b.values.data(),
                                   b.lengths.data(), b.formats.data(), 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      const char* n = PQcmdTuples(res);
      if (n != nullptr && *n != '\0') std::from_chars(n, n + std::strlen(n), *changed);
      if (rows != nullptr) ReadRows(res, *rows);
    } else {
      e = PgError(conn_->get(), res, sql);
    }
    PQclear(res);
    if (!e.status.ok()) {
      Fail(e);
      return e.status;
    }
    return Status::Ok();
  }

  PgConn* conn_;
  std::function<void(bool)> release_;
  store::Batch* batch_ = nullptr;
  bool done_ = false;
  bool broken_ = false;
};

PgBatch::~PgBatch() {
  if (!finished_) (void)Finish();
}

Status PgBatch::Add(Params params) {
  if (finished_) return Status::Internal("database error").WithDetail("Batch::Add after Finish");
  if (!error_.ok()) return error_;
  PGconn* c = tx_->conn()->get();
  if (!in_pipeline_) {
    if (tx_->batch() != nullptr && tx_->batch() != this) (void)tx_->batch()->Finish();
    if (PQenterPipelineMode(c) != 1) {
      Error e = PgError(c, nullptr, "");
      tx_->Fail(e);
      error_ = e.status;
      return error_;
    }
    in_pipeline_ = true;
    tx_->SetBatch(this);
  }
  if (static_cast<int>(params.size()) != stmt_->nparams) {
    error_ = Status::Internal("database error")
                 .WithDetail("batch statement takes " + std::to_string(stmt_->nparams) +
                             " parameters, got " + std::to_string(params.size()));
    tx_->Fail({error_});
    return error_;
  }
  if (Status s = CheckTextParams(params); !s.ok()) {
    error_ = s;
    tx_->Fail({error_});
    return error_;
  }
  ParamBuffers& b = tx_->conn()->buffers();
  b.Fill(params);
  if (PQsendQueryPrepared(c, stmt_->name.c_str(), static_cast<int>(params.size()),
                          b.values.data(), b.lengths.data(), b.formats.data(), 0) != 1) {
    Error e = PgError(c, nullptr, "");
    tx_->Fail(e);
    error_ = e.status;
    return error_;
  }
  if (++pending_ >= kSyncEvery) Sync();
  return error_;
}

void PgBatch::Sync() {
  PGconn* c = tx_->conn()->get();
  if (!in_pipeline_) return;
  if (PQpipelineSync(c) != 1) {
    Error e = PgError(c, nullptr, "");
    if (error_.ok()) error_ = e.status;
    tx_->Fail(e);
    return;
  }
  // Each query's results end with a NULL; the sync's own result ends the round.
  int nulls = 0;
  for (;;) {
    PGresult* res = PQgetResult(c);
    if (res == nullptr) {
      if (PQstatus(c) != CONNECTION_OK || ++nulls > pending_ + 1) {
        Error e = PgError(c, nullptr, "");
        if (error_.ok()) error_ = e.status;
        tx_->Fail(e);
        break;
      }
      continue;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_PIPELINE_SYNC) {
      PQclear(res);
      break;
    }
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      const char* n = PQcmdTuples(res);
      int64_t k = 0;
      if (n != nullptr && *n != '\0') std::from_chars(n, n + std::strlen(n), k);
      changed_ += k;
    } else if (st != PGRES_PIPELINE_ABORTED && error_.ok()) {
      Error e = PgError(c, res, "batch");
      error_ = e.status;
      tx_->Fail(e);
    }
    PQclear(res);
  }
  pending_ = 0;
}

Result<int64_t> PgBatch::Finish() {
  if (finished_) {
    if (!error_.ok()) return error_;
    return changed_;
  }
  finished_ = true;
  if (in_pipeline_) {
    Sync();
    PGconn* c = tx_->conn()->get();
    if (PQexitPipelineMode(c) != 1 && error_.ok()) {
      Error e = PgError(c, nullptr, "");
      error_ = e.status;
      tx_->Fail(e);
    }
    in_pipeline_ = false;
  }
  if (tx_->batch() == this) tx_->SetBatch(nullptr);
  if (!error_.ok()) return error_;
  return changed_;
}

void PgCopyBatch::SetError(const Error& e) {
  if (error_.ok()) error_ = e.status;
  tx_->Fail(e);
}

Status PgCopyBatch::Add(Params params) {
  if (finished_) return Status::Internal("database error").WithDetail("Batch::Add after Finish");
  if (!error_.ok()) return error_;
  if (static_cast<int>(params.size()) != ncols_) {
    SetError({Status::Internal("database error")
                  .WithDetail("batch statement takes " + std::to_string(ncols_) +
                              " parameters, got " + std::to_string(params.size()))});
    return error_;
  }
  if (!started_) {
    if (tx_->batch() != nullptr && tx_->batch() != this) (void)tx_->batch()->Finish();
    PGconn* c = tx_->conn()->get();
    PGresult* res = PQexec(c, copy_sql_.c_str());
    if (PQresultStatus(res) != PGRES_COPY_IN) {
      SetError(PgError(c, res, copy_sql_));
      PQclear(res);
      finished_ = true;
      return error_;
    }
    PQclear(res);
    started_ = true;
    tx_->SetBatch(this);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) buf_.push_back('\t');
    AppendCopyField(params[i], buf_);
  }
  buf_.push_back('\n');
  if (buf_.size() >= (256 << 10)) Flush();
  return error_;
}

void PgCopyBatch::Flush() {
  if (buf_.empty() || !error_.ok()) return;
  PGconn* c = tx_->conn()->get();
  if (PQputCopyData(c, buf_.data(), static_cast<int>(buf_.size())) != 1) {
    SetError(PgError(c, nullptr, copy_sql_));
  }
  buf_.clear();
}

Result<int64_t> PgCopyBatch::Finish() {
  if (finished_) {
    if (!error_.ok()) return error_;
    return changed_;
  }
  finished_ = true;
  if (started_) {
    Flush();
    PGconn* c = tx_->conn()->get();
    if (PQputCopyEnd(c, error_.ok() ? nullptr : "batch failed") != 1) {
      SetError(PgError(c, nullptr, copy_sql_));
    }
    // The COPY's own result, then NULL.
    while (PGresult* res = PQgetResult(c)) {
      ExecStatusType st = PQresultStatus(res);
      if (st == PGRES_COMMAND_OK) {
        const char* n = PQcmdTuples(res);
        if (n != nullptr && *n != '\0') std::from_chars(n, n + std::strlen(n), changed_);
      } else {
        SetError(PgError(c, res, copy_sql_));
      }
      PQclear(res);
      if (st == PGRES_COPY_IN) break;  // cannot happen after PQputCopyEnd; do not spin
    }
  }
  if (tx_->batch() == this) tx_->SetBatch(nullptr);
  if (!error_.ok()) return error_;
  return changed_;
}

class PgDatabase final : public Database {
 public:
  PgDatabase(const DatabaseOptions& options, std::string conninfo, std::string schema,
             bool read_committed)
      : Database(Dialect::kPostgres, options),
        conninfo_(std::move(conninfo)),
        schema_(std::move(schema)),
        read_committed_(read_committed),
        max_(options.pool_size > 0 ? options.pool_size : 8) {}

  // Opens the first connection now, so a wrong URL or an unreachable server fails at start.
  Status Init() {
    TB_ASSIGN_OR_RETURN(auto conn, Connect(true));
    idle_.push_back(std::move(conn));
    total_ = 1;
    return Status::Ok();
  }

 protected:
  Result<std::unique_ptr<Tx>> Begin(bool read_only) override {
    std::unique_ptr<PgConn> conn;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !idle_.empty() || total_ < max_; });
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++total_;
      }
    }
    if (conn == nullptr) {
      auto made = Connect(false);
      if (!made.ok()) {
        Give(nullptr);
        return made.status();
      }
      conn = std::move(made).value();
    }
    conn->TrimCache();
    const char* begin = read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                        : read_committed_ ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                          : "BEGIN ISOLATION LEVEL SERIALIZABLE";
    Error e = conn->Simple(begin);
    if (!e.status.ok()) {
      Give(nullptr);  // a connection that cannot BEGIN is dropped; the next Begin reconnects
      return e.status;
    }
    PgConn* raw = conn.release();
    auto release = [this, raw](bool broken) {
      if (broken) {
        delete raw;
        Give(nullptr);
      } else {
        Give(std::unique_ptr<PgConn>(raw));
      }
    };
    return std::unique_ptr<Tx>(std::make_unique<PgTx>(raw, read_only, release));
  }

 private:
  // Returns a connection to the pool, or (nullptr) gives up a pool slot.
  void Give(std::unique_ptr<PgConn> conn) {
    std::lock_guard g(mu_);
    if (conn != nullptr) {
      idle_.push_back(std::move(conn));
    } else {
      --total_;
    }
    cv_.notify_one();
  }

  Result<std::unique_ptr<PgConn>> Connect(bool first) {
    PGconn* c = PQconnectdb(conninfo_.c_str());
    auto conn = std::make_unique<PgConn>(c);
    if (c == nullptr || PQstatus(c) != CONNECTION_OK) {
      std::string msg = c != nullptr ? PQerrorMessage(c) : "out of memory";
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      return Status::Unavailable("cannot connect to the database").WithDetail("postgresql: " + msg);
    }
    // Server notices ("relation already exists, skipping") are not errors: drop them.
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    std::string setup = "SET client_encoding TO 'UTF8';";
    if (!schema_.empty()) {
      if (first) setup += "CREATE SCHEMA IF NOT EXISTS \"" + schema_ + "\";";
      setup += "SET search_path TO \"" + schema_ + "\";";
    }
    Error e = conn->Simple(setup);
    if (!e.status.ok()) return e.status;
    return conn;
  }

  const std::string conninfo_;
  const std::string schema_;
  const bool read_committed_;
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  int total_ = 0;  // connections open or being opened
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& conninfo,
                                               const std::map<std::string, std::string>& params,
                                               const DatabaseOptions& options) {
  DatabaseOptions opts = options;
  std::map<std::string, std::string> rest = params;
  TB_RETURN_IF_ERROR(TakeCommonParams(rest, opts));
  std::string schema;
  if (auto it = rest.find("schema"); it != rest.end()) {
    schema = it->second;
    bool ok = !schema.empty() && schema.size() < 64 && !isdigit(static_cast<unsigned char>(schema[0]));
    for (char ch : schema) ok = ok && (islower(static_cast<unsigned char>(ch)) ||
                                       isdigit(static_cast<unsigned char>(ch)) || ch == '_');
    if (!ok) return Status::InvalidArgument("bad database URL: schema must match [a-z_][a-z0-9_]*");
    rest.erase(it);
  }
  bool read_committed = false;
  if (auto it = rest.find("isolation"); it != rest.end()) {
    if (it->second != "serializable" && it->second != "read_committed") {
      return Status::InvalidArgument(
          "bad database URL: isolation must be serializable or read_committed");
    }
    read_committed = it->second == "read_committed";
    rest.erase(it);
  }
  if (!rest.empty()) {
    return Status::InvalidArgument("bad database URL: unknown parameter " + rest.begin()->first);
  }
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &err);
  if (parsed == nullptr) {
    std::string msg = err != nullptr ? err : "cannot parse";
    PQfreemem(err);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Status::InvalidArgument("bad database URL").WithDetail("libpq: " + msg);
  }
  PQconninfoFree(parsed);
  auto db = std::make_unique<PgDatabase>(opts, conninfo, schema, read_committed);
  TB_RETURN_IF_ERROR(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace tongban::store::internal
