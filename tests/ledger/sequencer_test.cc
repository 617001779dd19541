// Sequencer, LogReader, audit and offline verification against both store drivers and both
// suites: batches integrate in order with the in-memory tree's roots, every checkpoint verifies,
// proofs from stored tiles verify for every (index, size) up to 300 leaves, a rolled-back enqueue
// leaves nothing, a batch killed at any step leaves all or nothing and a restart resumes, and
// tampering with any stored entry, tile or checkpoint is caught by the audit.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <thread>

#include "ledger/audit.h"
#include "ledger/checkpoint.h"
#include "ledger/log_reader.h"
#include "ledger/offline_verify.h"
#include "ledger/proof.h"
#include "ledger/tile.h"
#include "stored_log_fixture.h"

namespace tongban::ledger {
namespace {

using testing::AllStoredLogParams;
using testing::ParamName;

std::string Str(const Hash& h) { return std::string(reinterpret_cast<const char*>(h.data()), 32); }

// Remembers the tiles it has read from `base` (for one tree size), so a test can ask for many
// proofs of one size while reading each stored tile once.
class CachingTileReader : public TileReader {
 public:
  explicit CachingTileReader(TileReader& base) : base_(base) {}
  Status ReadTiles(std::span<const TileId> tiles, std::span<std::string> out) override {
    for (size_t i = 0; i < tiles.size(); ++i) {
      const std::string key = TilePath(tiles[i]);
      auto it = cache_.find(key);
      if (it == cache_.end()) {
        std::string data;
        TB_RETURN_IF_ERROR(base_.ReadTiles(std::span(&tiles[i], 1), std::span(&data, 1)));
        it = cache_.emplace(key, std::move(data)).first;
      }
      out[i] = it->second;
    }
    return Status::Ok();
  }

 private:
  TileReader& base_;
  std::map<std::string, std::string> cache_;
};

class SequencerTest : public testing::StoredLogTest {
 protected:
  AuditOptions Audit() const { return AuditOptions{origin_, hash_, verifier_, 1000}; }

