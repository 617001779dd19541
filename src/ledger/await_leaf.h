// AwaitLeaf: waits until a record's ledger entry is integrated, for the verification use cases
// (a receipt, a licence's latest lifecycle event) whose records are committed together with a
// queued ledger entry. One owner of the rule every verifier needs:
//
//   The queue is read BEFORE each lookup. If it was empty then, every entry committed before the
//   lookup's snapshot had been integrated, so a lookup that still misses proves that the stored
//   record no longer matches any entry: the answer is "absent" (callers report it as tampered),
//   not "wait". While the queue is not empty the sequencer is nudged and the lookup repeated until
//   `deadline`.
//
// Thread-safe: it only calls the (thread-safe) reader, sequencer and `lookup`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "core/status.h"
#include "ledger/log_reader.h"
#include "ledger/sequencer.h"

namespace tongban::ledger {

// The record's leaf index when its entry is integrated, nullopt when it is not (yet) found.
// Any error is passed on.
using LeafLookup = std::function<Result<std::optional<uint64_t>>()>;

// The leaf; nullopt when the queue was empty and still no leaf matched (the record was altered);
// kUnavailable when `deadline` passes first ("not on the ledger yet; retry": HTTP callers answer
// 503 with Retry-After). Without a sequencer (`sequencer` null) it does not wait.
Result<std::optional<uint64_t>> AwaitLeaf(LogReader& reader, Sequencer* sequencer,
                                          const LeafLookup& lookup,
                                          std::chrono::steady_clock::time_point deadline);

}  // namespace tongban::ledger
