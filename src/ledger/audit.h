// Audit: replays the whole stored log and checks every stored byte against what it must be —
// the library behind `tongban audit`.
//
// From ledger_entry, in index order, it recomputes each leaf hash from the stored entry bytes
// (and checks the entry parses and carries its own index), rebuilds the tree with a Frontier,
// and compares:
//   - every stored leaf hash                              -> finding kEntry  (index)
//   - every stored tile, full or partial, byte for byte   -> finding kTile   (level, index)
//     (and no tile is missing or stored beyond the tree)
//   - every stored checkpoint: its root column and the root in its note equal the recomputed
//     root at its size, its origin is the log's, and its signed note carries a valid signature
//     by the log's trusted key (OpenCheckpoint)            -> finding kCheckpoint (size)
//   - ledger_leaf_index: one row per leaf below indexed_size, keyed by its recomputed hash
//                                                         -> finding kEntry  (index)
//   - ledger_state: size, root and frontier                -> finding kState
// The audit runs in one read snapshot; it holds one tile per level in memory.
//
// Thread-safety: a pure function of the database snapshot; safe to run beside the sequencer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "crypto/hash.h"
#include "ledger/note.h"
#include "store/database.h"

namespace tongban::ledger {

struct AuditOptions {
  std::string origin;                    // the log's origin line
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;
  std::shared_ptr<const NoteVerifier> log_key;  // the log's trusted key; REQUIRES: not null
  size_t max_findings = 1000;            // stop listing after this many
};

struct AuditFinding {
  enum class Kind { kEntry, kTile, kCheckpoint, kState };
  Kind kind = Kind::kEntry;
  uint64_t index = 0;   // kEntry: leaf index; kTile: tile index; kCheckpoint: tree size
  uint32_t level = 0;   // kTile: tile level
  std::string message;  // e.g. "entry 17: stored leaf hash differs from H(0x00 || entry)"
};

struct AuditReport {
  uint64_t tree_size = 0;       // ledger_state.size
  uint64_t entries_checked = 0;
  uint64_t tiles_checked = 0;
  uint64_t checkpoints_checked = 0;
  std::vector<AuditFinding> findings;  // empty iff the log is intact
  bool truncated = false;               // more findings than max_findings

  bool ok() const { return findings.empty(); }
  // OK, or kDataLoss whose message lists the first findings.
  Status status() const;
};

// Audits the log. The Result is an error only when the audit could not run (storage error, no
// log); tampering is reported in the report's findings.
Result<AuditReport> AuditLogReport(store::Database& db, const AuditOptions& options);

// The same as one Status: OK iff the log is intact; kDataLoss naming the first findings (which
// index / tile / checkpoint size) otherwise.
Status AuditLog(store::Database& db, const AuditOptions& options);

}  // namespace tongban::ledger
