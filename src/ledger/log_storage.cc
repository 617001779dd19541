// The ledger's SQL. Statements keep to the subset SQLite and PostgreSQL share (UPSERT with
// ON CONFLICT ... DO UPDATE is in both); the schema is one migration with {{...}} types.
#include "ledger/log_storage.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

namespace tongban::ledger {
namespace {

using store::Param;

std::string_view AsChars(std::span<const uint8_t> b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
std::string_view AsChars(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

Result<Hash> HashFromBytes(std::span<const uint8_t> b, std::string_view what) {
  if (b.size() != kHashSize) {
    return Status::DataLoss("ledger storage is corrupt").WithDetail(std::string(what) +
                                                                    ": not a 32-byte hash");
  }
  Hash h;
  std::memcpy(h.data(), b.data(), kHashSize);
  return h;
}

// Entries in the queue carry index 0; the sequencer writes the real one.
Result<std::string> EncodeQueued(const Entry& entry) {
  Entry e = entry;
  e.index = LeafIndex{0};
  return EncodeEntry(e);
}

constexpr std::string_view kSchemaV1 = R"(
CREATE TABLE ledger_queue (
  id {{id}},
  entry {{blob}} NOT NULL
);
CREATE TABLE ledger_entry (
  idx {{int64}} PRIMARY KEY,
  entry {{blob}} NOT NULL,
  leaf_hash {{blob}} NOT NULL
);
CREATE TABLE ledger_leaf_index (
  leaf_key {{int64}} NOT NULL,
  idx {{int64}} NOT NULL
);
CREATE INDEX ledger_leaf_index_key ON ledger_leaf_index (leaf_key);
CREATE TABLE ledger_tile (
  level {{int64}} NOT NULL,
  idx {{int64}} NOT NULL,
  hashes {{blob}} NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE ledger_checkpoint (
  size {{int64}} PRIMARY KEY,
  root {{blob}} NOT NULL,
  note {{text}} NOT NULL,
  time_micros {{int64}} NOT NULL
);
CREATE TABLE ledger_state (
  id {{int64}} PRIMARY KEY CHECK (id = 1),
  origin {{text}} NOT NULL,
  hash_alg {{text}} NOT NULL,
  size {{int64}} NOT NULL,
  root {{blob}} NOT NULL,
  frontier {{blob}} NOT NULL,
  time_micros {{int64}} NOT NULL,
  indexed_size {{int64}} NOT NULL DEFAULT 0
);
)";

std::string FrontierBytes(std::span<const Hash> nodes) {
  std::string out;
  out.reserve(nodes.size() * kHashSize);
  for (const Hash& h : nodes) out.append(AsChars(h));
  return out;
}

StoredCheckpoint CheckpointFromRow(const store::Row& row) {
  StoredCheckpoint c;
  c.size = static_cast<uint64_t>(row.Int64(0));
  c.root = std::string(AsChars(row.Blob(1)));
  c.note = std::string(row.Text(2));
  c.time_micros = row.Int64(3);
  return c;
}

constexpr std::string_view kCheckpointColumns = "SELECT size, root, note, time_micros FROM ledger_checkpoint";

}  // namespace

std::vector<store::Migration> LogStorageMigrations() {
  return {
      {.part = "ledger", .version = 1, .sql = std::string(kSchemaV1), .sqlite_sql = {}, .postgres_sql = {}},
  };
}

Result<QueueId> EnqueueEntry(store::Tx& tx, const Entry& entry) {
  TB_ASSIGN_OR_RETURN(std::string bytes, EncodeQueued(entry));
  TB_ASSIGN_OR_RETURN(int64_t id, tx.InsertReturningId(
                                      "INSERT INTO ledger_queue (entry) VALUES (?) RETURNING id",
                                      {Param::Blob(bytes)}));
  return QueueId{id};
}

Status EnqueueEntries(store::Tx& tx, std::span<const Entry> entries) {
  TB_ASSIGN_OR_RETURN(auto batch, tx.PrepareBatch("INSERT INTO ledger_queue (entry) VALUES (?)"));
  for (const Entry& e : entries) {
    TB_ASSIGN_OR_RETURN(std::string bytes, EncodeQueued(e));
    TB_RETURN_IF_ERROR(batch->Add({Param::Blob(bytes)}));
  }
  return batch->Finish().status();
}

Result<uint64_t> LogSizeHint(store::Tx& tx) {
  Result<LogState> state = ReadLogState(tx);
  if (state.ok()) return state->size;
  if (state.status().code() == ErrorCode::kNotFound) return uint64_t{0};
  return state.status();
}

Result<LogState> ReadLogState(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(
      std::optional<store::Row> row,
      tx.QueryRow("SELECT origin, hash_alg, size, root, frontier, time_micros FROM ledger_state "
                  "WHERE id = 1"));
  if (!row) return Status::NotFound("ledger state");
  LogState s;
  s.origin = std::string(row->Text(0));
  auto alg = crypto::ParseHashAlgorithm(row->Text(1));
  if (!alg.ok()) {
    return Status::DataLoss("ledger storage is corrupt").WithDetail("ledger_state.hash_alg");
  }
  s.hash = *alg;
  if (row->Int64(2) < 0) {
    return Status::DataLoss("ledger storage is corrupt").WithDetail("ledger_state.size < 0");
  }
  s.size = static_cast<uint64_t>(row->Int64(2));
  TB_ASSIGN_OR_RETURN(s.root, HashFromBytes(row->Blob(3), "ledger_state.root"));
  std::span<const uint8_t> f = row->Blob(4);
  if (f.size() != static_cast<size_t>(std::popcount(s.size)) * kHashSize) {
    return Status::DataLoss("ledger storage is corrupt")
        .WithDetail("ledger_state.frontier has the wrong length for the size");
  }
  s.frontier.resize(f.size() / kHashSize);
  for (size_t i = 0; i < s.frontier.size(); ++i) {
    std::memcpy(s.frontier[i].data(), f.data() + i * kHashSize, kHashSize);
  }
  s.time_micros = row->Int64(5);
  return s;
}

Status InitLogState(store::Tx& tx, const LogState& empty, std::string_view note) {
  assert(empty.size == 0 && empty.frontier.empty());
  TB_ASSIGN_OR_RETURN(std::optional<store::Row> row,
                      tx.QueryRow("SELECT 1 FROM ledger_state WHERE id = 1"));
  if (row) return Status::AlreadyExists("ledger already initialised");
  TB_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO ledger_state (id, origin, hash_alg, size, root, frontier, time_micros) "
              "VALUES (1, ?, ?, 0, ?, ?, ?)",
              {empty.origin, crypto::HashAlgorithmName(empty.hash), Param::Blob(AsChars(empty.root)),
               Param::Blob(std::string_view()), empty.time_micros})
          .status());
  return WriteCheckpoint(tx, StoredCheckpoint{0, std::string(AsChars(empty.root)),
                                              std::string(note), empty.time_micros});
}

Status WriteLogState(store::Tx& tx, const LogState& state) {
  const std::string frontier = FrontierBytes(state.frontier);
  TB_ASSIGN_OR_RETURN(
      int64_t n, tx.Exec("UPDATE ledger_state SET size = ?, root = ?, frontier = ?, time_micros = ? "
                         "WHERE id = 1",
                         {state.size, Param::Blob(AsChars(state.root)), Param::Blob(frontier),
                          state.time_micros}));
  if (n != 1) return Status::Internal("ledger state row missing");
  return Status::Ok();
}

Result<std::vector<QueuedEntry>> ReadQueue(store::Tx& tx, size_t limit) {
  TB_ASSIGN_OR_RETURN(std::vector<store::Row> rows,
                      tx.Query("SELECT id, entry FROM ledger_queue ORDER BY id LIMIT ?",
                               {static_cast<int64_t>(limit)}));
  std::vector<QueuedEntry> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.push_back(QueuedEntry{QueueId{r.Int64(0)}, std::string(AsChars(r.Blob(1)))});
  }
  return out;
}