  // The state of every ledger table, for "nothing changed" checks.
  std::string Snapshot() {
    std::string out;
    Status s = db_->Read([&](store::Tx& tx) -> Status {
      for (const char* q : {"SELECT idx, entry, leaf_hash FROM ledger_entry ORDER BY idx",
                            "SELECT level, idx, hashes FROM ledger_tile ORDER BY level, idx",
                            "SELECT size, root, note FROM ledger_checkpoint ORDER BY size",
                            "SELECT size, root, frontier FROM ledger_state",
                            "SELECT id, entry FROM ledger_queue ORDER BY id"}) {
        TB_ASSIGN_OR_RETURN(std::vector<store::Row> rows, tx.Query(q));
        out += q;
        for (const store::Row& r : rows) {
          for (size_t c = 0; c < r.size(); ++c) {
            out += "|";
            if (r.kind(c) == store::Row::Kind::kInt64) {
              out += std::to_string(r.Int64(c));
            } else if (r.kind(c) == store::Row::Kind::kBlob) {
              out += crypto::ToHex(r.Blob(c));
            } else {
              out += std::string(r.Text(c));
            }
          }
          out += "\n";
        }
      }
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  void Exec(std::string_view sql, store::Params params = {}) {
    Status s = db_->Transact([&](store::Tx& tx) { return tx.Exec(sql, params).status(); });
    ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  }
};

TEST_P(SequencerTest, CreatesTheLogWithASignedEmptyCheckpoint) {
  auto seq = MakeSequencer();
  ASSERT_NE(seq, nullptr);
  EXPECT_EQ(seq->size(), 0u);
  LogReader reader(*db_, hash_);
  auto cp = reader.LatestCheckpoint();
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, 0u);
  auto body = OpenCheckpoint(cp->note, origin_, verifier_);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(body->root, TreeHasher(hash_).EmptyRoot());
  // Nothing queued: no batch, no new checkpoint.
  auto r = seq->IntegrateOnce();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count, 0u);
  EXPECT_EQ(reader.Checkpoints(std::nullopt, 100)->size(), 1u);
  // A second Create on the same log reads it back.
  EXPECT_NE(MakeSequencer(), nullptr);
}

TEST_P(SequencerTest, RefusesAnotherLogsDatabase) {
  ASSERT_NE(MakeSequencer(), nullptr);
  SequencerOptions o = Options();
  o.origin = "someone.else/log";
  EXPECT_EQ(Sequencer::Create(*db_, o).status().code(), ErrorCode::kFailedPrecondition);
  o = Options();
  o.max_delay = std::chrono::seconds(2);
  EXPECT_EQ(Sequencer::Create(*db_, o).status().code(), ErrorCode::kInvalidArgument);
  o = Options();
  o.signers.clear();
  EXPECT_EQ(Sequencer::Create(*db_, o).status().code(), ErrorCode::kInvalidArgument);
}

TEST_P(SequencerTest, BatchesIntegrateInOrderWithTheMemoryTreesRoots) {
  auto seq = MakeSequencer();
  ASSERT_NE(seq, nullptr);
  MemoryTree tree(hash_);
  LogReader reader(*db_, hash_);
  uint64_t n = 0;
  for (uint64_t batch : {1, 5, 250, 1, 300, 256, 0, 7}) {
    Enqueue(n, n + batch);
    auto r = seq->IntegrateOnce();
    ASSERT_TRUE(r.ok()) << r.status().ToString() << " " << r.status().detail();
    EXPECT_EQ(r->count, batch);
    AppendExpected(tree, n, n + batch);
    n += batch;
    EXPECT_EQ(r->size, n);
    EXPECT_EQ(seq->size(), n);
    if (batch > 0) {
      EXPECT_EQ(r->root, tree.Root());
    }
    auto root = reader.RootAt(n);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, tree.Root());
  }
  // Entries are stored in queue order with their indices.
  for (uint64_t i = 0; i < n; i += 37) {
    auto e = reader.EntryAt(i);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->entry, EntryBytes(i, i));
    EXPECT_EQ(e->leaf_hash, Str(tree.hasher().HashLeaf(EntryBytes(i, i))));
  }
  EXPECT_EQ(reader.EntryAt(n).status().code(), ErrorCode::kNotFound);
  // Every stored checkpoint (one per non-empty batch plus the empty tree's) verifies.
  auto cps = reader.Checkpoints(std::nullopt, 1000);
  ASSERT_TRUE(cps.ok());
  std::vector<uint64_t> sizes;
  for (const StoredCheckpoint& c : *cps) {
    sizes.push_back(c.size);
    auto body = OpenCheckpoint(c.note, origin_, verifier_);
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    EXPECT_EQ(body->size, c.size);
    EXPECT_EQ(body->root, tree.RootAt(c.size));
    EXPECT_EQ(c.root, Str(body->root));
  }
  EXPECT_EQ(sizes, (std::vector<uint64_t>{0, 1, 6, 256, 257, 557, 813, 820}));
  EXPECT_EQ(reader.LatestCheckpoint()->size, n);
  auto state = reader.State();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->size, n);
  EXPECT_EQ(state->root, tree.Root());
  EXPECT_TRUE(AuditLog(*db_, Audit()).ok());
}

TEST_P(SequencerTest, LargeBatchesHashOnTwoThreadsWithTheSameTree) {
  auto seq = MakeSequencer();
  ASSERT_NE(seq, nullptr);
  Enqueue(0, 5001);  // above the two-thread threshold, odd
  auto r = seq->IntegrateOnce();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->count, 5001u);
  MemoryTree tree(hash_);
  AppendExpected(tree, 0, 5001);
  EXPECT_EQ(r->root, tree.Root());
  LogReader reader(*db_, hash_);
  for (uint64_t i : {0, 2499, 2500, 2501, 5000}) {
    EXPECT_EQ(reader.EntryAt(i)->leaf_hash, Str(tree.hasher().HashLeaf(EntryBytes(i, i))));
  }
  EXPECT_TRUE(AuditLog(*db_, Audit()).ok());
}

TEST_P(SequencerTest, MaxBatchSplitsTheQueueAndKeepsOrder) {
  auto seq = MakeSequencer(/*max_batch=*/7);
  ASSERT_NE(seq, nullptr);
  Enqueue(0, 20);
  std::vector<uint64_t> sizes;
  for (;;) {
    auto r = seq->IntegrateOnce();
    ASSERT_TRUE(r.ok());
    if (r->count == 0) break;
    sizes.push_back(r->size);
  }
  EXPECT_EQ(sizes, (std::vector<uint64_t>{7, 14, 20}));
  MemoryTree tree(hash_);
  AppendExpected(tree, 0, 20);
  LogReader reader(*db_, hash_);
  EXPECT_EQ(reader.State()->root, tree.Root());
  EXPECT_EQ(reader.Queue()->depth, 0);
}

