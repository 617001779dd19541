// The batch transaction and the background loop. Invariant: everything a batch writes is derived
// from one consistent read of ledger_state, ledger_queue and the right-edge tiles — a read
// snapshot taken before the write transaction, which then writes only if ledger_state is still
// what the snapshot saw (else the batch is redone inside the write transaction) — so a retried
// or rolled-back transaction leaves nothing behind, and the in-memory members are updated only
// after COMMIT succeeded.
#include "ledger/sequencer.h"

#include <algorithm>
#include <cstring>
#include <system_error>
#include <thread>

#include "ledger/checkpoint.h"
#include "ledger/note.h"

namespace tongban::ledger {
namespace {

constexpr size_t kMaxBatchLimit = 1'000'000;
// Batches at least this large hash their leaves on two threads.
constexpr size_t kParallelHashMin = 2048;

Status Hook(const SequencerOptions& o, IntegrateStep step) {
  if (!o.fault_hook) return Status::Ok();
  return o.fault_hook(step);
}

std::string_view AsChars(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

// Writes the big-endian leaf index into canonical entry bytes (ledger/entry.h: version, then the
// 8-byte index). The bytes were produced by EncodeEntry at enqueue time.
Status SetEntryIndex(std::string& bytes, uint64_t index, QueueId id) {
  if (bytes.size() <= Entry::kFixedSize || bytes.size() > Entry::kMaxSize ||
      static_cast<uint8_t>(bytes[0]) != Entry::kVersion) {
    return Status::DataLoss("ledger queue row is not an entry")
        .WithDetail("ledger_queue.id " + std::to_string(id.value));
  }
  for (int i = 0; i < 8; ++i) {
    bytes[1 + i] = static_cast<char>(static_cast<uint8_t>(index >> (56 - 8 * i)));
  }
  return Status::Ok();
}

Status SignCheckpoint(const SequencerOptions& o, uint64_t size, const Hash& root,
                      std::string* note) {
  TB_ASSIGN_OR_RETURN(std::string text, FormatCheckpoint(Checkpoint{o.origin, size, root, {}}));
  TB_ASSIGN_OR_RETURN(*note, SignNote(text, std::span<NoteSigner* const>(o.signers)));
  return Status::Ok();
}

}  // namespace

Sequencer::Sequencer(store::Database& db, SequencerOptions options)
    : db_(db), options_(std::move(options)), hasher_(options_.hash) {}

Sequencer::~Sequencer() { (void)Stop(); }

int64_t Sequencer::NowMicros() const {
  return options_.clock != nullptr ? options_.clock->NowUnixMicros()
                                   : system_clock_.NowUnixMicros();
}

Result<std::unique_ptr<Sequencer>> Sequencer::Create(store::Database& db,
                                                     SequencerOptions options) {
  if (options.signers.empty()) return Status::InvalidArgument("sequencer needs a signer");
  for (NoteSigner* s : options.signers) {
    if (s == nullptr) return Status::InvalidArgument("sequencer signer is null");
  }
  if (!ValidNoteLine(options.origin)) return Status::InvalidArgument("bad log origin");
  if (options.max_batch < 1 || options.max_batch > kMaxBatchLimit) {
    return Status::InvalidArgument("max_batch must be 1 .. 1000000");
  }
  if (options.index_batch < 1) return Status::InvalidArgument("index_batch must be positive");
  if (options.max_delay < std::chrono::milliseconds(1) ||
      options.max_delay > std::chrono::seconds(1)) {
    return Status::InvalidArgument("max_delay must be 1 ms .. 1 s");
  }
  std::unique_ptr<Sequencer> seq(new Sequencer(db, std::move(options)));
  const SequencerOptions& o = seq->options_;

  LogState state;
  auto init = [&](store::Tx& tx) -> Status {
    Result<LogState> read = ReadLogState(tx);
    if (read.ok()) {
      state = std::move(*read);
      return Status::Ok();
    }
    if (read.status().code() != ErrorCode::kNotFound) return read.status();
    state = LogState{};
    state.origin = o.origin;
    state.hash = o.hash;
    state.root = seq->hasher_.EmptyRoot();
    state.time_micros = seq->NowMicros();
    std::string note;
    TB_RETURN_IF_ERROR(SignCheckpoint(o, 0, state.root, &note));
    return InitLogState(tx, state, note);
  };
  Status s = db.Transact(init);
  // Two processes creating the same log at once: one wins, the other reads what it wrote.
  if (s.code() == ErrorCode::kAlreadyExists) s = db.Transact(init);
  TB_RETURN_IF_ERROR(s);
  if (state.origin != o.origin || state.hash != o.hash) {
    return Status::FailedPrecondition("the stored ledger is another log")
        .WithDetail("stored origin \"" + state.origin + "\" hash " +
                    std::string(crypto::HashAlgorithmName(state.hash)) + "; configured \"" +
                    o.origin + "\" hash " + std::string(crypto::HashAlgorithmName(o.hash)));
  }
  seq->size_.store(state.size);
  seq->stats_.size = state.size;
  return seq;
}

void Sequencer::HashLeaves(std::span<const QueuedEntry> queued, std::span<Hash> leaves) {
  // Leaf hashes are independent: a large batch hashes its second half on another core while this
  // thread hashes the first (the interior nodes, which need the frontier, stay on this thread).
  const size_t n = queued.size();
  if (n >= kParallelHashMin) {
    const size_t half = n / 2;
    const crypto::HashAlgorithm alg = options_.hash;
    std::thread helper;
    try {
      helper = std::thread([&queued, leaves, half, n, alg] {
        TreeHasher h(alg);
        for (size_t i = half; i < n; ++i) leaves[i] = h.HashLeaf(queued[i].entry);
      });
    } catch (const std::system_error&) {
      // No thread to be had: hash everything here.
    }
    if (helper.joinable()) {
      for (size_t i = 0; i < half; ++i) leaves[i] = hasher_.HashLeaf(queued[i].entry);
      helper.join();
      return;
    }
  }
  for (size_t i = 0; i < n; ++i) leaves[i] = hasher_.HashLeaf(queued[i].entry);
}

Status Sequencer::PrepareInTx(store::Tx& tx, PendingBatch* p) {
  const SequencerOptions& o = options_;
  TB_ASSIGN_OR_RETURN(p->state, ReadLogState(tx));
  if (p->state.origin != o.origin || p->state.hash != o.hash) {
    return Status::FailedPrecondition("the stored ledger is another log");
  }
  TB_ASSIGN_OR_RETURN(std::vector<QueuedEntry> queued, ReadQueue(tx, o.max_batch));
  TB_RETURN_IF_ERROR(Hook(o, IntegrateStep::kReadQueue));
  if (queued.empty()) return Status::Ok();
  const LogState& state = p->state;

  Result<Frontier> restored = Frontier::FromNodes(state.size, state.frontier);
  if (!restored.ok()) {
    return Status::DataLoss("ledger storage is corrupt").WithDetail(restored.status().ToString());
  }
  Frontier frontier = std::move(*restored);

  // The nodes this batch completes at tree levels 8L, per tile level L: contiguous indices
  // starting at first_node[L].
  std::vector<std::vector<Hash>> new_nodes;
  std::vector<uint64_t> first_node;
  auto on_node = [&](const NodeId& id, const Hash& h) {
    if (id.level % kTileHeight != 0) return;
    const size_t l = id.level / kTileHeight;
    if (new_nodes.size() <= l) {
      new_nodes.resize(l + 1);
      first_node.resize(l + 1);
    }
    if (new_nodes[l].empty()) first_node[l] = id.index;
    new_nodes[l].push_back(h);
  };

  const size_t n = queued.size();
  for (size_t i = 0; i < n; ++i) {
    TB_RETURN_IF_ERROR(SetEntryIndex(queued[i].entry, state.size + i, queued[i].id));
  }
  p->leaves.resize(n);
  HashLeaves(queued, p->leaves);
  p->entries.reserve(n);
  p->queue_ids.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    frontier.Append(hasher_, p->leaves[i], on_node);
    p->entries.push_back(std::move(queued[i].entry));
    p->queue_ids.push_back(queued[i].id.value);
  }
  p->root = frontier.Root(hasher_);
  TB_RETURN_IF_ERROR(Hook(o, IntegrateStep::kHashed));

