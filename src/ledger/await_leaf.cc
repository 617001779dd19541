// Waiting for a record's ledger leaf; see await_leaf.h.
#include "ledger/await_leaf.h"

namespace tongban::ledger {

Result<std::optional<uint64_t>> AwaitLeaf(LogReader& reader, Sequencer* sequencer,
                                          const LeafLookup& lookup,
                                          std::chrono::steady_clock::time_point deadline) {
  while (true) {
    // The queue first (see the header): an empty queue makes a miss final.
    TB_ASSIGN_OR_RETURN(QueueStats queue, reader.Queue());
    TB_ASSIGN_OR_RETURN(std::optional<uint64_t> leaf, lookup());
    if (leaf) return leaf;
    if (queue.depth == 0) {
      // The sequencer may have integrated the entry between the lookup and the queue read of the
      // next round (regression: a just-issued receipt reported as tampered on PostgreSQL): with
      // the queue empty before this lookup, one more lookup is final.
      return lookup();
    }
    if (std::chrono::steady_clock::now() >= deadline || sequencer == nullptr) {
      return Status::Unavailable("the ledger entry is not integrated yet; retry");
    }
    sequencer->Notify();
    (void)sequencer->WaitForSize(sequencer->size() + 1, std::chrono::milliseconds(100));
  }
}

}  // namespace tongban::ledger
