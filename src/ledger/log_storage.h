// LogStorage: the ledger's tables and every SQL statement that touches them, written against
// store::Database. The sequencer (ledger/sequencer.h) writes through it inside its one batch
// transaction; readers (ledger/log_reader.h, ledger/audit.h) read through it inside
// Database::Read snapshots and never take the write path.
//
// Tables (one log per database; all integers are signed 64-bit, tree sizes < 2^63):
//
//   ledger_queue      (id, entry)                       entries enqueued by callers, not yet
//                                                       integrated; entry = canonical bytes with
//                                                       index 0 (the sequencer assigns it)
//   ledger_entry      (idx, entry, leaf_hash)           integrated entries: canonical bytes
//                                                       (with their index) and H(0x00 || entry)
//   ledger_leaf_index (leaf_key, idx)                   lookup of leaves by hash, for
//                                                       proof-by-hash: leaf_key = LeafKey(hash);
//                                                       covers indices below indexed_size
//   ledger_tile       (level, idx, hashes)              C2SP tlog-tiles: tile (L, N) holds the
//                                                       hashes of tree level 8L, nodes
//                                                       N*256 .. N*256+w-1, as w*32 bytes
//   ledger_checkpoint (size, root, note, time_micros)   every signed checkpoint, one per batch
//   ledger_state      (id = 1, origin, hash_alg, size, root, frontier, time_micros, indexed_size)
//                                                       the tree as of the last batch; frontier =
//                                                       Frontier::nodes() concatenated
//
// Why the leaf-hash index is built after integration, not in the batch (as tessera keeps its
// optional antispam index apart from integration): its keys are random, so every insert lands on
// a random page of a B-tree that grows with the log, and a 10,000-leaf batch would dirty (and
// write at commit) most of its pages; measured, that cut a batch's rate by 2.5x. Built in large
// sorted batches (Sequencer: IndexOnce, by default every 100,000 leaves or when idle), each page
// is written once per index batch. Leaves at or above indexed_size are found by a bounded scan
// of the tail, so lookups by hash are exact at every moment.
//
// Why tiles are stored as tiles (not as nodes assembled on read): a tile is what is served and
// what proofs read, so one indexed row read answers a tile request or one level of a proof, and
// the table holds 1/256 as many rows as a node table (one 8 KiB row per 256 leaves at level 0).
// The partial tile at the right edge of each level is rewritten (UPSERT) by each batch that grows
// it; tiles only ever grow by appending hashes, so the partial tile `.p/W` of any earlier tree
// size is a prefix of the stored row, and serving it needs no history.
//
// Written guarantees (held by the sequencer's single transaction per batch):
//   - ledger_entry holds exactly indices 0 .. size-1 of ledger_state.size, each once.
//   - ledger_tile holds, for every tile level, the tiles of a tree of ledger_state.size: full
//     tiles 0 .. k-1 and the partial tile (if any) at exactly its width.
//   - ledger_checkpoint holds a checkpoint for ledger_state.size (and for every earlier batch);
//     no checkpoint covers an entry that is not stored.
//   - a row leaves ledger_queue in the same transaction that adds its entry to ledger_entry.
//
// Thread-safety: free functions on a caller's store::Tx (which belongs to one thread).
// Ownership: nothing here owns storage or keeps state between calls.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "crypto/hash.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/tile.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::ledger {

// The ledger's schema migrations (part "ledger", versions 1..), to give store::Migrate() once
// at start, together with the other parts' lists.
std::vector<store::Migration> LogStorageMigrations();

// A row of ledger_queue. Ids grow with insertion; the sequencer integrates in id order among the
// rows visible to it (on PostgreSQL a transaction that commits late with a lower id is taken by
// the next batch: order of integration is commit-visible order, never skipped).
struct QueueId {
  int64_t value = 0;
  friend auto operator<=>(const QueueId&, const QueueId&) = default;
};

// Enqueues `entry` for integration inside the caller's transaction, so that the caller's state
// change and its ledger entry commit together or not at all. `entry.index` is ignored (the
// sequencer assigns it). kInvalidArgument if the entry does not encode (ledger/entry.h); store
// errors pass through (return them from the transaction function).
// REQUIRES: `tx` is a read-write transaction.
Result<QueueId> EnqueueEntry(store::Tx& tx, const Entry& entry);

// As EnqueueEntry, for many entries through one prepared statement; returns nothing (use it for
// bulk loads, where ids are not needed).
Status EnqueueEntries(store::Tx& tx, std::span<const Entry> entries);

// The log's identity and tree as of its last batch (ledger_state).
struct LogState {
  std::string origin;
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;
  uint64_t size = 0;
  Hash root{};
  std::vector<Hash> frontier;  // Frontier::FrontierNodes(size), in order
  int64_t time_micros = 0;     // when the last batch was integrated
};

// kNotFound when the log has not been initialised; kDataLoss when the row is malformed.
Result<LogState> ReadLogState(store::Tx& tx);
// The log's size now, 0 when it has not been initialised: the hint a writer keeps beside an entry
// it queued (the leaf is at or after it). Any other error is returned, never read as 0: on
// PostgreSQL a failed statement aborts the transaction, so the caller must stop there.
Result<uint64_t> LogSizeHint(store::Tx& tx);

