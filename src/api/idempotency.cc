// Idempotency keys; see idempotency.h.
#include "api/idempotency.h"

#include "crypto/hash.h"

namespace tongban::api {
namespace {

std::string RequestHash(const HttpRequest& r) {
  crypto::Hasher h(crypto::HashAlgorithm::kSha256);
  h.Update(r.method);
  h.Update(uint8_t{0});
  h.Update(r.path);
  h.Update(uint8_t{0});
  h.Update(r.body);
  auto d = h.Final();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

std::vector<store::Migration> IdempotencyStore::Migrations() {
  store::Migration v1;
  v1.part = "api_idempotency";
  v1.version = 1;
  v1.sql = R"(
CREATE TABLE api_idempotency (
  caller TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash {{blob}} NOT NULL,
  status {{int64}},
  content_type TEXT,
  body TEXT,
  created_micros {{int64}} NOT NULL,
  PRIMARY KEY (caller, idem_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency (created_micros);
)";
  return {v1};
}

Result<IdempotencyStore::Decision> IdempotencyStore::Begin(std::string_view caller,
                                                           std::string_view key,
                                                           const HttpRequest& request) {
  if (!ValidKey(key)) {
    return Status::InvalidField("Idempotency-Key", "must be 1-255 printable ASCII characters");
  }
  std::string hash = RequestHash(request);
  int64_t now = clock_.NowUnixMicros();
  int64_t oldest = now - std::chrono::duration_cast<std::chrono::microseconds>(retention_).count();
  Decision decision;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    decision = Decision{};
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT request_hash, status, content_type, body, "
                                              "created_micros FROM api_idempotency WHERE "
                                              "caller = ? AND idem_key = ?",
                                              {caller, key}));
    if (row && row->Int64(4) >= oldest) {
      auto stored = row->Blob(0);
      if (std::string_view(reinterpret_cast<const char*>(stored.data()), stored.size()) != hash) {
        return Status::Unprocessable(
            "Idempotency-Key was already used for a different request (method, path or body)");
      }
      if (row->IsNull(1)) {
        return Status::Conflict("a request with this Idempotency-Key is still being processed");
      }
      decision.kind = Decision::Kind::kReplay;
      decision.replay.status = static_cast<int>(row->Int64(1));
      decision.replay.content_type = std::string(row->Text(2));
      decision.replay.body = std::string(row->Text(3));
      decision.replay.WithHeader("Idempotent-Replayed", "true");
      return Status::Ok();
    }
    if (row) {  // expired: the key may be used again
      TB_RETURN_IF_ERROR(tx.Exec("DELETE FROM api_idempotency WHERE caller = ? AND idem_key = ?",
                                 {caller, key})
                             .status());
    }
    return tx.Exec("INSERT INTO api_idempotency (caller, idem_key, request_hash, created_micros) "
                   "VALUES (?, ?, ?, ?)",
                   {caller, key, store::Param::Blob(hash), now})
        .status();
  });
  if (s.code() == ErrorCode::kAlreadyExists) {
    return Status::Conflict("a request with this Idempotency-Key is still being processed");
  }
  if (!s.ok()) return s;
  return decision;
}

Status IdempotencyStore::Finish(std::string_view caller, std::string_view key,
                                const HttpResponse& response) {
  return db_.Transact([&](store::Tx& tx) -> Status {
    if (response.status >= 500) {
      // Not a result worth replaying: free the key so the client's retry runs again.
      return tx.Exec("DELETE FROM api_idempotency WHERE caller = ? AND idem_key = ?", {caller, key})
          .status();
    }
    return tx.Exec("UPDATE api_idempotency SET status = ?, content_type = ?, body = ? WHERE "
                   "caller = ? AND idem_key = ?",
                   {response.status, response.content_type, response.body, caller, key})
        .status();
  });
}

Result<int64_t> IdempotencyStore::Purge() {
  int64_t oldest = clock_.NowUnixMicros() -
                   std::chrono::duration_cast<std::chrono::microseconds>(retention_).count();
  int64_t n = 0;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(n, tx.Exec("DELETE FROM api_idempotency WHERE created_micros < ?", {oldest}));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

}  // namespace tongban::api
