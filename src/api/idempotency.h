// IdempotencyStore: makes POSTs that create something safe to retry. A client sends
// `Idempotency-Key: <1-255 printable ASCII>`; the first request with that key (per caller) runs
// and its response is stored; a retry with the same key and the same request replays the stored
// response (header `Idempotent-Replayed: true`) without running the handler again; the same key
// with a different method, path or body is 422; a retry while the first is still running is 409.
//
//   1. Begin():  INSERT a pending row (caller, key, request hash) — the unique key decides which
//                of two concurrent requests runs; the other sees the row.
//   2. handler runs
//   3. Finish(): store status, content type and body on the row (responses >= 500 are not kept:
//                the pending row is deleted so the client may retry).
// Rows are kept for `retention` (24 h by default) and then purged.
//
// Thread-safe. Does not own `db`.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "api/http_message.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::api {

class IdempotencyStore {
 public:
  static std::vector<store::Migration> Migrations();

  IdempotencyStore(store::Database& db, const Clock& clock,
                   std::chrono::seconds retention = std::chrono::hours(24))
      : db_(db), clock_(clock), retention_(retention) {}

  // What to do with a request carrying an Idempotency-Key.
  struct Decision {
    enum class Kind { kRun, kReplay } kind = Kind::kRun;
    HttpResponse replay;  // kReplay: the stored response
  };
  // kInvalidArgument for a malformed key; kUnprocessable if the key was used for another request;
  // kConflict if the first request with this key is still running.
  Result<Decision> Begin(std::string_view caller, std::string_view key, const HttpRequest& request);
  // Stores the response of a request that Begin() let run.
  Status Finish(std::string_view caller, std::string_view key, const HttpResponse& response);
  // Deletes rows older than the retention. Returns how many.
  Result<int64_t> Purge();

 private:
  store::Database& db_;
  const Clock& clock_;
  std::chrono::seconds retention_;
};

}  // namespace tongban::api
