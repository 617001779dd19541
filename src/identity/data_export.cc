// Download-my-data jobs; see data_export.h.
#include "identity/data_export.h"

#include <spdlog/spdlog.h>

namespace tongban::identity {
namespace {

constexpr std::string_view kColumns =
    "SELECT id, account_id, status, progress, created_at, finished_at, downloaded_at, expires_at "
    "FROM data_exports ";

DataExport FromRow(const store::Row& r) {
  DataExport e;
  e.id = r.Int64(0);
  e.account_id = r.Int64(1);
  e.status = std::string(r.Text(2));
  e.progress = r.Int64(3);
  e.created_at = r.Int64(4);
  e.finished_at = r.OptInt64(5);
  e.downloaded_at = r.OptInt64(6);
  e.expires_at = r.Int64(7);
  return e;
}

}  // namespace

std::vector<store::Migration> DataExports::Migrations() {
  store::Migration v1;
  v1.part = "identity_export";
  v1.version = 1;
  // heartbeat_at: a running job's last step, so a job whose builder died is queued again.
  v1.sql = R"(
CREATE TABLE data_exports (
  id {{id}},
  account_id {{int64}} NOT NULL REFERENCES accounts(id),
  status TEXT NOT NULL,
  progress {{int64}} NOT NULL DEFAULT 0,
  created_at {{int64}} NOT NULL,
  finished_at {{int64}},
  downloaded_at {{int64}},
  expires_at {{int64}} NOT NULL,
  content TEXT,
  error TEXT,
  heartbeat_at {{int64}}
);
CREATE INDEX data_exports_account ON data_exports(account_id);
CREATE INDEX data_exports_status ON data_exports(status);
)";
  return {v1};
}

DataExports::DataExports(store::Database& db, const Clock& clock, int64_t keep_seconds)
    : db_(db), clock_(clock), keep_seconds_(keep_seconds) {}

int64_t DataExports::NowSeconds() const { return clock_.NowUnixMicros() / 1'000'000; }

Result<DataExport> DataExports::Request(int64_t account_id) {
  const int64_t now = NowSeconds();
  DataExport out;
  bool created = false;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    created = false;
    // One at a time: a job under way, or a copy ready and not yet downloaded, is the answer.
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(std::string(kColumns) +
                                                  "WHERE account_id = ? AND (status IN ('queued', "
                                                  "'running') OR (status = 'ready' AND "
                                                  "expires_at > ?)) ORDER BY id DESC LIMIT 1",
                                              {account_id, now}));
    if (row) {
      out = FromRow(*row);
      return Status::Ok();
    }
    TB_ASSIGN_OR_RETURN(int64_t id, tx.InsertReturningId(
                                        "INSERT INTO data_exports (account_id, status, progress, "
                                        "created_at, expires_at) VALUES (?, 'queued', 0, ?, ?) "
                                        "RETURNING id",
                                        {account_id, now, now + keep_seconds_}));
    out = DataExport{.id = id, .account_id = account_id, .status = "queued", .progress = 0,
                     .created_at = now, .expires_at = now + keep_seconds_};
    created = true;
    return Status::Ok();
  }));
  if (created) {
    spdlog::info(R"({{"msg":"data export requested","export_id":{},"account_id":{}}})", out.id,
                 account_id);
  }
  return out;
}

Result<DataExport> DataExports::Get(int64_t account_id, int64_t id) {
  std::optional<DataExport> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(std::string(kColumns) +
                                                  "WHERE id = ? AND account_id = ?",
                                              {id, account_id}));
    if (row) out = FromRow(*row);
    return Status::Ok();
  }));
  if (!out) return Status::NotFound("data export", std::to_string(id));
  return *out;
}

Result<std::string> DataExports::Download(int64_t account_id, int64_t id) {
  const int64_t now = NowSeconds();
  std::string content;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT status, content, expires_at FROM "
                                              "data_exports WHERE id = ? AND account_id = ?",
                                              {id, account_id}));
    if (!row) return Status::NotFound("data export", std::to_string(id));
    std::string status(row->Text(0));
    if (status == "downloaded") {
      return Status::FailedPrecondition("this export was downloaded already; request a new one");
    }
    if (status != "ready" || row->IsNull(1) || row->Int64(2) <= now) {
      return Status::FailedPrecondition("this export is not ready (status " + status + ")");
    }
    content = std::string(row->Text(1));
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE data_exports SET status = 'downloaded', "
                                           "downloaded_at = ?, content = NULL WHERE id = ? AND "
                                           "status = 'ready'",
                                           {now, id}));
    if (n != 1) return Status::FailedPrecondition("this export was downloaded already");
    return Status::Ok();
  }));
  spdlog::info(R"({{"msg":"data export downloaded and erased","export_id":{},"account_id":{},)"
               R"("bytes":{}}})",
               id, account_id, content.size());
  return content;
}

