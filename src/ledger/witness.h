// A Witness checks that the logs it trusts only ever grow, and cosigns their checkpoints: the
// server side of C2SP tlog-witness `add-checkpoint`, without any transport. The HTTP layer passes
// the request body in and sends the returned WitnessReply back as it is.
//
//   request   = "old " size LF *63(base64-hash LF) LF checkpoint-note
//   size      = "0" / (%x31-39 *DIGIT)          ; decimal, no leading zero
//   reply 200 = 1*(signature-line)               ; the cosignature(s), text/plain
//   reply 409 = stored-size LF                   ; Content-Type: text/x.tlog.size
//
// Checks, in the spec's order, and what each failure returns (status code -> HTTP via
// HttpStatusFor, equal to WitnessReply::http_status):
//   malformed body, note or checkpoint; size >= 2^63   kInvalidArgument     400
//   origin not among the witnessed logs                kNotFound            404
//   no valid signature by the log's key(s), or a
//     line by its key that fails to verify            kPermissionDenied    403
//   old size > checkpoint size (a rollback)            kInvalidArgument     400
//   old size != the size this witness last cosigned    kConflict            409 (body: that size)
//   size 0 without the empty-tree root; old size 0
//     with a proof; proof does not verify; same size
//     with another root (a fork)                       kUnprocessable       422
//   storage busy / failing                             kUnavailable / ...   503 / 500
// On success the new (size, root) and the cosigned checkpoint are stored by a conditional update
// on the previous size, so of two concurrent requests from the same state only one can win; the
// other gets 409 with the new size, as if it had come second.
//
// Stored state (migration part "witness", table witness_log): per origin the size and root hash
// last cosigned, the checkpoint note as cosigned (the log's verified signatures and ours) and the
// time. Of refused requests only proof of a fork is kept (table witness_fork): a checkpoint
// validly signed by the log with the size this witness last cosigned but another root, beside the
// checkpoint it contradicts — two log signatures on two roots for one size, which anyone can check
// (Witness::Forks). Other refusals are not stored: without the log's key nobody can make a row.
//
// Thread-safety: AddCheckpoint and the readers may be called from many threads at once.
// Ownership: `db` and the Clock given to Create() must outlive the Witness; it owns its signers
// (which must be safe to Sign() from several threads, as CosignatureSigner is) and log keys.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/hash.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/note_signer.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::ledger {

inline constexpr size_t kMaxWitnessProofLines = 63;
inline constexpr std::string_view kTlogSizeContentType = "text/x.tlog.size";
inline constexpr std::string_view kWitnessTextContentType = "text/plain; charset=utf-8";

// The schema of the witness state (part "witness"). Run with store::Migrate before Create().
std::vector<store::Migration> WitnessMigrations();

// A log the witness trusts: its origin line, its checkpoint signing key(s) (note verifiers,
// Ed25519 or SM2), and its Merkle hash (SHA-256 for C2SP logs and Tongban `intl`, SM3 for `gm`).
struct WitnessedLog {
  std::string origin;
  std::vector<std::shared_ptr<const NoteVerifier>> keys;
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSha256;
};

// A parsed add-checkpoint request body.
struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<Hash> proof;
  std::string checkpoint;  // the signed checkpoint note, as sent
};

// Strict parse of a request body. kInvalidArgument (HTTP 400) with the reason otherwise.
Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body);
// The request body a log sends (witness_client.h uses it). REQUIRES: proof.size() <= 63.
std::string FormatAddCheckpointRequest(uint64_t old_size, std::span<const Hash> proof,
                                       std::string_view checkpoint_note);

// What add-checkpoint answers. Send http_status, Content-Type content_type and body as they are.
struct WitnessReply {
  int http_status = 200;
  std::string content_type;  // kWitnessTextContentType, or kTlogSizeContentType for 409
  std::string body;          // cosignature lines (200), "<size>\n" (409), else a message + LF
  // Ok on 200; otherwise the reason, whose code maps to http_status by HttpStatusFor. Its
  // detail() is for logs only and is never in `body`.
  Status status;
  // On 409: the size this witness last cosigned for the origin.
  uint64_t witness_size = 0;
};

// Two checkpoints the log signed for one size with different roots.
struct ForkEvidence {
  uint64_t size = 0;
  std::string cosigned;     // the checkpoint this witness had cosigned (log + witness signatures)
  std::string conflicting;  // the log-signed checkpoint refused with 422, as submitted
  int64_t seen_unix_micros = 0;
};

// The witness's record of one log.
struct WitnessState {
  uint64_t size = 0;
  Hash root{};
  std::string checkpoint;  // the note as last cosigned: log signature(s) + our cosignature(s)
  int64_t updated_unix_micros = 0;
};

class Witness {
 public:
  // kInvalidArgument for no signers, a log with an invalid origin line or no key, or two logs
  // with the same origin. REQUIRES: WitnessMigrations() applied to `db`.
  static Result<std::unique_ptr<Witness>> Create(store::Database* db,
                                                 std::vector<std::unique_ptr<NoteSigner>> signers,
                                                 std::vector<WitnessedLog> logs,
                                                 const Clock& clock);

  // Handles one add-checkpoint request body; see the header comment for every outcome.
  WitnessReply AddCheckpoint(std::string_view request_body);

  // The stored state for `origin`; nullopt if never cosigned. kUnavailable etc. from storage.
  Result<std::optional<WitnessState>> State(std::string_view origin) const;

  // Fork evidence recorded for `origin`, oldest first. kUnavailable etc. from storage.
  Result<std::vector<ForkEvidence>> Forks(std::string_view origin) const;

  // For `GET <monitoring prefix>/<origin hash>/checkpoint`: the latest cosigned checkpoint of
  // the witnessed log whose OriginHash() is `origin_hash_hex` (lower-case hex).
  // kNotFound if no witnessed log has that hash or it was never cosigned (HTTP 404).
  Result<std::string> LatestCheckpoint(std::string_view origin_hash_hex) const;

  // Lower-case hex SHA-256 of the origin line (without its newline).
  static std::string OriginHash(std::string_view origin);

  const std::vector<WitnessedLog>& logs() const { return logs_; }

 private:
  Witness(store::Database* db, std::vector<std::unique_ptr<NoteSigner>> signers,
          std::vector<WitnessedLog> logs, const Clock& clock)
      : db_(db), signers_(std::move(signers)), logs_(std::move(logs)), clock_(clock) {}

  const WitnessedLog* FindLog(std::string_view origin) const;
  Result<WitnessReply> Add(std::string_view request_body);
  Status RecordFork(const std::string& origin, const Checkpoint& cp, const std::string& cosigned,
                    const std::string& conflicting);

  store::Database* db_;
  std::vector<std::unique_ptr<NoteSigner>> signers_;
  std::vector<WitnessedLog> logs_;
  const Clock& clock_;
};

}  // namespace tongban::ledger