// Inserts the state row of an empty log (size 0, root H("")) and its signed size-0 checkpoint
// `note`. kAlreadyExists if the log exists.
Status InitLogState(store::Tx& tx, const LogState& empty, std::string_view note);

// Replaces the state row. REQUIRES: the row exists.
Status WriteLogState(store::Tx& tx, const LogState& state);

// A queued row, as read by the sequencer.
struct QueuedEntry {
  QueueId id;
  std::string entry;  // canonical bytes, index 0
};

// Up to `limit` queue rows in id order.
Result<std::vector<QueuedEntry>> ReadQueue(store::Tx& tx, size_t limit);

// Deletes exactly the queue rows `first` .. `last` read by ReadQueue in this transaction; `count`
// is how many were read. kInternal if another number of rows went (another writer changed the
// queue under this transaction, which isolation should make impossible).
Status DeleteQueued(store::Tx& tx, QueueId first, QueueId last, size_t count);

// Queue depth and the entry time (unix micros) of its oldest row (nullopt when empty).
struct QueueStats {
  int64_t depth = 0;
  std::optional<int64_t> oldest_time_micros;
};
Result<QueueStats> ReadQueueStats(store::Tx& tx);

// Inserts integrated entries first_index, first_index+1, ... with their leaf hashes.
// REQUIRES: entries.size() == leaf_hashes.size().
Status WriteEntries(store::Tx& tx, uint64_t first_index, std::span<const std::string> entries,
                    std::span<const Hash> leaf_hashes);

// Integrated entries [begin, end) in index order (fewer if the log is shorter).
struct StoredEntry {
  uint64_t index = 0;
  std::string entry;
  std::string leaf_hash;  // as stored: normally kHashSize bytes
};
Result<std::vector<StoredEntry>> ReadEntries(store::Tx& tx, uint64_t begin, uint64_t end);

// The smallest index whose stored leaf hash is `leaf_hash`, nullopt if none: through
// ledger_leaf_index below indexed_size, by scanning ledger_entry above it.
Result<std::optional<uint64_t>> FindLeafIndex(store::Tx& tx, const Hash& leaf_hash);

// The lookup key of a leaf hash: its first 8 bytes as a big-endian signed integer.
int64_t LeafKey(const Hash& leaf_hash);
// How many leaves (from 0) ledger_leaf_index covers.
Result<uint64_t> ReadIndexedSize(store::Tx& tx);
// Adds up to `max_leaves` integrated leaves above indexed_size to ledger_leaf_index (sorted by
// key) and advances indexed_size. Returns how many were added (0: all indexed).
Result<uint64_t> IndexLeafHashes(store::Tx& tx, uint64_t max_leaves);
// ledger_leaf_index rows (leaf_key, idx) with begin <= idx < end, in idx order (for audit).
Result<std::vector<std::pair<int64_t, uint64_t>>> ReadLeafIndexRows(store::Tx& tx, uint64_t begin,
                                                                    uint64_t end);

// The stored hashes of tile (level, index) at its current width (w*32 bytes), nullopt if none.
Result<std::optional<std::string>> ReadTileRow(store::Tx& tx, uint32_t level, uint64_t index);

// Inserts or replaces tile (level, index) with `hashes` (w*32 bytes, 1 <= w <= 256).
Status WriteTileRow(store::Tx& tx, uint32_t level, uint64_t index, std::string_view hashes);

// Every stored tile's key and byte length, in (level, index) order (for audit).
struct TileRowInfo {
  uint32_t level = 0;
  uint64_t index = 0;
  int64_t bytes = 0;
};
Result<std::vector<TileRowInfo>> ListTileRows(store::Tx& tx);

// One row of ledger_checkpoint.
struct StoredCheckpoint {
  uint64_t size = 0;
  std::string root;   // as stored: normally kHashSize bytes
  std::string note;   // the signed note (C2SP signed-note of a tlog-checkpoint)
  int64_t time_micros = 0;
};
Status WriteCheckpoint(store::Tx& tx, const StoredCheckpoint& checkpoint);
// The checkpoint for exactly `size`, nullopt if none.
Result<std::optional<StoredCheckpoint>> ReadCheckpoint(store::Tx& tx, uint64_t size);
// The checkpoint with the largest size, nullopt if none.
Result<std::optional<StoredCheckpoint>> ReadLatestCheckpoint(store::Tx& tx);
// Checkpoints with size > after, ascending, at most `limit`.
Result<std::vector<StoredCheckpoint>> ReadCheckpoints(store::Tx& tx, std::optional<uint64_t> after,
                                                      size_t limit);

// A TileReader over ledger_tile inside one transaction: serves tile (L, N) at width W as the
// first W hashes of the stored row; kNotFound when the row is missing or narrower than W.
// Not thread-safe; `tx` must outlive it.
class StoredTileReader : public TileReader {
 public:
  explicit StoredTileReader(store::Tx& tx) : tx_(tx) {}
  Status ReadTiles(std::span<const TileId> tiles, std::span<std::string> out) override;

 private:
  store::Tx& tx_;
};

}  // namespace tongban::ledger