TEST_P(SequencerTest, ProofsFromStoredTilesVerifyForEveryIndexAndSize) {
  constexpr uint64_t kLeaves = 300;  // crosses the first level-0 tile boundary
  auto seq = MakeSequencer();
  ASSERT_NE(seq, nullptr);
  MemoryTree tree(hash_);
  for (uint64_t n = 0; n < kLeaves; n += 23) {
    const uint64_t end = std::min(kLeaves, n + 23);
    Enqueue(n, end);
    ASSERT_TRUE(seq->IntegrateOnce().ok());
  }
  AppendExpected(tree, 0, kLeaves);
  // Every inclusion proof, and the consistency proofs to a sample of sizes, generated from the
  // stored tiles in one snapshot, equal the in-memory tree's and verify against its roots. Each
  // size reads its tiles from storage once (CachingTileReader); proofs for every index reuse them.
  Status s = db_->Read([&](store::Tx& tx) -> Status {
    TreeHasher hasher(hash_);
    StoredTileReader stored(tx);
    for (uint64_t size = 1; size <= kLeaves; ++size) {
      CachingTileReader tiles(stored);
      TileNodeSource nodes(size, tiles, hasher);
      const Hash root = tree.RootAt(size);
      for (uint64_t i = 0; i < size; ++i) {
        auto p = InclusionProof(i, size, nodes, hasher);
        if (!p.ok()) return p.status();
        EXPECT_EQ(*p, *tree.InclusionProof(i, size)) << i << " " << size;
        const Hash leaf = hasher.HashLeaf(EntryBytes(i, i));
        EXPECT_TRUE(VerifyInclusion(hasher, i, size, leaf, *p, root).ok()) << i << " " << size;
      }
      if (size % 13 != 0 && size != 255 && size != 256 && size != 257 && size != kLeaves) continue;
      for (uint64_t m = 1; m <= size; ++m) {
        auto p = ConsistencyProof(m, size, nodes, hasher);
        if (!p.ok()) return p.status();
        EXPECT_EQ(*p, *tree.ConsistencyProof(m, size)) << m << " " << size;
        EXPECT_TRUE(VerifyConsistency(hasher, m, size, *p, tree.RootAt(m), root).ok())
            << m << " " << size;
      }
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();

  // The reader's API: by index, by leaf hash, consistency, and its error cases.
  LogReader reader(*db_, hash_);
  for (uint64_t i : {0, 1, 255, 256, 299}) {
    auto p = reader.InclusionProof(i, 0);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->tree_size, kLeaves);
    EXPECT_EQ(p->proof, *tree.InclusionProof(i, kLeaves));
    auto by_hash = reader.InclusionProofByHash(p->leaf_hash, 299);
    ASSERT_TRUE(by_hash.ok() || i == 299);
    if (i != 299) {
      EXPECT_EQ(by_hash->index, i);
      EXPECT_EQ(by_hash->proof, *tree.InclusionProof(i, 299));
    } else {
      EXPECT_EQ(by_hash.status().code(), ErrorCode::kNotFound);
    }
  }
  EXPECT_EQ(*reader.ConsistencyProof(23, 300), *tree.ConsistencyProof(23, 300));
  EXPECT_EQ(reader.InclusionProof(300, 0).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader.InclusionProof(0, 301).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader.ConsistencyProof(0, 3).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader.ConsistencyProof(3, 301).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(reader.InclusionProofByHash(Hash{}).status().code(), ErrorCode::kNotFound);
}

TEST_P(SequencerTest, ServesTilesAndEntryBundles) {
  auto seq = MakeSequencer();
  ASSERT_NE(seq, nullptr);
  Enqueue(0, 200);
  ASSERT_TRUE(seq->IntegrateOnce().ok());
  Enqueue(200, 300);
  ASSERT_TRUE(seq->IntegrateOnce().ok());
  MemoryTree tree(hash_);
  AppendExpected(tree, 0, 300);
  LogReader reader(*db_, hash_);
  std::vector<Hash> level0;
  for (uint64_t i = 0; i < 300; ++i) level0.push_back(tree.hasher().HashLeaf(EntryBytes(i, i)));
  // Full tile 0/000, partial tile 0/001.p/44, and an older partial width (a prefix).
  EXPECT_EQ(*reader.Tile(TileId{0, 0, 256}), FormatTile(std::span(level0).subspan(0, 256)));
  EXPECT_EQ(*reader.Tile(TileId{0, 1, 44}), FormatTile(std::span(level0).subspan(256, 44)));
  EXPECT_EQ(*reader.Tile(TileId{0, 0, 200}), FormatTile(std::span(level0).subspan(0, 200)));
  EXPECT_EQ(reader.Tile(TileId{0, 1, 45}).status().code(), ErrorCode::kNotFound);
  // Level 1 holds the root of each full level-0 tile: 1/000.p/1 exists from size 256.
  const Hash first256 = tree.RootAt(256);
  EXPECT_EQ(*reader.Tile(TileId{1, 0, 1}), FormatTile(std::span(&first256, 1)));
  EXPECT_EQ(reader.Tile(TileId{1, 0, 2}).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(reader.Tile(TileId{2, 0, 1}).status().code(), ErrorCode::kNotFound);
  // Entry bundles hold the canonical entries.
  auto bundle = reader.EntryBundle(1, 44);
  ASSERT_TRUE(bundle.ok());
  auto parsed = ParseEntryBundle(*bundle);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 44u);
  EXPECT_EQ((*parsed)[0], EntryBytes(256, 256));
  EXPECT_EQ(reader.EntryBundle(1, 45).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(reader.EntryBundle(0, 256)->size(), 256 * 2 + [&] {
    size_t total = 0;
    for (uint64_t i = 0; i < 256; ++i) total += EntryBytes(i, i).size();
    return total;
  }());
}

TEST_P(SequencerTest, EnqueueInARolledBackTransactionLeavesNoEntry) {
  auto seq = MakeSequencer();
  ASSERT_NE(seq, nullptr);
  Status s = db_->Transact([&](store::Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(EnqueueEntry(tx, MakeEntry(0)).status());
    return Status::Conflict("the caller's state change failed");
  });
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  LogReader reader(*db_, hash_);
  EXPECT_EQ(reader.Queue()->depth, 0);
  auto r = seq->IntegrateOnce();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count, 0u);
  EXPECT_EQ(reader.State()->size, 0u);

  // The committed one is integrated, and its caller learns its index.
  QueueId id;
  s = db_->Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(id, EnqueueEntry(tx, MakeEntry(0)));
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(reader.Queue()->depth, 1);
  EXPECT_EQ(*reader.Queue()->oldest_time_micros, MakeEntry(0).time_micros);
  ASSERT_TRUE(seq->IntegrateOnce().ok());
  auto index = seq->WaitForEntry(id, std::chrono::milliseconds(10));
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->value, 0u);
  EXPECT_EQ(reader.EntryAt(0)->entry, EntryBytes(0, 0));
  // Invalid entries are refused at enqueue, inside the caller's transaction.
  Entry bad = MakeEntry(1);
  bad.type = "Not A Type";
  s = db_->Transact([&](store::Tx& tx) { return EnqueueEntry(tx, bad).status(); });
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
}

TEST_P(SequencerTest, ABatchKilledAtAnyStepLeavesAllOrNothingAndRestartResumes) {
  {
    auto seq = MakeSequencer();
    ASSERT_NE(seq, nullptr);
    Enqueue(0, 250);  // a partial tile that the next batches grow across the boundary
    ASSERT_TRUE(seq->IntegrateOnce().ok());
  }
  uint64_t n = 250;
  for (int step = 0; step < kIntegrateSteps; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    Enqueue(n, n + 11);
    const std::string before = Snapshot();
    {
      SequencerOptions o = Options();
      o.fault_hook = [step](IntegrateStep s) {
        return static_cast<int>(s) == step ? Status::Unavailable("injected crash")
                                           : Status::Ok();
      };
      auto seq = Sequencer::Create(*db_, o);
      ASSERT_TRUE(seq.ok());
      auto r = (*seq)->IntegrateOnce();
      EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
      EXPECT_EQ((*seq)->stats().failures, 1u);
      EXPECT_EQ((*seq)->size(), n);
    }  // the "process" dies
    EXPECT_EQ(Snapshot(), before) << "a failed batch left something behind";
    // Restart: a new process on a new connection resumes with the queued entries.
    auto db2 = Reopen();
    ASSERT_NE(db2, nullptr);
    auto seq = MakeSequencer(100000, db2.get());
    ASSERT_NE(seq, nullptr);
    EXPECT_EQ(seq->size(), n);
    auto r = seq->IntegrateOnce();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->count, 11u);
    n += 11;
  }
  MemoryTree tree(hash_);
  AppendExpected(tree, 0, n);
  LogReader reader(*db_, hash_);
  EXPECT_EQ(reader.State()->root, tree.Root());
  EXPECT_EQ(reader.Queue()->depth, 0);
  auto report = AuditLogReport(*db_, Audit());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->status().ToString();
  EXPECT_EQ(report->entries_checked, n);
  EXPECT_EQ(report->checkpoints_checked, 2u + kIntegrateSteps);
}

TEST_P(SequencerTest, AProcessKilledMidBatchLeavesAllOrNothing) {
  // A real crash: a forked child opens its own connection, runs a batch and is SIGKILLed inside
  // the transaction after each step (no rollback, no destructor runs); the parent then finds the
  // log exactly as before and a new sequencer integrates the batch.
  GTEST_FLAG_SET(death_test_style, "fast");
  {
    auto seq = MakeSequencer();
    ASSERT_NE(seq, nullptr);
    Enqueue(0, 300);
    ASSERT_TRUE(seq->IntegrateOnce().ok());
    ASSERT_TRUE(seq->Stop().ok());
  }
  uint64_t n = 300;
  for (int step = 0; step < kIntegrateSteps; ++step) {
    SCOPED_TRACE("killed after step " + std::to_string(step));
    Enqueue(n, n + 7);
    const std::string before = Snapshot();
    EXPECT_EXIT(
        {
          auto db = store::Database::Open(url_);
          if (!db.ok()) _exit(2);
          SequencerOptions o = Options();
          o.fault_hook = [step](IntegrateStep s) {
            if (static_cast<int>(s) == step) raise(SIGKILL);
            return Status::Ok();
          };
          auto seq = Sequencer::Create(**db, o);
          if (!seq.ok()) _exit(3);
          (void)(*seq)->IntegrateOnce();
          _exit(4);  // not reached
        },
        ::testing::KilledBySignal(SIGKILL), "");
    EXPECT_EQ(Snapshot(), before) << "a killed batch left something behind";
    auto db2 = Reopen();
    ASSERT_NE(db2, nullptr);
    auto seq = MakeSequencer(100000, db2.get());
    ASSERT_NE(seq, nullptr);
    auto r = seq->IntegrateOnce();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->count, 7u);
    n += 7;
  }
  MemoryTree tree(hash_);
  AppendExpected(tree, 0, n);
  LogReader reader(*db_, hash_);
  EXPECT_EQ(reader.State()->root, tree.Root());
  EXPECT_TRUE(AuditLog(*db_, Audit()).ok());
}

