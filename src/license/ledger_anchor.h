// LedgerAnchor: which ledger leaf vouches for a licence as it is stored now, and whether the
// stored licence still matches it. The anchor is the licence's most recent lifecycle event
// (issue / renew / suspend / resume / revoke / expire; for a superseded licence, the renewal that
// superseded it): its event document names the licence, its status and the hash of its fields,
// and the ledger entry commits to H(document). A verification shows the document and the entry's
// inclusion proof, so a verifier can check that what it was told is what the public log holds
// (docs/license.md, "Ledger proof of a verification").
//
// Thread-safety: free functions over the caller's transaction; stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/hash.h"
#include "ledger/entry.h"
#include "license/license_record.h"
#include "store/database.h"

namespace tongban::license {

struct LedgerAnchor {
  int64_t event_id = 0;
  std::string license_id;  // whose event it is (for a superseded licence: its successor)
  std::string action;      // issue / renew / suspend / resume / revoke / expire
  std::string document;    // the event document text; entry.document = H(document)
  ledger::Entry entry;     // as the event's ledger entry must read, except its index
  uint64_t hint = 0;       // the entry's leaf index is at least this
  std::optional<uint64_t> known_leaf;  // where a previous verification found it (re-checked)
  // Non-empty when the stored licence does not match its own event (altered behind the
  // system's back): then the licence must be reported tampered, never proven.
  std::string problem;
};


// The anchor of licence `l` as read in `tx`. `subject` is the keyed hash of l.holder_subject.
// Never kNotFound: a licence without a lifecycle event gets an anchor with a problem.
Result<LedgerAnchor> FindLedgerAnchor(store::Tx& tx, const License& l, crypto::HashAlgorithm hash,
                                      const std::array<uint8_t, 32>& subject);

// The index of the integrated leaf whose entry is the anchor's: the known leaf when its stored
// entry is byte for byte the anchor's, else scanning from the hint (chunks growing from 256 to
// 4096 entries, at most a few million leaves); nullopt if none is integrated (not yet, or the
// event, the licence or the log entry was altered).
Result<std::optional<uint64_t>> FindAnchorLeaf(store::Tx& tx, const LedgerAnchor& anchor);

}  // namespace tongban::license