  for (uint32_t l = 0; l < new_nodes.size(); ++l) {
    if (new_nodes[l].empty()) continue;
    const uint64_t start = first_node[l];
    uint64_t tile = start / kTileWidth;
    const uint64_t offset = start % kTileWidth;
    std::string bytes;
    if (offset != 0) {
      // The partial tile this batch grows must hold exactly the hashes before `start`.
      TB_ASSIGN_OR_RETURN(std::optional<std::string> old, ReadTileRow(tx, l, tile));
      if (!old || old->size() != offset * kHashSize) {
        return Status::DataLoss("ledger storage is corrupt")
            .WithDetail("tile " + TilePath(TileId{l, tile, static_cast<uint32_t>(offset)}) +
                        " is missing or has the wrong width");
      }
      bytes = std::move(*old);
    }
    bytes.reserve(bytes.size() + new_nodes[l].size() * kHashSize);
    for (const Hash& h : new_nodes[l]) bytes.append(AsChars(h));
    constexpr size_t kTileBytes = size_t{kTileWidth} * kHashSize;
    for (size_t pos = 0; pos < bytes.size(); pos += kTileBytes, ++tile) {
      p->tiles.push_back({l, tile, bytes.substr(pos, kTileBytes)});
    }
  }

  p->time_micros = NowMicros();
  TB_RETURN_IF_ERROR(SignCheckpoint(o, frontier.size(), p->root, &p->note));
  TB_RETURN_IF_ERROR(Hook(o, IntegrateStep::kCheckpointSigned));
  p->first_queued = queued.front().id;
  p->last_queued = queued.back().id;
  p->frontier.assign(frontier.nodes().begin(), frontier.nodes().end());
  p->size = frontier.size();
  return Status::Ok();
}

Status Sequencer::WriteInTx(store::Tx& tx, const PendingBatch& p, BatchResult* out) {
  const SequencerOptions& o = options_;
  out->size = p.state.size;
  out->first_index = p.state.size;
  out->root = p.state.root;
  if (p.entries.empty()) return Status::Ok();
  TB_RETURN_IF_ERROR(WriteEntries(tx, p.state.size, p.entries, p.leaves));
  TB_RETURN_IF_ERROR(Hook(o, IntegrateStep::kEntriesWritten));
  for (const PendingBatch::Tile& t : p.tiles) {
    TB_RETURN_IF_ERROR(WriteTileRow(tx, t.level, t.index, t.bytes));
  }
  TB_RETURN_IF_ERROR(Hook(o, IntegrateStep::kTilesWritten));
  TB_RETURN_IF_ERROR(WriteCheckpoint(
      tx, StoredCheckpoint{p.size, std::string(AsChars(p.root)), p.note, p.time_micros}));
  TB_RETURN_IF_ERROR(Hook(o, IntegrateStep::kCheckpointStored));
  TB_RETURN_IF_ERROR(DeleteQueued(tx, p.first_queued, p.last_queued, p.entries.size()));
  TB_RETURN_IF_ERROR(Hook(o, IntegrateStep::kQueueDeleted));
  LogState state = p.state;
  state.size = p.size;
  state.root = p.root;
  state.frontier = p.frontier;
  state.time_micros = p.time_micros;
  TB_RETURN_IF_ERROR(WriteLogState(tx, state));
  TB_RETURN_IF_ERROR(Hook(o, IntegrateStep::kStateWritten));
  out->count = p.entries.size();
  out->size = p.size;
  out->root = p.root;
  return Status::Ok();
}

Result<BatchResult> Sequencer::IntegrateOnce() {
  std::lock_guard integrate_lock(integrate_mu_);
  // The batch is read, hashed and signed in a read snapshot, without the write lock (SQLite has
  // one writer: receipts and claims commit meanwhile); the write transaction then only checks that
  // the log did not move and writes. An idle log never takes the write lock.
  const auto start = std::chrono::steady_clock::now();
  PendingBatch pending;
  Status s = db_.Read([&](store::Tx& tx) -> Status {
    pending = PendingBatch{};
    return PrepareInTx(tx, &pending);
  });
  if (s.ok() && pending.entries.empty()) {
    BatchResult none;
    none.size = none.first_index = size_.load();
    return none;
  }
  BatchResult result;
  if (s.ok()) {
    bool moved = false;
    s = db_.Transact([&](store::Tx& tx) -> Status {
      result = BatchResult{};
      TB_ASSIGN_OR_RETURN(LogState now, ReadLogState(tx));
      moved = now.size != pending.state.size || now.root != pending.state.root;
      if (moved) return Status::Unavailable("the log moved since the batch was prepared");
      return WriteInTx(tx, pending, &result);
    });
    if (moved) {
      // Another process integrated meanwhile: do the whole batch in one transaction.
      s = db_.Transact([&](store::Tx& tx) -> Status {
        result = BatchResult{};
        pending = PendingBatch{};
        TB_RETURN_IF_ERROR(PrepareInTx(tx, &pending));
        return WriteInTx(tx, pending, &result);
      });
    }
  }
  std::vector<int64_t> ids = std::move(pending.queue_ids);
  const int64_t micros = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  std::lock_guard lock(mu_);
  if (!s.ok()) {
    ++stats_.failures;
    stats_.last_error = s.ToString() + (s.detail().empty() ? "" : " (" + s.detail() + ")");
    return s;
  }
  if (result.count == 0) return result;
  size_.store(result.size);
  stats_.size = result.size;
  ++stats_.batches;
  stats_.entries += result.count;
  stats_.last_batch_micros = micros;
  stats_.last_batch_size = result.count;
  unindexed_ += result.count;
  Remember(std::move(ids), result.first_index);
  integrated_cv_.notify_all();
  return result;
}

Result<uint64_t> Sequencer::IndexOnce() {
  std::lock_guard integrate_lock(integrate_mu_);
  uint64_t added = 0;
  Status s = db_.Transact([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(added, IndexLeafHashes(tx, options_.index_batch));
    return Status::Ok();
  });
  std::lock_guard lock(mu_);
  if (!s.ok()) {
    ++stats_.failures;
    stats_.last_error = s.ToString() + (s.detail().empty() ? "" : " (" + s.detail() + ")");
    return s;
  }
  stats_.indexed += added;
  unindexed_ = 0;
  return added;
}

void Sequencer::Remember(std::vector<int64_t> queue_ids, uint64_t first_index) {
  recent_count_ += queue_ids.size();
  recent_.push_back(Remembered{std::move(queue_ids), first_index});
  while (recent_count_ > options_.remember_entries && recent_.size() > 1) {
    recent_count_ -= recent_.front().ids.size();
    recent_.pop_front();
  }
}

std::optional<uint64_t> Sequencer::LookUp(int64_t queue_id) const {
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
    const std::vector<int64_t>& ids = it->ids;
    if (ids.empty() || queue_id < ids.front() || queue_id > ids.back()) continue;
    auto pos = std::lower_bound(ids.begin(), ids.end(), queue_id);
    if (pos != ids.end() && *pos == queue_id) {
      return it->first_index + static_cast<uint64_t>(pos - ids.begin());
    }
  }
  return std::nullopt;
}