TEST_P(SequencerTest, TwoSequencersOnOneLogNeverFork) {
  // Two processes integrating the same log (a misconfiguration): each batch reads the state in
  // its own transaction, so they interleave without losing or duplicating anything.
  auto db2 = Reopen();
  ASSERT_NE(db2, nullptr);
  auto a = MakeSequencer(13);
  auto b = MakeSequencer(13, db2.get());
  ASSERT_TRUE(a && b);
  Enqueue(0, 100);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(a->IntegrateOnce().ok());
    ASSERT_TRUE(b->IntegrateOnce().ok());
  }
  MemoryTree tree(hash_);
  AppendExpected(tree, 0, 100);
  LogReader reader(*db_, hash_);
  EXPECT_EQ(reader.State()->size, 100u);
  EXPECT_EQ(reader.State()->root, tree.Root());
  EXPECT_TRUE(AuditLog(*db_, Audit()).ok());
}

TEST_P(SequencerTest, BackgroundThreadIntegratesConcurrentCallersAndStopFlushes) {
  auto seq = MakeSequencer(/*max_batch=*/64);
  ASSERT_NE(seq, nullptr);
  ASSERT_TRUE(seq->Start().ok());
  EXPECT_EQ(seq->Start().code(), ErrorCode::kFailedPrecondition);
  constexpr int kThreads = 4, kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> acknowledged{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        QueueId id;
        Status s = db_->Transact([&](store::Tx& tx) -> Status {
          TB_ASSIGN_OR_RETURN(id, EnqueueEntry(tx, MakeEntry(t * 1000 + k)));
          return Status::Ok();
        });
        ASSERT_TRUE(s.ok()) << s.ToString();
        if (k % 10 == 0) {
          auto index = seq->WaitForEntry(id, std::chrono::seconds(20));
          ASSERT_TRUE(index.ok()) << index.status().ToString();
          ++acknowledged;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(acknowledged.load(), kThreads * 4);
  // Entries still queued are flushed by Stop.
  Enqueue(5000, 5010);
  ASSERT_TRUE(seq->Stop().ok());
  EXPECT_EQ(seq->size(), uint64_t{kThreads * kPerThread + 10});
  EXPECT_TRUE(seq->WaitForSize(kThreads * kPerThread, std::chrono::milliseconds(1)).ok());
  EXPECT_EQ(seq->WaitForSize(100000, std::chrono::milliseconds(1)).code(),
            ErrorCode::kUnavailable);
  EXPECT_EQ(seq->WaitForEntry(QueueId{999999}, std::chrono::milliseconds(1)).status().code(),
            ErrorCode::kNotFound);
  LogReader reader(*db_, hash_);
  EXPECT_EQ(reader.Queue()->depth, 0);
  EXPECT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                    TB_ASSIGN_OR_RETURN(uint64_t n, ReadIndexedSize(tx));
                    EXPECT_EQ(n, seq->size());  // Stop indexed everything
                    return Status::Ok();
                  }).ok());
  SequencerStats st = seq->stats();
  EXPECT_EQ(st.entries, uint64_t{kThreads * kPerThread + 10});
  EXPECT_GE(st.batches, 2u);
  EXPECT_TRUE(AuditLog(*db_, Audit()).ok());
}

