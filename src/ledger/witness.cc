// The tlog-witness add-checkpoint core. Invariant kept by every write: witness_log holds, per
// origin, a (size, root) this witness cosigned, and a row only ever moves to a checkpoint that was
// proved consistent with the row's current (size, root) — the UPDATE is conditional on both, so a
// check made against a state that changed meanwhile cannot be written.
#include "ledger/witness.h"

#include <cstring>
#include <limits>

#include "core/base64.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/proof.h"

namespace tongban::ledger {
namespace {

constexpr uint64_t kMaxStoredSize = uint64_t{std::numeric_limits<int64_t>::max()};

Status BadRequest(std::string why) {
  return Status::InvalidArgument("malformed add-checkpoint request: " + why);
}

// "0" / (%x31-39 *DIGIT), at most 2^64 - 1.
Result<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 20) return BadRequest("old size is not a decimal number");
  if (s.size() > 1 && s[0] == '0') return BadRequest("old size has a leading zero");
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return BadRequest("old size is not a decimal number");
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return BadRequest("old size overflows 64 bits");
    }
    n = n * 10 + d;
  }
  return n;
}

WitnessReply Refuse(Status s) {
  WitnessReply r;
  r.http_status = HttpStatusFor(s.code());
  r.content_type = std::string(kWitnessTextContentType);
  r.body = s.message() + "\n";
  r.status = std::move(s);
  return r;
}

WitnessReply ConflictReply(uint64_t witness_size) {
  WitnessReply r;
  r.http_status = 409;
  r.content_type = std::string(kTlogSizeContentType);
  r.body = std::to_string(witness_size) + "\n";
  r.status = Status::Conflict("old size does not match the witness's last cosigned size " +
                              std::to_string(witness_size));
  r.witness_size = witness_size;
  return r;
}

}  // namespace

std::vector<store::Migration> WitnessMigrations() {
  return {
      {.part = "witness", .version = 1, .sql = R"(
          CREATE TABLE witness_log (
            origin {{text}} PRIMARY KEY,
            size {{int64}} NOT NULL CHECK (size >= 0),
            root {{blob}} NOT NULL,
            checkpoint {{text}} NOT NULL,
            updated_at_us {{int64}} NOT NULL
          );
       )"},
      {.part = "witness", .version = 2, .sql = R"(
          CREATE TABLE witness_fork (
            origin {{text}} NOT NULL,
            size {{int64}} NOT NULL,
            root {{blob}} NOT NULL,
            cosigned {{text}} NOT NULL,
            conflicting {{text}} NOT NULL,
            seen_at_us {{int64}} NOT NULL,
            PRIMARY KEY (origin, size, root)
          );
       )"},
  };
}

Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body) {
  static constexpr std::string_view kOld = "old ";
  AddCheckpointRequest req;
  size_t nl = body.find('\n');
  if (nl == std::string_view::npos) return BadRequest("no old size line");
  std::string_view line = body.substr(0, nl);
  if (line.substr(0, kOld.size()) != kOld) return BadRequest("first line must be \"old <size>\"");
  TB_ASSIGN_OR_RETURN(req.old_size, ParseDecimal(line.substr(kOld.size())));
  size_t pos = nl + 1;
  for (;;) {
    nl = body.find('\n', pos);
    if (nl == std::string_view::npos) return BadRequest("no empty line before the checkpoint");
    line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) break;
    if (req.proof.size() == kMaxWitnessProofLines) {
      return BadRequest("more than 63 consistency proof lines");
    }
    Result<std::string> hash = Base64Decode(line);
    if (!hash.ok() || hash->size() != kHashSize) {
      return BadRequest("a consistency proof line is not a base64 hash");
    }
    Hash h;
    std::memcpy(h.data(), hash->data(), kHashSize);
    req.proof.push_back(h);
  }
  req.checkpoint = std::string(body.substr(pos));
  if (req.checkpoint.empty()) return BadRequest("no checkpoint");
  return req;
}

std::string FormatAddCheckpointRequest(uint64_t old_size, std::span<const Hash> proof,
                                       std::string_view checkpoint_note) {
  std::string out = "old " + std::to_string(old_size) + "\n";
  for (const Hash& h : proof) {
    out += Base64Encode(h);
    out += '\n';
  }
  out += '\n';
  out += checkpoint_note;
  return out;
}

