// A Sequencer integrates queued ledger entries (ledger/log_storage.h EnqueueEntry) into the
// Merkle log, in queue order, in batches, and signs one C2SP checkpoint per batch.
//
// One batch is ONE write transaction (store::Database::Transact):
//   1. read the tree state (size, frontier) and up to max_batch queue rows, in id order
//   2. assign indices size, size+1, ...; compute each leaf hash H(0x00 || entry)
//   3. extend the Frontier; keep the nodes at tree levels 8L (tile level L)
//   4. write the entries (ledger_entry) and the grown tiles (ledger_tile)
//   5. sign the checkpoint (origin, new size, new root) with every signer; store it
//   6. delete the queue rows; update ledger_state
// and commit. Separately, in its own transactions (IndexOnce), the leaf-hash lookup index is
// extended in large sorted runs (ledger/log_storage.h says why it is not in the batch).
// Written guarantees:
//   - A batch is all or nothing: a crash or an error at any step rolls the whole transaction
//     back, so the log holds all of a batch or none of it, and no checkpoint covers a leaf that is
//     not stored. A rolled-back batch's entries stay queued and are taken by the next batch.
//   - Nothing acknowledged is lost: an entry is acknowledged when its caller's transaction
//     commits (the queue row), and a queue row leaves only with its entry stored.
//   - Restart resumes: all state is read from storage at the start of every batch, so a new
//     Sequencer (or another process, one at a time) continues where the last commit left off.
//     The in-memory copy is only for metrics and waiters.
//   - Every batch produces one checkpoint; an empty queue produces none. Creating the log writes
//     a checkpoint for the empty tree, so there is always a latest checkpoint to serve.
//   - Proof by leaf hash is exact at every moment, indexed or not (log_storage.h FindLeafIndex).
//
// Thread-safety: thread-safe. IntegrateOnce() calls are serialised by an internal mutex (the
// signers are used by one thread at a time). Start()/Stop() are for one owning thread.
// Ownership: owns its thread; does not own `db`, the signers or the clock, which must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/hash.h"
#include "ledger/log_storage.h"
#include "ledger/merkle.h"
#include "ledger/note_signer.h"
#include "store/database.h"

namespace tongban::ledger {

// The steps of one batch, in order, for fault injection (SequencerOptions::fault_hook).
enum class IntegrateStep {
  kReadQueue,         // state and queue rows read
  kHashed,            // leaf hashes computed, frontier extended
  kEntriesWritten,    // ledger_entry rows written
  kTilesWritten,      // ledger_tile rows written
  kCheckpointSigned,  // checkpoint note signed
  kCheckpointStored,  // ledger_checkpoint row written
  kQueueDeleted,      // queue rows deleted
  kStateWritten,      // ledger_state updated: the last step before COMMIT
};
inline constexpr int kIntegrateSteps = 8;

struct SequencerOptions {
  // The log's origin line (e.g. "tongban.example/gm/2026") and suite hash. Checked against the
  // stored log on Create (kFailedPrecondition on a mismatch).
  std::string origin;
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;
  // Checkpoint signers, in signature order; at least one. Not owned.
  std::vector<NoteSigner*> signers;
  // At most this many entries per batch (1 .. 1,000,000).
  size_t max_batch = 10000;
  // The background thread polls the queue this often when a batch was not full (1 ms .. 1 s):
  // an entry waits at most about max_delay plus one batch's integration time.
  std::chrono::microseconds max_delay{std::chrono::milliseconds(10)};
  // Times stored with checkpoints and the state. Not owned; nullptr means the system clock.
  const Clock* clock = nullptr;
  // Test seam: called inside the batch transaction after each step; a non-OK status aborts the
  // batch there (rolled back) and is returned by IntegrateOnce. Empty in production.
  std::function<Status(IntegrateStep)> fault_hook;
  // The leaf-hash lookup index (ledger/log_storage.h) is extended outside the batches, in
  // transactions of up to this many leaves, by the background thread when this many are waiting
  // or when the queue is idle, and by Stop(). Lookups by hash are exact either way.
  size_t index_batch = 100000;
  // How many recently integrated queue ids are remembered for WaitForEntry (memory: 8 bytes each).
  size_t remember_entries = 1 << 20;
};

// What one batch did.
struct BatchResult {
  size_t count = 0;       // entries integrated (0: nothing was queued)
  uint64_t first_index = 0;
  uint64_t size = 0;      // tree size after the batch
  Hash root{};
};

// Counters for /metrics. Monotonic since Create() apart from the gauges.
struct SequencerStats {
  uint64_t size = 0;             // gauge: integrated tree size
  uint64_t batches = 0;          // committed batches with at least one entry
  uint64_t entries = 0;          // entries integrated by this Sequencer
  uint64_t failures = 0;         // batches that failed (rolled back)
  uint64_t indexed = 0;          // leaves added to the leaf-hash index by this Sequencer
  int64_t last_batch_micros = 0; // gauge: duration of the last committed batch
  size_t last_batch_size = 0;    // gauge
  std::string last_error;        // of the last failed batch, for logs ("" if none yet)
};

class Sequencer {
 public:
  // Validates the options, creates the log (empty tree and its signed checkpoint) if the database
  // has none, and reads its state. REQUIRES: the ledger migrations are applied.
  // kInvalidArgument for bad options; kFailedPrecondition if the stored log has another origin or
  // hash; store errors pass through.
  static Result<std::unique_ptr<Sequencer>> Create(store::Database& db, SequencerOptions options);

