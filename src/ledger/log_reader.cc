// Each LogReader call is one Database::Read snapshot: the tree size it checks against and the
// tiles it reads come from the same committed state.
#include "ledger/log_reader.h"

#include <cstring>

#include "ledger/proof.h"

namespace tongban::ledger {
namespace {

// The integrated size in this snapshot; 0 when the log does not exist yet.
Result<uint64_t> IntegratedSize(store::Tx& tx) {
  Result<LogState> s = ReadLogState(tx);
  if (!s.ok()) {
    if (s.status().code() == ErrorCode::kNotFound) return uint64_t{0};
    return s.status();
  }
  return s->size;
}

Result<uint64_t> ResolveSize(store::Tx& tx, uint64_t tree_size) {
  TB_ASSIGN_OR_RETURN(uint64_t size, IntegratedSize(tx));
  if (tree_size == 0) return size;
  if (tree_size > size) {
    return Status::OutOfRange("tree size " + std::to_string(tree_size) +
                              " is larger than the log (" + std::to_string(size) + ")");
  }
  return tree_size;
}

Result<Hash> ToHash(std::string_view bytes, std::string_view what) {
  if (bytes.size() != kHashSize) {
    return Status::DataLoss("ledger storage is corrupt").WithDetail(std::string(what));
  }
  Hash h;
  std::memcpy(h.data(), bytes.data(), kHashSize);
  return h;
}

Result<std::vector<Hash>> ProofAt(store::Tx& tx, crypto::HashAlgorithm alg, uint64_t index,
                                  uint64_t size) {
  TreeHasher hasher(alg);
  StoredTileReader tiles(tx);
  TileNodeSource nodes(size, tiles, hasher);
  return ledger::InclusionProof(index, size, nodes, hasher);
}

}  // namespace

Result<LogState> LogReader::State() {
  LogState out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, ReadLogState(tx));
    return Status::Ok();
  }));
  return out;
}

Result<QueueStats> LogReader::Queue() {
  QueueStats out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, ReadQueueStats(tx));
    return Status::Ok();
  }));
  return out;
}

Result<StoredCheckpoint> LogReader::LatestCheckpoint() {
  std::optional<StoredCheckpoint> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, ReadLatestCheckpoint(tx));
    return Status::Ok();
  }));
  if (!out) return Status::NotFound("checkpoint");
  return std::move(*out);
}

Result<StoredCheckpoint> LogReader::Checkpoint(uint64_t size) {
  std::optional<StoredCheckpoint> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, ReadCheckpoint(tx, size));
    return Status::Ok();
  }));
  if (!out) return Status::NotFound("checkpoint", std::to_string(size));
  return std::move(*out);
}

Result<std::vector<StoredCheckpoint>> LogReader::Checkpoints(std::optional<uint64_t> after,
                                                             size_t limit) {
  std::vector<StoredCheckpoint> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, ReadCheckpoints(tx, after, limit));
    return Status::Ok();
  }));
  return out;
}

Result<std::string> LogReader::Tile(const TileId& tile) {
  if (tile.width < 1 || tile.width > kTileWidth || tile.level > kMaxTileLevel) {
    return Status::InvalidArgument("bad tile");
  }
  std::string out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    StoredTileReader reader(tx);
    return reader.ReadTiles(std::span(&tile, 1), std::span(&out, 1));
  }));
  return out;
}

Result<std::string> LogReader::EntryBundle(uint64_t index, uint32_t width) {
  if (width < 1 || width > kTileWidth || index > (UINT64_MAX >> 9)) {
    return Status::InvalidArgument("bad entry bundle");
  }
  std::vector<StoredEntry> rows;
  const uint64_t begin = index * kTileWidth;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(rows, ReadEntries(tx, begin, begin + width));
    return Status::Ok();
  }));
  if (rows.size() != width) return Status::NotFound("entry bundle", EntryBundlePath(index, width));
  std::vector<std::string> entries;
  entries.reserve(rows.size());
  for (StoredEntry& e : rows) entries.push_back(std::move(e.entry));
  return FormatEntryBundle(entries);
}

Result<StoredEntry> LogReader::EntryAt(uint64_t index) {
  std::vector<StoredEntry> rows;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(rows, ReadEntries(tx, index, index + 1));
    return Status::Ok();
  }));
  if (rows.empty()) return Status::NotFound("ledger entry", std::to_string(index));
  return std::move(rows.front());
}

Result<uint64_t> LogReader::IndexOf(const Hash& leaf_hash) {
  std::optional<uint64_t> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out, FindLeafIndex(tx, leaf_hash));
    return Status::Ok();
  }));
  if (!out) return Status::NotFound("ledger leaf");
  return *out;
}

Result<InclusionProofResult> LogReader::InclusionProof(uint64_t index, uint64_t tree_size) {
  InclusionProofResult out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out.tree_size, ResolveSize(tx, tree_size));
    if (index >= out.tree_size) {
      return Status::OutOfRange("leaf index " + std::to_string(index) +
                                " is not in the tree of size " + std::to_string(out.tree_size));
    }
    TB_ASSIGN_OR_RETURN(std::vector<StoredEntry> e, ReadEntries(tx, index, index + 1));
    if (e.empty()) return Status::DataLoss("ledger storage is corrupt").WithDetail("entry missing");
    TB_ASSIGN_OR_RETURN(out.leaf_hash, ToHash(e.front().leaf_hash, "ledger_entry.leaf_hash"));
    out.index = index;
    TB_ASSIGN_OR_RETURN(out.proof, ProofAt(tx, hash_, index, out.tree_size));
    return Status::Ok();
  }));
  return out;
}

Result<InclusionProofResult> LogReader::InclusionProofByHash(const Hash& leaf_hash,
                                                             uint64_t tree_size) {
  InclusionProofResult out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(out.tree_size, ResolveSize(tx, tree_size));
    TB_ASSIGN_OR_RETURN(std::optional<uint64_t> index, FindLeafIndex(tx, leaf_hash));
    if (!index || *index >= out.tree_size) return Status::NotFound("ledger leaf");
    out.index = *index;
    out.leaf_hash = leaf_hash;
    TB_ASSIGN_OR_RETURN(out.proof, ProofAt(tx, hash_, *index, out.tree_size));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Hash>> LogReader::ConsistencyProof(uint64_t m, uint64_t n) {
  std::vector<Hash> out;
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(uint64_t size, IntegratedSize(tx));
    if (m == 0 || m > n || n > size) {
      return Status::OutOfRange("no consistency proof from " + std::to_string(m) + " to " +
                                std::to_string(n) + " in a log of " + std::to_string(size));
    }
    TreeHasher hasher(hash_);
    StoredTileReader tiles(tx);
    TileNodeSource nodes(n, tiles, hasher);
    TB_ASSIGN_OR_RETURN(out, ledger::ConsistencyProof(m, n, nodes, hasher));
    return Status::Ok();
  }));
  return out;
}

Result<Hash> LogReader::RootAt(uint64_t tree_size) {
  Hash out{};
  TB_RETURN_IF_ERROR(db_.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(uint64_t size, IntegratedSize(tx));
    if (tree_size > size) return Status::OutOfRange("tree size beyond the log");
    TreeHasher hasher(hash_);
    StoredTileReader tiles(tx);
    TileNodeSource nodes(tree_size, tiles, hasher);
    TB_ASSIGN_OR_RETURN(out, TreeRoot(tree_size, nodes, hasher));
    return Status::Ok();
  }));
  return out;
}

}  // namespace tongban::ledger