Status DeleteQueued(store::Tx& tx, QueueId first, QueueId last, size_t count) {
  TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("DELETE FROM ledger_queue WHERE id >= ? AND id <= ?",
                                         {first.value, last.value}));
  if (n != static_cast<int64_t>(count)) {
    return Status::Internal("ledger queue changed during a batch")
        .WithDetail("read " + std::to_string(count) + " rows, deleted " + std::to_string(n));
  }
  return Status::Ok();
}

Result<QueueStats> ReadQueueStats(store::Tx& tx) {
  QueueStats s;
  TB_ASSIGN_OR_RETURN(std::optional<store::Row> n,
                      tx.QueryRow("SELECT COUNT(*) FROM ledger_queue"));
  s.depth = n ? n->Int64(0) : 0;
  if (s.depth > 0) {
    TB_ASSIGN_OR_RETURN(std::optional<store::Row> r,
                        tx.QueryRow("SELECT entry FROM ledger_queue ORDER BY id LIMIT 1"));
    if (r) {
      auto e = ParseEntry(r->Blob(0));
      if (e.ok()) s.oldest_time_micros = e->time_micros;
    }
  }
  return s;
}

Status WriteEntries(store::Tx& tx, uint64_t first_index, std::span<const std::string> entries,
                    std::span<const Hash> leaf_hashes) {
  assert(entries.size() == leaf_hashes.size());
  if (entries.empty()) return Status::Ok();
  TB_ASSIGN_OR_RETURN(
      auto batch,
      tx.PrepareBatch(
          "INSERT INTO ledger_entry (idx, entry, leaf_hash) VALUES (?, ?, ?)"));
  for (size_t i = 0; i < entries.size(); ++i) {
    TB_RETURN_IF_ERROR(batch->Add({first_index + i, Param::Blob(entries[i]),
                                   Param::Blob(AsChars(leaf_hashes[i]))}));
  }
  return batch->Finish().status();
}