Status Sequencer::Start() {
  std::lock_guard lock(mu_);
  if (running_) return Status::FailedPrecondition("sequencer already running");
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Sequencer::Run() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    Result<BatchResult> r = IntegrateOnce();
    const bool idle = r.ok() && r->count == 0;
    bool index_now;
    {
      std::lock_guard lock(mu_);
      // Index when a whole index batch waits, or when idle and anything waits (including leaves
      // left unindexed by an earlier process: index_caught_up_ starts false).
      index_now = unindexed_ >= options_.index_batch ||
                  (idle && (unindexed_ > 0 || !index_caught_up_));
    }
    if (index_now) {
      Result<uint64_t> added = IndexOnce();
      if (added.ok()) {
        std::lock_guard lock(mu_);
        index_caught_up_ = *added < options_.index_batch;
        if (!index_caught_up_) unindexed_ = options_.index_batch;  // more may be waiting
      }
    }
    // A full batch means more may be waiting: go again at once.
    if (r.ok() && r->count == options_.max_batch) continue;
    std::unique_lock lock(mu_);
    wake_cv_.wait_for(lock, options_.max_delay, [&] { return stopping_ || notified_; });
    notified_ = false;
  }
}

void Sequencer::Notify() {
  std::lock_guard lock(mu_);
  notified_ = true;
  wake_cv_.notify_one();
}