  ~Sequencer();  // Stop()s.
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Integrates up to max_batch queued entries in one transaction (see the header comment).
  // Returns count 0 without writing when nothing is queued.
  Result<BatchResult> IntegrateOnce();

  // Adds up to index_batch integrated leaves to the leaf-hash index in one transaction; returns
  // how many (0 when all are indexed).
  Result<uint64_t> IndexOnce();

  // Starts the background thread (integrate, then wait max_delay unless the batch was full).
  // kFailedPrecondition if already running.
  Status Start();
  // Stops the thread, then integrates everything still queued (Stop flushes) and indexes every
  // leaf. Returns the first error of the flush. Safe to call when not running (it still flushes).
  Status Stop();
  // Wakes the background thread now (e.g. after a caller committed an urgent entry).
  void Notify();

  // Blocks until the tree has at least `size` leaves or `timeout` passes. kUnavailable on
  // timeout (HTTP callers reply 503 with Retry-After).
  Status WaitForSize(uint64_t size, std::chrono::milliseconds timeout);
  // Blocks until the queue row `id` (committed by the caller) is integrated by this Sequencer and
  // returns its leaf index. kUnavailable on timeout; kNotFound if the row is neither queued nor
  // among the last `remember_entries` integrated here (integrated long ago, by another process,
  // or its transaction never committed): look the entry up by leaf hash instead.
  Result<LeafIndex> WaitForEntry(QueueId id, std::chrono::milliseconds timeout);

  uint64_t size() const { return size_.load(); }
  SequencerStats stats() const;
  const SequencerOptions& options() const { return options_; }

 private:
  Sequencer(store::Database& db, SequencerOptions options);
  void Run();
  int64_t NowMicros() const;
  // One batch, computed from what a transaction read (the log's state, the queue, the right-edge
  // tiles): its entries with their indices, leaf hashes, tile rows, the signed checkpoint.
  struct PendingBatch {
    struct Tile {
      uint32_t level;
      uint64_t index;
      std::string bytes;
    };
    LogState state;  // as read: the batch applies only to a log still in this state
    std::vector<std::string> entries;
    std::vector<Hash> leaves;
    std::vector<int64_t> queue_ids;
    QueueId first_queued, last_queued;
    std::vector<Tile> tiles;
    std::vector<Hash> frontier;  // after the batch
    uint64_t size = 0;           // after the batch
    Hash root{};
    std::string note;
    int64_t time_micros = 0;
  };
  // Reads and computes the next batch (no writes; empty `entries` when the queue is empty).
  Status PrepareInTx(store::Tx& tx, PendingBatch* p);
  // Writes a prepared batch; sets `out` only (no other side effects). REQUIRES: the log is in
  // p.state in `tx`.
  Status WriteInTx(store::Tx& tx, const PendingBatch& p, BatchResult* out);
  // leaves[i] = H(0x00 || queued[i].entry); large batches on two threads.
  void HashLeaves(std::span<const QueuedEntry> queued, std::span<Hash> leaves);
  void Remember(std::vector<int64_t> queue_ids, uint64_t first_index);
  std::optional<uint64_t> LookUp(int64_t queue_id) const;  // REQUIRES: mu_ held

  store::Database& db_;
  const SequencerOptions options_;
  SystemClock system_clock_;

  std::mutex integrate_mu_;  // one batch at a time; guards the signers and hasher_
  TreeHasher hasher_;
  std::atomic<uint64_t> size_{0};

  mutable std::mutex mu_;  // guards what follows
  std::condition_variable integrated_cv_;  // notified after every committed batch
  std::condition_variable wake_cv_;        // wakes the thread (Notify, Stop)
  bool running_ = false;
  bool stopping_ = false;
  bool notified_ = false;
  SequencerStats stats_;
  // Recently integrated batches: queue ids (ascending) and the index of the first.
  struct Remembered {
    std::vector<int64_t> ids;
    uint64_t first_index;
  };
  std::deque<Remembered> recent_;
  size_t recent_count_ = 0;
  uint64_t unindexed_ = 0;  // leaves integrated here since the last IndexOnce
  bool index_caught_up_ = false;
  std::thread thread_;
};

}  // namespace tongban::ledger