Result<std::vector<StoredEntry>> ReadEntries(store::Tx& tx, uint64_t begin, uint64_t end) {
  std::vector<StoredEntry> out;
  if (begin >= end) return out;
  TB_ASSIGN_OR_RETURN(std::vector<store::Row> rows,
                      tx.Query("SELECT idx, entry, leaf_hash FROM ledger_entry "
                               "WHERE idx >= ? AND idx < ? ORDER BY idx",
                               {begin, end}));
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.push_back(StoredEntry{static_cast<uint64_t>(r.Int64(0)), std::string(AsChars(r.Blob(1))),
                              std::string(AsChars(r.Blob(2)))});
  }
  return out;
}

int64_t LeafKey(const Hash& h) {
  uint64_t k = 0;
  for (int i = 0; i < 8; ++i) k = (k << 8) | h[i];
  return static_cast<int64_t>(k);
}

Result<uint64_t> ReadIndexedSize(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(std::optional<store::Row> row,
                      tx.QueryRow("SELECT indexed_size FROM ledger_state WHERE id = 1"));
  if (!row) return uint64_t{0};
  return static_cast<uint64_t>(row->Int64(0));
}

Result<std::optional<uint64_t>> FindLeafIndex(store::Tx& tx, const Hash& leaf_hash) {
  // Indexed leaves: candidates by key, confirmed by the full hash.
  TB_ASSIGN_OR_RETURN(std::optional<store::Row> row,
                      tx.QueryRow("SELECT MIN(e.idx) FROM ledger_leaf_index i "
                                  "JOIN ledger_entry e ON e.idx = i.idx "
                                  "WHERE i.leaf_key = ? AND e.leaf_hash = ?",
                                  {LeafKey(leaf_hash), Param::Blob(AsChars(leaf_hash))}));
  if (row && !row->IsNull(0)) {
    return std::optional<uint64_t>(static_cast<uint64_t>(row->Int64(0)));
  }
  // Leaves not indexed yet: a bounded scan of the tail (at most one index batch of rows).
  TB_ASSIGN_OR_RETURN(uint64_t indexed, ReadIndexedSize(tx));
  TB_ASSIGN_OR_RETURN(row, tx.QueryRow("SELECT MIN(idx) FROM ledger_entry "
                                       "WHERE idx >= ? AND leaf_hash = ?",
                                       {indexed, Param::Blob(AsChars(leaf_hash))}));
  if (!row || row->IsNull(0)) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(row->Int64(0)));
}

Result<uint64_t> IndexLeafHashes(store::Tx& tx, uint64_t max_leaves) {
  TB_ASSIGN_OR_RETURN(uint64_t indexed, ReadIndexedSize(tx));
  TB_ASSIGN_OR_RETURN(std::optional<store::Row> size_row,
                      tx.QueryRow("SELECT size FROM ledger_state WHERE id = 1"));
  if (!size_row) return uint64_t{0};
  const uint64_t size = static_cast<uint64_t>(size_row->Int64(0));
  if (indexed >= size) return uint64_t{0};
  const uint64_t end = size - indexed > max_leaves ? indexed + max_leaves : size;
  TB_ASSIGN_OR_RETURN(std::vector<store::Row> rows,
                      tx.Query("SELECT idx, leaf_hash FROM ledger_entry "
                               "WHERE idx >= ? AND idx < ? ORDER BY idx",
                               {indexed, end}));
  if (rows.size() != end - indexed) {
    return Status::DataLoss("ledger storage is corrupt").WithDetail("entries missing below size");
  }
  // Sorted by key, the inserts walk the index B-tree left to right.
  std::vector<std::pair<int64_t, int64_t>> keys;
  keys.reserve(rows.size());
  for (const store::Row& r : rows) {
    TB_ASSIGN_OR_RETURN(Hash h, HashFromBytes(r.Blob(1), "ledger_entry.leaf_hash"));
    keys.emplace_back(LeafKey(h), r.Int64(0));
  }
  std::sort(keys.begin(), keys.end());
  TB_ASSIGN_OR_RETURN(auto batch,
                      tx.PrepareBatch("INSERT INTO ledger_leaf_index (leaf_key, idx) VALUES (?, ?)"));
  for (const auto& [key, idx] : keys) TB_RETURN_IF_ERROR(batch->Add({key, idx}));
  TB_RETURN_IF_ERROR(batch->Finish().status());
  TB_RETURN_IF_ERROR(
      tx.Exec("UPDATE ledger_state SET indexed_size = ? WHERE id = 1", {end}).status());
  return end - indexed;
}