Status Sequencer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (running_) {
      stopping_ = true;
      wake_cv_.notify_one();
    }
  }
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(mu_);
    running_ = false;
    stopping_ = false;
  }
  // Flush: integrate what is queued now. Stop once a batch is not full, so callers still
  // enqueueing cannot keep Stop() from returning.
  for (;;) {
    TB_ASSIGN_OR_RETURN(BatchResult r, IntegrateOnce());
    if (r.count < options_.max_batch) break;
  }
  for (;;) {
    TB_ASSIGN_OR_RETURN(uint64_t added, IndexOnce());
    if (added < options_.index_batch) return Status::Ok();
  }
}

Status Sequencer::WaitForSize(uint64_t size, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (integrated_cv_.wait_for(lock, timeout, [&] { return size_.load() >= size; })) {
    return Status::Ok();
  }
  return Status::Unavailable("ledger entry not integrated yet");
}

Result<LeafIndex> Sequencer::WaitForEntry(QueueId id, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  {
    std::lock_guard lock(mu_);
    if (auto i = LookUp(id.value)) return LeafIndex{*i};
  }
  bool queued = false;
  {
    // With no batch in flight, every committed batch of this Sequencer is remembered, so "not
    // remembered and not queued" means integrated long ago, elsewhere, or never committed.
    std::lock_guard integrate_lock(integrate_mu_);
    {
      std::lock_guard lock(mu_);
      if (auto i = LookUp(id.value)) return LeafIndex{*i};
    }
    TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(std::optional<store::Row> row,
                          tx.QueryRow("SELECT 1 FROM ledger_queue WHERE id = ?", {id.value}));
      queued = row.has_value();
      return Status::Ok();
    }));
  }
  if (!queued) return Status::NotFound("ledger queue entry", std::to_string(id.value));
  std::unique_lock lock(mu_);
  std::optional<uint64_t> found;
  integrated_cv_.wait_until(lock, deadline, [&] {
    found = LookUp(id.value);
    return found.has_value();
  });
  if (found) return LeafIndex{*found};
  return Status::Unavailable("ledger entry not integrated yet");
}

SequencerStats Sequencer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace tongban::ledger