TEST_P(SequencerTest, LeafHashLookupIsExactBeforeAndAfterIndexing) {
  SequencerOptions o = Options();
  o.index_batch = 100;
  auto created = Sequencer::Create(*db_, o);
  ASSERT_TRUE(created.ok());
  Sequencer& seq = **created;
  Enqueue(0, 250);
  ASSERT_TRUE(seq.IntegrateOnce().ok());
  TreeHasher hasher(hash_);
  auto leaf = [&](uint64_t i) { return hasher.HashLeaf(EntryBytes(i, i)); };
  LogReader reader(*db_, hash_);
  auto indexed = [&] {
    uint64_t n = 0;
    EXPECT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                      TB_ASSIGN_OR_RETURN(n, ReadIndexedSize(tx));
                      return Status::Ok();
                    }).ok());
    return n;
  };
  EXPECT_EQ(indexed(), 0u);
  EXPECT_EQ(*reader.IndexOf(leaf(7)), 7u);  // found by the tail scan
  std::vector<uint64_t> added;
  for (;;) {
    auto a = seq.IndexOnce();
    ASSERT_TRUE(a.ok()) << a.status().ToString() << " " << a.status().detail();
    added.push_back(*a);
    if (*a == 0) break;
  }
  EXPECT_EQ(added, (std::vector<uint64_t>{100, 100, 50, 0}));
  EXPECT_EQ(indexed(), 250u);
  EXPECT_EQ(seq.stats().indexed, 250u);
  for (uint64_t i : {0, 7, 99, 100, 249}) EXPECT_EQ(*reader.IndexOf(leaf(i)), i);
  Enqueue(250, 260);
  ASSERT_TRUE(seq.IntegrateOnce().ok());
  EXPECT_EQ(*reader.IndexOf(leaf(255)), 255u);  // above the index: the tail scan
  EXPECT_EQ(reader.IndexOf(Hash{}).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(AuditLog(*db_, Audit()).ok());

  // The index is audited too.
  Exec("UPDATE ledger_leaf_index SET leaf_key = leaf_key + 1 WHERE idx = 42");
  auto r = AuditLogReport(*db_, Audit());
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->findings[0].index, 42u);
  EXPECT_NE(r->findings[0].message.find("key differs"), std::string::npos);
  Exec("DELETE FROM ledger_leaf_index WHERE idx = 42");
  r = AuditLogReport(*db_, Audit());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->findings[0].index, 42u);
  EXPECT_NE(r->findings[0].message.find("missing"), std::string::npos);
}