Result<std::vector<std::pair<int64_t, uint64_t>>> ReadLeafIndexRows(store::Tx& tx, uint64_t begin,
                                                                    uint64_t end) {
  TB_ASSIGN_OR_RETURN(std::vector<store::Row> rows,
                      tx.Query("SELECT leaf_key, idx FROM ledger_leaf_index "
                               "WHERE idx >= ? AND idx < ? ORDER BY idx",
                               {begin, end}));
  std::vector<std::pair<int64_t, uint64_t>> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.emplace_back(r.Int64(0), static_cast<uint64_t>(r.Int64(1)));
  }
  return out;
}

Result<std::optional<std::string>> ReadTileRow(store::Tx& tx, uint32_t level, uint64_t index) {
  TB_ASSIGN_OR_RETURN(std::optional<store::Row> row,
                      tx.QueryRow("SELECT hashes FROM ledger_tile WHERE level = ? AND idx = ?",
                                  {level, index}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(AsChars(row->Blob(0))));
}

Status WriteTileRow(store::Tx& tx, uint32_t level, uint64_t index, std::string_view hashes) {
  assert(!hashes.empty() && hashes.size() % kHashSize == 0 &&
         hashes.size() <= kTileWidth * kHashSize);
  return tx.Exec("INSERT INTO ledger_tile (level, idx, hashes) VALUES (?, ?, ?) "
                 "ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes",
                 {level, index, Param::Blob(hashes)})
      .status();
}

Result<std::vector<TileRowInfo>> ListTileRows(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(
      std::vector<store::Row> rows,
      tx.Query("SELECT level, idx, LENGTH(hashes) FROM ledger_tile ORDER BY level, idx"));
  std::vector<TileRowInfo> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) {
    out.push_back(TileRowInfo{static_cast<uint32_t>(r.Int64(0)), static_cast<uint64_t>(r.Int64(1)),
                              r.Int64(2)});
  }
  return out;
}

Status WriteCheckpoint(store::Tx& tx, const StoredCheckpoint& c) {
  return tx.Exec("INSERT INTO ledger_checkpoint (size, root, note, time_micros) VALUES (?, ?, ?, ?)",
                 {c.size, Param::Blob(c.root), c.note, c.time_micros})
      .status();
}

Result<std::optional<StoredCheckpoint>> ReadCheckpoint(store::Tx& tx, uint64_t size) {
  TB_ASSIGN_OR_RETURN(std::optional<store::Row> row,
                      tx.QueryRow(std::string(kCheckpointColumns) + " WHERE size = ?", {size}));
  if (!row) return std::optional<StoredCheckpoint>();
  return std::optional<StoredCheckpoint>(CheckpointFromRow(*row));
}

Result<std::optional<StoredCheckpoint>> ReadLatestCheckpoint(store::Tx& tx) {
  TB_ASSIGN_OR_RETURN(
      std::optional<store::Row> row,
      tx.QueryRow(std::string(kCheckpointColumns) + " ORDER BY size DESC LIMIT 1"));
  if (!row) return std::optional<StoredCheckpoint>();
  return std::optional<StoredCheckpoint>(CheckpointFromRow(*row));
}

Result<std::vector<StoredCheckpoint>> ReadCheckpoints(store::Tx& tx, std::optional<uint64_t> after,
                                                      size_t limit) {
  const int64_t lo = after ? static_cast<int64_t>(*after) : -1;
  TB_ASSIGN_OR_RETURN(std::vector<store::Row> rows,
                      tx.Query(std::string(kCheckpointColumns) +
                                   " WHERE size > ? ORDER BY size LIMIT ?",
                               {lo, static_cast<int64_t>(limit)}));
  std::vector<StoredCheckpoint> out;
  out.reserve(rows.size());
  for (const store::Row& r : rows) out.push_back(CheckpointFromRow(r));
  return out;
}

Status StoredTileReader::ReadTiles(std::span<const TileId> tiles, std::span<std::string> out) {
  assert(tiles.size() == out.size());
  for (size_t i = 0; i < tiles.size(); ++i) {
    const TileId& t = tiles[i];
    TB_ASSIGN_OR_RETURN(std::optional<std::string> row, ReadTileRow(tx_, t.level, t.index));
    const size_t want = size_t{t.width} * kHashSize;
    if (!row || row->size() < want) return Status::NotFound("tile", TilePath(t));
    row->resize(want);
    out[i] = std::move(*row);
  }
  return Status::Ok();
}

}  // namespace tongban::ledger