Result<std::optional<DataExport>> DataExports::ClaimNext() {
  std::optional<DataExport> out;
  // A read first: the job polls, and an empty queue should cost no write transaction.
  bool any = false;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id FROM data_exports WHERE status = "
                                              "'queued' LIMIT 1",
                                              {}));
    any = row.has_value();
    return Status::Ok();
  }));
  if (!any) return out;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    out.reset();
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(std::string(kColumns) +
                                                  "WHERE status = 'queued' ORDER BY id LIMIT 1",
                                              {}));
    if (!row) return Status::Ok();
    DataExport e = FromRow(*row);
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE data_exports SET status = 'running', "
                                           "heartbeat_at = ? WHERE id = ? AND status = 'queued'",
                                           {NowSeconds(), e.id}));
    if (n == 1) {
      e.status = "running";
      out = e;
    }
    return Status::Ok();
  }));
  if (out) {
    spdlog::info(R"({{"msg":"data export started","export_id":{},"account_id":{}}})", out->id,
                 out->account_id);
  }
  return out;
}

Status DataExports::SetProgress(int64_t id, int64_t percent) {
  return db_.Transact([&](store::Tx& tx) -> Status {
    return tx.Exec("UPDATE data_exports SET progress = ?, heartbeat_at = ? WHERE id = ? AND "
                   "status = 'running'",
                   {percent, NowSeconds(), id})
        .status();
  });
}

Status DataExports::Finish(int64_t id, const std::string& content,
                           const std::function<Status(store::Tx&, const DataExport&)>& on_ready) {
  const int64_t now = NowSeconds();
  int64_t account_id = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(int64_t n,
                        tx.Exec("UPDATE data_exports SET status = 'ready', progress = 100, "
                                "finished_at = ?, content = ? WHERE id = ? AND status = 'running'",
                                {now, content, id}));
    // No longer running (expired, or re-queued and built elsewhere): nothing stored, no notice.
    if (n != 1) {
      return Status::FailedPrecondition("data export " + std::to_string(id) +
                                        " is no longer running");
    }
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(std::string(kColumns) + "WHERE id = ?", {id}));
    if (!row) return Status::NotFound("data export", std::to_string(id));
    DataExport e = FromRow(*row);
    account_id = e.account_id;
    return on_ready ? on_ready(tx, e) : Status::Ok();
  }));
  spdlog::info(R"({{"msg":"data export ready","export_id":{},"account_id":{},"bytes":{}}})", id,
               account_id, content.size());
  return Status::Ok();
}

Status DataExports::Fail(int64_t id, const std::string& reason) {
  spdlog::warn(R"({{"msg":"data export failed","export_id":{},"error":"{}"}})", id, reason);
  return db_.Transact([&](store::Tx& tx) -> Status {
    // Only a running job: one expired meanwhile, or queued again and built elsewhere, keeps
    // its state.
    return tx.Exec("UPDATE data_exports SET status = 'failed', finished_at = ?, error = ?, "
                   "content = NULL WHERE id = ? AND status = 'running'",
                   {NowSeconds(), reason, id})
        .status();
  });
}

Result<int64_t> DataExports::RequeueStale(int64_t stale_seconds) {
  const int64_t before = NowSeconds() - stale_seconds;
  // A read first: called by the job's loop, and there is rarely anything to do.
  bool any = false;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT id FROM data_exports WHERE status = "
                                              "'running' AND (heartbeat_at IS NULL OR "
                                              "heartbeat_at < ?) LIMIT 1",
                                              {before}));
    any = row.has_value();
    return Status::Ok();
  }));
  if (!any) return int64_t{0};
  int64_t n = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(n, tx.Exec("UPDATE data_exports SET status = 'queued', progress = 0 "
                                   "WHERE status = 'running' AND (heartbeat_at IS NULL OR "
                                   "heartbeat_at < ?)",
                                   {before}));
    return Status::Ok();
  }));
  if (n > 0) spdlog::warn(R"({{"msg":"stale data exports queued again","count":{}}})", n);
  return n;
}

Result<int64_t> DataExports::ExpireOld() {
  int64_t n = 0;
  TB_RETURN_IF_ERROR(db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(n, tx.Exec("UPDATE data_exports SET status = 'expired', content = NULL "
                                   "WHERE status IN ('queued', 'running', 'ready') AND "
                                   "expires_at <= ?",
                                   {NowSeconds()}));
    return Status::Ok();
  }));
  if (n > 0) spdlog::info(R"({{"msg":"data exports expired and erased","count":{}}})", n);
  return n;
}

}  // namespace tongban::identity
