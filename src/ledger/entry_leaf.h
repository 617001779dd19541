// FindEntryLeaf: where an entry a part enqueued landed in the log. A part that keeps, beside its
// record, the entry it enqueued (all but the index, which the sequencer assigns) and a hint (the
// log size when it was enqueued; the leaf is at or after it) finds the leaf to prove the record
// with: the licence lifecycle's anchors (license/ledger_anchor.h), the data platform's access
// log (data/data_service.h).
//
// Thread-safety: a free function over the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>

#include "core/status.h"
#include "ledger/entry.h"
#include "store/database.h"

namespace tongban::ledger {

// The index of the integrated leaf whose entry equals `entry` in time, subject, document and type:
// `known_leaf` when given and its stored entry is byte for byte `entry` at that index (else
// nullopt: the leaf once found no longer matches, so something was altered); otherwise scanning
// from `hint` in chunks growing from 256 to 4096 entries, at most a few million leaves. nullopt
// when none is integrated (not yet, or the record or the log was altered).
Result<std::optional<uint64_t>> FindEntryLeaf(store::Tx& tx, const Entry& entry, uint64_t hint,
                                              std::optional<uint64_t> known_leaf = std::nullopt);

}  // namespace tongban::ledger