TEST_P(SequencerTest, AuditCatchesTamperedEntriesTilesAndCheckpoints) {
  auto seq = MakeSequencer();
  ASSERT_NE(seq, nullptr);
  for (uint64_t n = 0; n < 300; n += 100) {
    Enqueue(n, n + 100);
    ASSERT_TRUE(seq->IntegrateOnce().ok());
  }
  auto clean = AuditLogReport(*db_, Audit());
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_TRUE(clean->ok()) << clean->status().ToString();
  EXPECT_EQ(clean->entries_checked, 300u);
  EXPECT_EQ(clean->tiles_checked, 3u);  // 0/000, 0/001.p/44, 1/000.p/1
  EXPECT_EQ(clean->checkpoints_checked, 4u);

  auto first_finding = [&]() -> AuditFinding {
    auto r = AuditLogReport(*db_, Audit());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->ok());
    EXPECT_EQ(AuditLog(*db_, Audit()).code(), ErrorCode::kDataLoss);
    return r->findings.empty() ? AuditFinding{} : r->findings.front();
  };
  // Findings come in replay order; this is the first of a kind.
  auto finding_of = [&](AuditFinding::Kind kind) -> AuditFinding {
    auto r = AuditLogReport(*db_, Audit());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    for (const AuditFinding& f : r->findings) {
      if (f.kind == kind) return f;
    }
    ADD_FAILURE() << "no finding of the kind; " << r->status().ToString();
    return AuditFinding{};
  };

  // An entry's bytes (its document hash), with the stored leaf hash left alone.
  const std::string original = EntryBytes(17, 17);
  std::string forged = original;
  forged[60] ^= 1;
  Exec("UPDATE ledger_entry SET entry = ? WHERE idx = 17", {store::Param::Blob(forged)});
  AuditFinding f = first_finding();
  EXPECT_EQ(f.kind, AuditFinding::Kind::kEntry);
  EXPECT_EQ(f.index, 17u);
  EXPECT_NE(f.message.find("entry 17"), std::string::npos) << f.message;
  // ... and with a matching leaf hash too: the tile no longer matches.
  TreeHasher hasher(hash_);
  Exec("UPDATE ledger_entry SET leaf_hash = ? WHERE idx = 17",
       {store::Param::Blob(Str(hasher.HashLeaf(forged)))});
  f = first_finding();
  EXPECT_EQ(f.kind, AuditFinding::Kind::kCheckpoint);  // the first checkpoint after entry 17
  EXPECT_EQ(f.index, 100u);
  f = finding_of(AuditFinding::Kind::kTile);
  EXPECT_EQ(f.kind, AuditFinding::Kind::kTile);
  EXPECT_EQ(f.level, 0u);
  EXPECT_EQ(f.index, 0u);
  EXPECT_NE(f.message.find("hash 17"), std::string::npos) << f.message;
  Exec("UPDATE ledger_entry SET entry = ?, leaf_hash = ? WHERE idx = 17",
       {store::Param::Blob(original), store::Param::Blob(Str(hasher.HashLeaf(original)))});
  EXPECT_TRUE(AuditLog(*db_, Audit()).ok());

  // A tile (the partial one at the right edge).
  std::string tile;
  ASSERT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                    TB_ASSIGN_OR_RETURN(auto t, ReadTileRow(tx, 0, 1));
                    tile = *t;
                    return Status::Ok();
                  }).ok());
  std::string bad_tile = tile;
  bad_tile[5 * 32] ^= 0x80;
  Exec("UPDATE ledger_tile SET hashes = ? WHERE level = 0 AND idx = 1",
       {store::Param::Blob(bad_tile)});
  f = first_finding();
  EXPECT_EQ(f.kind, AuditFinding::Kind::kTile);
  EXPECT_EQ(f.index, 1u);
  EXPECT_NE(f.message.find("tile/0/001.p/44: hash 5"), std::string::npos) << f.message;
  Exec("UPDATE ledger_tile SET hashes = ? WHERE level = 0 AND idx = 1",
       {store::Param::Blob(tile.substr(0, 43 * 32))});  // truncated
  EXPECT_EQ(first_finding().kind, AuditFinding::Kind::kTile);
  Exec("UPDATE ledger_tile SET hashes = ? WHERE level = 0 AND idx = 1",
       {store::Param::Blob(tile)});
  Exec("INSERT INTO ledger_tile (level, idx, hashes) VALUES (2, 0, ?)",
       {store::Param::Blob(tile.substr(0, 32))});
  f = first_finding();
  EXPECT_EQ(f.kind, AuditFinding::Kind::kTile);
  EXPECT_EQ(f.level, 2u);
  EXPECT_NE(f.message.find("not part of the tree"), std::string::npos) << f.message;
  Exec("DELETE FROM ledger_tile WHERE level = 2");
  EXPECT_TRUE(AuditLog(*db_, Audit()).ok());

  // A checkpoint: its signed size/root, its signature, its root column.
  LogReader reader(*db_, hash_);
  const StoredCheckpoint cp = *reader.Checkpoint(200);
  std::string note = cp.note;
  const size_t at = note.find("\n200\n");
  ASSERT_NE(at, std::string::npos);
  note[at + 3] = '1';  // "201"
  Exec("UPDATE ledger_checkpoint SET note = ? WHERE size = 200", {note});
  f = first_finding();
  EXPECT_EQ(f.kind, AuditFinding::Kind::kCheckpoint);
  EXPECT_EQ(f.index, 200u);
  EXPECT_NE(f.message.find("checkpoint 200"), std::string::npos) << f.message;
  Exec("UPDATE ledger_checkpoint SET note = ? WHERE size = 200", {cp.note});
  Exec("UPDATE ledger_checkpoint SET root = ? WHERE size = 100",
       {store::Param::Blob(std::string(32, 'x'))});
  f = first_finding();
  EXPECT_EQ(f.kind, AuditFinding::Kind::kCheckpoint);
  EXPECT_EQ(f.index, 100u);
  Exec("DELETE FROM ledger_checkpoint WHERE size = 100");
  EXPECT_TRUE(AuditLog(*db_, Audit()).ok());  // dropping an old checkpoint is not tampering
  Exec("DELETE FROM ledger_checkpoint WHERE size = 300");
  EXPECT_EQ(first_finding().kind, AuditFinding::Kind::kState);  // the latest must exist

  // A checkpoint signed by another key.
  auto key = crypto::PrivateKey::Generate(hash_ == crypto::HashAlgorithm::kSm3
                                              ? crypto::SignatureAlgorithm::kSm2
                                              : crypto::SignatureAlgorithm::kEd25519);
  auto signer = NewNoteSigner(origin_, *key);
  NoteSigner* signers[] = {signer->get()};
  const std::string forged_note =
      *SignNote(*FormatCheckpoint(Checkpoint{origin_, 300, *reader.RootAt(300), {}}), signers);
  Exec("INSERT INTO ledger_checkpoint (size, root, note, time_micros) VALUES (300, ?, ?, 0)",
       {store::Param::Blob(Str(*reader.RootAt(300))), forged_note});
  f = first_finding();
  EXPECT_EQ(f.kind, AuditFinding::Kind::kCheckpoint);
  EXPECT_EQ(f.index, 300u);
  EXPECT_NE(f.message.find("does not verify"), std::string::npos) << f.message;
}

