// LogReader: everything the HTTP and CLI layers read from the stored log — checkpoints, C2SP
// tlog-tiles (hash tiles and entry bundles), entries, inclusion proofs (by index or leaf hash)
// and consistency proofs — each call one read-only snapshot (store::Database::Read), so readers
// never wait for the sequencer nor go through its write transaction.
//
// Proofs are generated from the stored tiles through TileNodeSource (ledger/tile.h): nodes at
// tree levels that are not multiples of 8 are recomputed from the tile below. Any tree size up to
// the integrated size can be asked for; clients verify against the checkpoint of that size, which
// exists for every size a batch ended at (ReadCheckpoint).
//
// Thread-safety: thread-safe (each call makes its own hasher and snapshot).
// Ownership: does not own `db`, which must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "crypto/hash.h"
#include "ledger/log_storage.h"
#include "ledger/merkle.h"
#include "ledger/tile.h"
#include "store/database.h"

namespace tongban::ledger {

// An inclusion proof with what a client needs to check it against a checkpoint.
struct InclusionProofResult {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  Hash leaf_hash{};
  std::vector<Hash> proof;
};

class LogReader {
 public:
  LogReader(store::Database& db, crypto::HashAlgorithm hash) : db_(db), hash_(hash) {}

  // The tree as of the last batch. kNotFound if the log was never created.
  Result<LogState> State();
  // Queue depth and oldest queued entry time (lag = now - oldest_time_micros), for /metrics.
  Result<QueueStats> Queue();

  // The latest signed checkpoint (what `/checkpoint` serves). kNotFound if none.
  Result<StoredCheckpoint> LatestCheckpoint();
  // The checkpoint of exactly `size`. kNotFound if no batch ended at that size.
  Result<StoredCheckpoint> Checkpoint(uint64_t size);
  // Checkpoints with size > after (all when nullopt), ascending, at most `limit`.
  Result<std::vector<StoredCheckpoint>> Checkpoints(std::optional<uint64_t> after, size_t limit);

  // The bytes of tile `tile` (C2SP tlog-tiles): the first tile.width hashes of the stored tile.
  // kNotFound if the log has not grown that far (HTTP 404).
  Result<std::string> Tile(const TileId& tile);
  // The entry bundle `tile/entries/<index>[.p/<width>]`: entries index*256 .. +width-1.
  // kNotFound if they are not all integrated.
  Result<std::string> EntryBundle(uint64_t index, uint32_t width);

  // An integrated entry by index (canonical bytes and leaf hash). kNotFound past the end.
  Result<StoredEntry> EntryAt(uint64_t index);
  // The index of the leaf with this hash. kNotFound if none.
  Result<uint64_t> IndexOf(const Hash& leaf_hash);

  // Inclusion proof of leaf `index` in the tree of `tree_size` (0 = the current size).
  // kOutOfRange if index >= tree_size or tree_size > the integrated size.
  Result<InclusionProofResult> InclusionProof(uint64_t index, uint64_t tree_size = 0);
  // The same, for the leaf with hash `leaf_hash`. kNotFound if no such leaf in that tree.
  Result<InclusionProofResult> InclusionProofByHash(const Hash& leaf_hash, uint64_t tree_size = 0);
  // Consistency proof between tree sizes m and n (RFC 9162 §2.1.4; empty for m == n).
  // kOutOfRange unless 0 < m <= n <= the integrated size.
  Result<std::vector<Hash>> ConsistencyProof(uint64_t m, uint64_t n);
  // MTH of the first `tree_size` leaves, from the tiles. kOutOfRange past the integrated size.
  Result<Hash> RootAt(uint64_t tree_size);

 private:
  store::Database& db_;
  crypto::HashAlgorithm hash_;
};

}  // namespace tongban::ledger
