// DataExports: the stored jobs of "download my data" (PIPL arts. 44-45) — requested by the person,
// built in the background (progress in percent), downloaded once by that person, then erased;
// an export not downloaded is erased at `expires_at` (24 h). Who may see a job is decided here:
// every call takes the caller's account, and another person's job is kNotFound, as a missing one.
// The content is built by the identity part's job (identity/part/my_data_export.h).
// Thread-safe. `db` and `clock` must outlive the object.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::identity {

struct DataExport {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string status;  // "queued", "running", "ready", "downloaded", "failed", "expired"
  int64_t progress = 0;  // percent
  int64_t created_at = 0;
  std::optional<int64_t> finished_at;
  std::optional<int64_t> downloaded_at;
  int64_t expires_at = 0;
};

class DataExports {
 public:
  // Part "identity_export".
  static std::vector<store::Migration> Migrations();

  DataExports(store::Database& db, const Clock& clock, int64_t keep_seconds = 24 * 3600);

  // A new job, or the person's job already queued or running, or ready and not downloaded
  // (one at a time).
  Result<DataExport> Request(int64_t account_id);
  // The caller's job; kNotFound for another person's or a missing one.
  Result<DataExport> Get(int64_t account_id, int64_t id);
  // The content, once: the job becomes "downloaded" and its content is erased in the same
  // transaction. kNotFound as Get; kFailedPrecondition when not ready or already downloaded.
  Result<std::string> Download(int64_t account_id, int64_t id);

  // For the job: the oldest queued job, claimed (status running); nullopt when none.
  Result<std::optional<DataExport>> ClaimNext();
  Status SetProgress(int64_t id, int64_t percent);
  // Stores the content (status ready). `on_ready` runs in the same transaction (a notice).
  // kFailedPrecondition, nothing stored and `on_ready` not run, when the job is no longer
  // running (expired meanwhile, or queued again as stale).
  Status Finish(int64_t id, const std::string& content,
                const std::function<Status(store::Tx&, const DataExport&)>& on_ready = nullptr);
  // Marks a running job failed (a job no longer running keeps its state).
  Status Fail(int64_t id, const std::string& reason);
  // Running jobs with no heartbeat (claim or progress) for `stale_seconds` — their builder
  // stopped — are queued again. Returns how many.
  Result<int64_t> RequeueStale(int64_t stale_seconds);
  // Erases the content of jobs past expires_at (status expired). Returns how many.
  Result<int64_t> ExpireOld();

 private:
  int64_t NowSeconds() const;
  store::Database& db_;
  const Clock& clock_;
  const int64_t keep_seconds_;
};

}  // namespace tongban::identity