TEST_P(SequencerTest, OfflineVerificationNeedsOnlyEntryProofCheckpointAndKey) {
  auto seq = MakeSequencer();
  ASSERT_NE(seq, nullptr);
  Enqueue(0, 40);
  ASSERT_TRUE(seq->IntegrateOnce().ok());
  LogReader reader(*db_, hash_);
  const StoredCheckpoint cp = *reader.LatestCheckpoint();
  auto p = reader.InclusionProof(13, cp.size);
  ASSERT_TRUE(p.ok());
  std::vector<std::string> proof;
  for (const Hash& h : p->proof) proof.push_back(Str(h));
  const std::string entry = reader.EntryAt(13)->entry;
  const std::string document = "document 13";

  OfflineProof in{entry, proof, cp.note, document};
  auto ok = VerifyOffline(hash_, origin_, verifier_, in);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->entry.index.value, 13u);
  EXPECT_EQ(ok->checkpoint.size, 40u);

  const std::string other_doc = "document 14";
  OfflineProof wrong_doc = in;
  wrong_doc.document = other_doc;
  EXPECT_EQ(VerifyOffline(hash_, origin_, verifier_, wrong_doc).status().code(),
            ErrorCode::kInvalidArgument);
  std::vector<std::string> bad_proof = proof;
  bad_proof[1][0] ^= 1;
  OfflineProof wrong_proof = in;
  wrong_proof.proof = bad_proof;
  EXPECT_EQ(VerifyOffline(hash_, origin_, verifier_, wrong_proof).status().code(),
            ErrorCode::kInvalidArgument);
  const std::string entry14 = reader.EntryAt(14)->entry;
  OfflineProof wrong_entry = in;
  wrong_entry.entry = entry14;
  wrong_entry.document = std::nullopt;
  EXPECT_FALSE(VerifyOffline(hash_, origin_, verifier_, wrong_entry).ok());
  auto key = crypto::PrivateKey::Generate(hash_ == crypto::HashAlgorithm::kSm3
                                              ? crypto::SignatureAlgorithm::kSm2
                                              : crypto::SignatureAlgorithm::kEd25519);
  auto stranger = NewNoteVerifier(origin_, key->public_key());
  EXPECT_EQ(VerifyOffline(hash_, origin_, *stranger, in).status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(VerifyOffline(hash_, "another/log", verifier_, in).status().code(),
            ErrorCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Stores, SequencerTest, ::testing::ValuesIn(AllStoredLogParams()),
                         ParamName);

}  // namespace
}  // namespace tongban::ledger
