// Offline verification: checks that a ledger entry (and optionally the document it commits to)
// is in a log, from the entry bytes, an inclusion proof and a signed checkpoint alone, against a
// trusted verifier key — no server and no storage. The library behind `tongban verify`; composes
// the ledger's pieces (OpenCheckpoint, ParseEntry, VerifyInclusionBytes) in the one order that
// leaves nothing unchecked:
//   1. the checkpoint note carries a valid signature by the log's key (C2SP signed-note rules;
//      other signatures such as witness cosignatures are ignored)
//   2. its body is a C2SP checkpoint of the expected origin
//   3. the entry parses strictly; its index is < the checkpoint size
//   4. the inclusion proof takes H(0x00 || entry) at that index to the checkpoint root
//   5. if a document is given: its suite hash equals the entry's document hash
// Everything passed in is untrusted input.
//
// Thread-safety: pure function (a NoteVerifier is immutable and shareable).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/hash.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace tongban::ledger {

struct OfflineProof {
  std::string_view entry;              // canonical entry bytes (its index is inside)
  std::span<const std::string> proof;  // inclusion proof hashes, leaf level first (raw bytes)
  std::string_view checkpoint_note;    // the signed checkpoint the proof is for
  std::optional<std::string_view> document;  // the document bytes, to check too
};

struct OfflineVerified {
  Entry entry;
  Checkpoint checkpoint;
};

// kUnauthenticated: the checkpoint has no valid signature by `log_key`. kFailedPrecondition: the
// checkpoint is another log's (origin). kInvalidArgument: anything else fails — malformed note or
// entry, index beyond the checkpoint, the proof does not lead to the signed root, or the document
// does not match (the message says which).
Result<OfflineVerified> VerifyOffline(crypto::HashAlgorithm hash, std::string_view origin,
                                      std::shared_ptr<const NoteVerifier> log_key,
                                      const OfflineProof& in);

}  // namespace tongban::ledger