Result<std::unique_ptr<Witness>> Witness::Create(store::Database* db,
                                                 std::vector<std::unique_ptr<NoteSigner>> signers,
                                                 std::vector<WitnessedLog> logs,
                                                 const Clock& clock) {
  if (db == nullptr) return Status::InvalidArgument("witness needs a database");
  if (signers.empty()) return Status::InvalidArgument("witness needs a cosigning key");
  for (const auto& s : signers) {
    if (s == nullptr) return Status::InvalidArgument("witness signer is null");
  }
  for (size_t i = 0; i < logs.size(); ++i) {
    if (!ValidNoteLine(logs[i].origin)) {
      return Status::InvalidArgument("witnessed log origin must be a non-empty line of text");
    }
    if (logs[i].keys.empty()) {
      return Status::InvalidArgument("witnessed log " + logs[i].origin + " has no key");
    }
    for (const auto& k : logs[i].keys) {
      if (k == nullptr) return Status::InvalidArgument("witnessed log key is null");
    }
    for (size_t j = 0; j < i; ++j) {
      if (logs[j].origin == logs[i].origin) {
        return Status::InvalidArgument("witnessed log " + logs[i].origin + " listed twice");
      }
    }
  }
  return std::unique_ptr<Witness>(new Witness(db, std::move(signers), std::move(logs), clock));
}

const WitnessedLog* Witness::FindLog(std::string_view origin) const {
  for (const WitnessedLog& log : logs_) {
    if (log.origin == origin) return &log;
  }
  return nullptr;
}

std::string Witness::OriginHash(std::string_view origin) {
  return crypto::ToHex(crypto::Hash(crypto::HashAlgorithm::kSha256, origin));
}

Result<std::optional<WitnessState>> Witness::State(std::string_view origin) const {
  std::optional<WitnessState> state;
  TB_RETURN_IF_ERROR(db_->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(
        std::optional<store::Row> row,
        tx.QueryRow("SELECT size, root, checkpoint, updated_at_us FROM witness_log "
                    "WHERE origin = ?",
                    {origin}));
    state.reset();
    if (!row) return Status::Ok();
    std::span<const uint8_t> root = row->Blob(1);
    if (row->Int64(0) < 0 || root.size() != kHashSize) {
      return Status::DataLoss("witness state for a log is corrupt");
    }
    WitnessState s;
    s.size = static_cast<uint64_t>(row->Int64(0));
    std::memcpy(s.root.data(), root.data(), kHashSize);
    s.checkpoint = std::string(row->Text(2));
    s.updated_unix_micros = row->Int64(3);
    state = std::move(s);
    return Status::Ok();
  }));
  return state;
}

Result<std::string> Witness::LatestCheckpoint(std::string_view origin_hash_hex) const {
  for (const WitnessedLog& log : logs_) {
    if (OriginHash(log.origin) != origin_hash_hex) continue;
    TB_ASSIGN_OR_RETURN(std::optional<WitnessState> state, State(log.origin));
    if (!state) break;
    return std::move(state->checkpoint);
  }
  return Status::NotFound("cosigned checkpoint", origin_hash_hex);
}

Result<std::vector<ForkEvidence>> Witness::Forks(std::string_view origin) const {
  std::vector<ForkEvidence> out;
  TB_RETURN_IF_ERROR(db_->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(std::vector<store::Row> rows,
                        tx.Query("SELECT size, cosigned, conflicting, seen_at_us FROM witness_fork "
                                 "WHERE origin = ? ORDER BY seen_at_us, size",
                                 {origin}));
    out.clear();
    for (const store::Row& row : rows) {
      out.push_back({static_cast<uint64_t>(row.Int64(0)), std::string(row.Text(1)),
                     std::string(row.Text(2)), row.Int64(3)});
    }
    return Status::Ok();
  }));
  return out;
}

Status Witness::RecordFork(const std::string& origin, const Checkpoint& cp,
                           const std::string& cosigned, const std::string& conflicting) {
  const auto root = store::Param::Blob(std::span<const uint8_t>(cp.root));
  const int64_t now = clock_.NowUnixMicros();
  return db_->Transact([&](store::Tx& tx) -> Status {
    return tx
        .Exec("INSERT INTO witness_fork (origin, size, root, cosigned, conflicting, seen_at_us) "
              "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (origin, size, root) DO NOTHING",
              {origin, static_cast<int64_t>(cp.size), root, cosigned, conflicting, now})
        .status();
  });
}

WitnessReply Witness::AddCheckpoint(std::string_view request_body) {
  Result<WitnessReply> r = Add(request_body);
  if (!r.ok()) return Refuse(r.status());
  return std::move(r).value();
}

