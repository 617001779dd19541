// Database::Open (URL dispatch), the transaction retry loop, and Tx's error bookkeeping.
// The drivers implement Begin() and the Do* hooks; everything that must behave the same on both
// (retries, backoff, counters, "a failed transaction is never committed") lives here.
#include "store/database.h"

#include <algorithm>
#include <charconv>
#include <random>
#include <regex>
#include <thread>

#include "store/drivers.h"

namespace tongban::store {

std::string_view DialectName(Dialect d) {
  return d == Dialect::kSqlite ? "sqlite" : "postgresql";
}

// --- Tx ---------------------------------------------------------------------------------------

Status Tx::Inject(std::string_view point) {
  if (hook_ == nullptr || !*hook_) return Status::Ok();
  Status s = (*hook_)(point);
  if (!s.ok()) NoteError(s, s.code() == ErrorCode::kUnavailable);
  return s;
}

Result<int64_t> Tx::Exec(std::string_view sql, Params params) {
  TB_RETURN_IF_ERROR(Inject(sql));
  auto r = DoExec(sql, params);
  if (!r.ok()) failed_ = true;
  return r;
}

Result<std::vector<Row>> Tx::Query(std::string_view sql, Params params) {
  TB_RETURN_IF_ERROR(Inject(sql));
  auto r = DoQuery(sql, params);
  if (!r.ok()) failed_ = true;
  return r;
}

Result<std::optional<Row>> Tx::QueryRow(std::string_view sql, Params params) {
  TB_ASSIGN_OR_RETURN(std::vector<Row> rows, Query(sql, params));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

Result<int64_t> Tx::InsertReturningId(std::string_view sql, Params params) {
  TB_ASSIGN_OR_RETURN(std::optional<Row> row, QueryRow(sql, params));
  if (!row || row->size() < 1) {
    failed_ = true;
    return Status::Internal("insert returned no id")
        .WithDetail("InsertReturningId needs `RETURNING <id>`: " + std::string(sql));
  }
  return row->Int64(0);
}

Result<std::unique_ptr<Batch>> Tx::PrepareBatch(std::string_view sql) {
  TB_RETURN_IF_ERROR(Inject(sql));
  auto r = DoBatch(sql);
  if (!r.ok()) failed_ = true;
  return r;
}

Status Tx::ExecScript(std::string_view sql) {
  TB_RETURN_IF_ERROR(Inject(sql));
  Status s = DoScript(sql);
  if (!s.ok()) failed_ = true;
  return s;
}

// --- Database ---------------------------------------------------------------------------------

Status Database::Transact(const std::function<Status(Tx&)>& fn) { return Run(false, fn); }
Status Database::Read(const std::function<Status(Tx&)>& fn) { return Run(true, fn); }

DatabaseStats Database::stats() const {
  return DatabaseStats{committed_.load(), retries_.load(), failures_.load()};
}

Status Database::Run(bool read_only, const std::function<Status(Tx&)>& fn) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int max_attempts = std::max(1, options_.max_attempts);
  auto backoff = options_.initial_backoff;
  Status last;
  for (int attempt = 1;; ++attempt) {
    bool retryable = false;
    Status injected = options_.fault_hook ? options_.fault_hook("BEGIN") : Status::Ok();
    Result<std::unique_ptr<Tx>> begun =
        injected.ok() ? Begin(read_only) : Result<std::unique_ptr<Tx>>(std::move(injected));
    if (!begun.ok()) {
      last = begun.status();
      retryable = last.code() == ErrorCode::kUnavailable;
    } else {
      std::unique_ptr<Tx> tx = std::move(begun).value();
      tx->hook_ = &options_.fault_hook;
      Status s = fn(*tx);
      if (s.ok() && tx->failed()) {
        // The function swallowed a statement error: never commit a failed transaction.
        s = Status::Internal("transaction function returned OK after a failed statement");
      }
      if (s.ok()) s = tx->Inject("COMMIT");
      if (s.ok()) s = tx->DoCommit();
      if (s.ok()) {
        committed_.fetch_add(1, std::memory_order_relaxed);
        if (options_.fault_hook) return options_.fault_hook("COMMITTED");
        return s;
      }
      retryable = tx->retryable() && s.code() == ErrorCode::kUnavailable;
      tx->DoRollback();
      last = std::move(s);
    }
    if (!retryable || attempt >= max_attempts) break;
    retries_.fetch_add(1, std::memory_order_relaxed);
    // Full jitter: sleep uniformly in [0, backoff], then double it up to the cap.
    auto ms = std::uniform_int_distribution<int64_t>(0, backoff.count() * 1000)(rng);
    std::this_thread::sleep_for(std::chrono::microseconds(ms));
    backoff = std::min(options_.max_backoff, backoff * 2);
  }
  failures_.fetch_add(1, std::memory_order_relaxed);
  return last;
}

// --- Open -------------------------------------------------------------------------------------

namespace internal {

std::optional<PlainInsert> ParsePlainInsert(std::string_view sql) {
  static const std::regex kPlainInsert(
      R"(^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_.]*)\s*\(([A-Za-z0-9_,\s]+)\)\s*VALUES\s*\(\s*\?(\s*,\s*\?)*\s*\)\s*;?\s*$)",
      std::regex::icase | std::regex::optimize);
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(sql.begin(), sql.end(), m, kPlainInsert)) return std::nullopt;
  PlainInsert out{m[1].str(), m[2].str(),
                  static_cast<int>(std::count(sql.begin(), sql.end(), '?'))};
  return out;
}

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    int v = 0;
    if (i + 2 >= s.size()) {
      return Status::InvalidArgument("database URL: bad percent escape");
    }
    auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc() || p != s.data() + i + 3) {
      return Status::InvalidArgument("database URL: bad percent escape");
    }
    out.push_back(static_cast<char>(v));
    i += 2;
  }
  return out;
}