Result<WitnessReply> Witness::Add(std::string_view request_body) {
  TB_ASSIGN_OR_RETURN(AddCheckpointRequest req, ParseAddCheckpointRequest(request_body));
  Result<Note> note = ParseNote(req.checkpoint);
  if (!note.ok()) return BadRequest(note.status().message());
  Result<Checkpoint> cp = ParseCheckpoint(note->text);
  if (!cp.ok()) return BadRequest(cp.status().message());

  const WitnessedLog* log = FindLog(cp->origin);
  if (log == nullptr) return Status::NotFound("witnessed log", cp->origin);
  // Unknown keys are ignored; a line by a log key that fails, or no log signature, is refused.
  Result<OpenedNote> opened = OpenNote(req.checkpoint, NoteVerifierList(log->keys));
  if (!opened.ok()) {
    return Status::PermissionDenied("checkpoint is not signed by the log's key")
        .WithDetail(opened.status().ToString());
  }

  if (cp->size > kMaxStoredSize) return BadRequest("checkpoint size is too large");
  if (req.old_size > cp->size) {
    return Status::InvalidArgument("old size " + std::to_string(req.old_size) +
                                   " is larger than the checkpoint size " +
                                   std::to_string(cp->size));
  }

  TB_ASSIGN_OR_RETURN(std::optional<WitnessState> state, State(cp->origin));
  const uint64_t stored_size = state ? state->size : 0;
  if (req.old_size != stored_size) return ConflictReply(stored_size);

  TreeHasher hasher(log->hash);
  if (cp->size == 0 && cp->root != hasher.EmptyRoot()) {
    return Status::Unprocessable("a checkpoint of size 0 must have the empty tree's root");
  }
  if (req.old_size == 0) {
    if (!req.proof.empty()) {
      return Status::Unprocessable("a consistency proof from size 0 must be empty");
    }
  } else {
    Status consistent =
        VerifyConsistency(hasher, stored_size, cp->size, req.proof, state->root, cp->root);
    if (!consistent.ok()) {
      std::string detail = consistent.message();
      if (cp->size == stored_size && cp->root != state->root) {
        // Same size, another root: the log signed two histories. Keep the pair; the refusal
        // stands even if keeping it fails.
        Status kept = RecordFork(cp->origin, *cp, state->checkpoint, req.checkpoint);
        if (!kept.ok()) detail += "; fork evidence not stored: " + kept.ToString();
        return Status::Unprocessable(
                   "checkpoint has the witnessed size but a different root hash")
            .WithDetail(std::move(detail));
      }
      return Status::Unprocessable("consistency proof does not verify")
          .WithDetail(std::move(detail));
    }
  }

  std::vector<NoteSignature> cosignatures;
  for (const auto& signer : signers_) {
    TB_ASSIGN_OR_RETURN(std::string sig, signer->Sign(note->text));
    cosignatures.push_back({signer->name(), signer->key_id(), std::move(sig)});
  }
  TB_ASSIGN_OR_RETURN(std::string lines, FormatSignatureLines(cosignatures));
  // The monitoring view keeps the log signatures the witness verified, then its own.
  Note kept{note->text, opened->verified};
  kept.signatures.insert(kept.signatures.end(), cosignatures.begin(), cosignatures.end());
  TB_ASSIGN_OR_RETURN(std::string kept_note, FormatNote(kept));

  const int64_t size = static_cast<int64_t>(cp->size);
  const int64_t now = clock_.NowUnixMicros();
  const auto root = store::Param::Blob(std::span<const uint8_t>(cp->root));
  int64_t changed = 0;
  TB_RETURN_IF_ERROR(db_->Transact([&](store::Tx& tx) -> Status {
    if (!state) {
      TB_ASSIGN_OR_RETURN(changed, tx.Exec("INSERT INTO witness_log (origin, size, root, "
                                           "checkpoint, updated_at_us) VALUES (?, ?, ?, ?, ?) "
                                           "ON CONFLICT (origin) DO NOTHING",
                                           {cp->origin, size, root, kept_note, now}));
    } else {
      const auto old_root = store::Param::Blob(std::span<const uint8_t>(state->root));
      TB_ASSIGN_OR_RETURN(changed, tx.Exec("UPDATE witness_log SET size = ?, root = ?, "
                                           "checkpoint = ?, updated_at_us = ? "
                                           "WHERE origin = ? AND size = ? AND root = ?",
                                           {size, root, kept_note, now, cp->origin,
                                            static_cast<int64_t>(stored_size), old_root}));
    }
    return Status::Ok();
  }));
  if (changed == 0) {
    // Another request moved the state since it was read: this one comes second.
    TB_ASSIGN_OR_RETURN(std::optional<WitnessState> now_state, State(cp->origin));
    return ConflictReply(now_state ? now_state->size : 0);
  }

  WitnessReply reply;
  reply.http_status = 200;
  reply.content_type = std::string(kWitnessTextContentType);
  reply.body = std::move(lines);
  return reply;
}

}  // namespace tongban::ledger