namespace {

Result<int> ParsePositiveInt(const std::string& name, const std::string& value) {
  int v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v < 0) {
    return Status::InvalidArgument("database URL: parameter " + name +
                                   " must be a non-negative integer");
  }
  return v;
}

}  // namespace

Status TakeCommonParams(std::map<std::string, std::string>& params, DatabaseOptions& options) {
  auto take = [&](const char* name, auto apply) -> Status {
    auto it = params.find(name);
    if (it == params.end()) return Status::Ok();
    TB_ASSIGN_OR_RETURN(int v, ParsePositiveInt(it->first, it->second));
    apply(v);
    params.erase(it);
    return Status::Ok();
  };
  TB_RETURN_IF_ERROR(take("max_attempts", [&](int v) { options.max_attempts = v; }));
  TB_RETURN_IF_ERROR(take("busy_timeout_ms", [&](int v) {
    options.busy_timeout = std::chrono::milliseconds(v);
  }));
  TB_RETURN_IF_ERROR(take("pool_size", [&](int v) { options.pool_size = v; }));
  return Status::Ok();
}

}  // namespace internal

namespace {

// Splits "a=1&b=2" into a map; kInvalidArgument for an empty name or a repeated parameter.
Result<std::map<std::string, std::string>> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view kv = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    TB_ASSIGN_OR_RETURN(std::string k, internal::PercentDecode(kv.substr(0, eq)));
    std::string v;
    if (eq != std::string_view::npos) {
      TB_ASSIGN_OR_RETURN(v, internal::PercentDecode(kv.substr(eq + 1)));
    }
    if (k.empty()) return Status::InvalidArgument("database URL: empty parameter name");
    if (!out.emplace(k, v).second) {
      return Status::InvalidArgument("database URL: parameter " + k + " given twice");
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(std::string_view url,
                                                 const DatabaseOptions& options) {
  auto bad = [&](std::string why) {
    // The URL itself is not echoed: a PostgreSQL URL may carry a password.
    return Status::InvalidArgument("bad database URL: " + why);
  };
  if (url.starts_with("sqlite:")) {
    std::string_view rest = url.substr(7);
    std::string_view query;
    if (size_t q = rest.find('?'); q != std::string_view::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
    }
    std::string path;
    if (rest == ":memory:") {
      path = ":memory:";
    } else if (rest.starts_with("//")) {
      TB_ASSIGN_OR_RETURN(path, internal::PercentDecode(rest.substr(2)));
      if (path.empty() || path == "/") {
        return bad("no file path (use sqlite:///abs/path.db or sqlite://relative.db)");
      }
    } else {
      return bad("expected sqlite:///abs/path.db, sqlite://relative.db or sqlite::memory:");
    }
    TB_ASSIGN_OR_RETURN(auto params, ParseQuery(query));
    return internal::OpenSqlite(path, params, options);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    std::string_view base = url;
    std::string_view query;
    if (size_t q = url.find('?'); q != std::string_view::npos) {
      base = url.substr(0, q);
      query = url.substr(q + 1);
    }
    TB_ASSIGN_OR_RETURN(auto params, ParseQuery(query));
    // Our own parameters are taken out here; the rest go to libpq, which rejects unknown ones.
    std::map<std::string, std::string> ours;
    for (const char* name :
         {"max_attempts", "busy_timeout_ms", "pool_size", "schema", "isolation"}) {
      if (auto it = params.find(name); it != params.end()) {
        ours.insert(*it);
        params.erase(it);
      }
    }
    std::string conninfo(base);
    char sep = '?';
    for (size_t start = 0; start < query.size();) {
      size_t amp = query.find('&', start);
      std::string_view kv = query.substr(start, amp == std::string_view::npos ? query.npos
                                                                              : amp - start);
      start = amp == std::string_view::npos ? query.size() : amp + 1;
      auto name = internal::PercentDecode(kv.substr(0, kv.find('=')));
      if (name.ok() && params.count(*name)) {
        conninfo.push_back(sep);
        conninfo.append(kv);
        sep = '&';
      }
    }
    return internal::OpenPostgres(conninfo, ours, options);
  }
  return bad("unknown scheme (expected sqlite: or postgresql:)");
}

}  // namespace tongban::store
