// The audit replay. It trusts nothing stored except the entry bytes, from which it recomputes
// everything else; the only state carried across the replay is the Frontier, the tile being
// filled at each level and a cursor into the checkpoints (read in pages, in size order).
#include "ledger/audit.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "ledger/merkle.h"
#include "ledger/tile.h"

namespace tongban::ledger {
namespace {

constexpr uint64_t kEntryPage = 4096;
constexpr size_t kCheckpointPage = 1024;

std::string_view AsChars(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

class Auditor {
 public:
  Auditor(store::Tx& tx, const AuditOptions& o, AuditReport& report)
      : tx_(tx), o_(o), rep_(report), hasher_(o.hash) {}

  Status Run() {
    TB_ASSIGN_OR_RETURN(LogState state, ReadLogState(tx_));
    rep_.tree_size = state.size;
    if (state.origin != o_.origin || state.hash != o_.hash) {
      Add(AuditFinding::Kind::kState, 0, 0,
          "state: the stored log is \"" + state.origin + "\" (" +
              std::string(crypto::HashAlgorithmName(state.hash)) + "), not the audited one");
    }
    TB_ASSIGN_OR_RETURN(std::vector<TileRowInfo> tiles, ListTileRows(tx_));
    for (const TileRowInfo& t : tiles) stored_tiles_[{t.level, t.index}] = t.bytes;

    TB_ASSIGN_OR_RETURN(indexed_size_, ReadIndexedSize(tx_));
    if (indexed_size_ > state.size) {
      Add(AuditFinding::Kind::kState, state.size, 0,
          "state: the leaf index claims " + std::to_string(indexed_size_) + " leaves");
    }
    TB_RETURN_IF_ERROR(CheckCheckpointsUpTo());  // the empty tree's
    bool complete = true;
    for (uint64_t begin = 0; begin < state.size && complete; begin += kEntryPage) {
      const uint64_t end = std::min(state.size, begin + kEntryPage);
      TB_ASSIGN_OR_RETURN(std::vector<StoredEntry> rows, ReadEntries(tx_, begin, end));
      page_leaves_.clear();
      for (const StoredEntry& e : rows) {
        if (e.index != frontier_.size()) break;
        TB_RETURN_IF_ERROR(AppendEntry(e));
      }
      TB_RETURN_IF_ERROR(CheckLeafIndex(begin));
      if (frontier_.size() != end) {
        Add(AuditFinding::Kind::kEntry, frontier_.size(), 0,
            "entry " + std::to_string(frontier_.size()) +
                ": missing (the replay stops here; later entries, tiles and checkpoints are not "
                "checked)");
        complete = false;
      }
    }
    TB_ASSIGN_OR_RETURN(std::optional<store::Row> beyond,
                        tx_.QueryRow("SELECT COUNT(*), MIN(idx) FROM ledger_entry "
                                     "WHERE idx >= ? OR idx < 0",
                                     {static_cast<int64_t>(state.size)}));
    if (beyond && beyond->Int64(0) > 0) {
      Add(AuditFinding::Kind::kEntry, static_cast<uint64_t>(beyond->Int64(1)), 0,
          "entry " + std::to_string(beyond->Int64(1)) + ": stored beyond the tree size " +
              std::to_string(state.size) + " (" + std::to_string(beyond->Int64(0)) + " such)");
    }
    if (!complete) return Status::Ok();

    // The partial tiles at the right edge.
    for (uint32_t l = 0; l < filling_.size(); ++l) {
      if (!filling_[l].empty()) TB_RETURN_IF_ERROR(CompareTile(l));
    }
    for (const auto& [key, bytes] : stored_tiles_) {
      if (seen_tiles_.count(key) != 0) continue;
      Add(AuditFinding::Kind::kTile, key.second, key.first,
          "tile " + std::to_string(key.first) + "/" + EncodeTileIndex(key.second) +
              ": stored but not part of the tree of size " + std::to_string(state.size));
    }
    // Checkpoints beyond the tree.
    TB_RETURN_IF_ERROR(LoadCheckpoints());
    for (size_t i = next_cp_; i < cps_.size(); ++i) {
      Add(AuditFinding::Kind::kCheckpoint, cps_[i].size, 0,
          "checkpoint " + std::to_string(cps_[i].size) + ": beyond the tree size " +
              std::to_string(state.size));
    }
    if (last_checkpoint_size_ != state.size) {
      Add(AuditFinding::Kind::kState, state.size, 0,
          "state: no checkpoint for the current tree size " + std::to_string(state.size));
    }
    const Hash root = frontier_.Root(hasher_);
    if (state.root != root) {
      Add(AuditFinding::Kind::kState, state.size, 0, "state: stored root differs from the replay");
    }
    if (!std::equal(state.frontier.begin(), state.frontier.end(), frontier_.nodes().begin(),
                    frontier_.nodes().end())) {
      Add(AuditFinding::Kind::kState, state.size, 0,
          "state: stored frontier differs from the replay");
    }
    return Status::Ok();
  }

 private:
  void Add(AuditFinding::Kind kind, uint64_t index, uint32_t level, std::string message) {
    if (rep_.findings.size() >= o_.max_findings) {
      rep_.truncated = true;
      return;
    }
    rep_.findings.push_back(AuditFinding{kind, index, level, std::move(message)});
  }

  Status AppendEntry(const StoredEntry& e) {
    const uint64_t i = e.index;
    ++rep_.entries_checked;
    Result<Entry> parsed = ParseEntry(e.entry);
    if (!parsed.ok()) {
      Add(AuditFinding::Kind::kEntry, i, 0,
          "entry " + std::to_string(i) + ": not a valid entry (" + parsed.status().message() + ")");
    } else if (parsed->index.value != i) {
      Add(AuditFinding::Kind::kEntry, i, 0,
          "entry " + std::to_string(i) + ": carries index " + std::to_string(parsed->index.value));
    }
    const Hash leaf = hasher_.HashLeaf(e.entry);
    page_leaves_.push_back(leaf);
    if (e.leaf_hash != AsChars(leaf)) {
      Add(AuditFinding::Kind::kEntry, i, 0,
          "entry " + std::to_string(i) + ": stored leaf hash differs from H(0x00 || entry)");
    }
    Status s;
    frontier_.Append(hasher_, leaf, [&](const NodeId& id, const Hash& h) {
      if (id.level % kTileHeight != 0) return;
      const uint32_t l = id.level / kTileHeight;
      if (filling_.size() <= l) {
        filling_.resize(l + 1);
        tile_index_.resize(l + 1);
      }
      filling_[l].push_back(h);
      if (filling_[l].size() == kTileWidth && s.ok()) {
        s = CompareTile(l);
        filling_[l].clear();
        ++tile_index_[l];
      }
    });
    TB_RETURN_IF_ERROR(s);
    return CheckCheckpointsUpTo();
  }

  // Checks ledger_leaf_index for the leaves of one page starting at `begin` (page_leaves_): each
  // leaf below indexed_size has exactly one row, with the key of its recomputed hash; none above.
  Status CheckLeafIndex(uint64_t begin) {
    const uint64_t end = begin + page_leaves_.size();
    TB_ASSIGN_OR_RETURN(auto rows, ReadLeafIndexRows(tx_, begin, end));
    uint64_t want = begin;
    for (const auto& [key, idx] : rows) {
      const std::string name = "leaf index row for entry " + std::to_string(idx);
      if (idx >= indexed_size_) {
        Add(AuditFinding::Kind::kEntry, idx, 0, name + ": above the indexed size");
      } else if (idx < want) {
        Add(AuditFinding::Kind::kEntry, idx, 0, name + ": duplicated");
      } else {
        if (idx > want) {
          Add(AuditFinding::Kind::kEntry, want, 0,
              "leaf index row for entry " + std::to_string(want) + ": missing");
        }
        if (key != LeafKey(page_leaves_[idx - begin])) {
          Add(AuditFinding::Kind::kEntry, idx, 0, name + ": key differs from the leaf hash");
        }
        want = idx + 1;
      }
    }
    if (want < std::min(end, indexed_size_)) {
      Add(AuditFinding::Kind::kEntry, want, 0,
          "leaf index row for entry " + std::to_string(want) + ": missing");
    }
    return Status::Ok();
  }

  // Compares the stored tile (l, tile_index_[l]) with the hashes just recomputed.
  Status CompareTile(uint32_t l) {
    const uint64_t n = tile_index_[l];
    const std::vector<Hash>& want = filling_[l];
    const std::string path =
        TilePath(TileId{l, n, static_cast<uint32_t>(want.size())});
    ++rep_.tiles_checked;
    seen_tiles_.insert({l, n});
    TB_ASSIGN_OR_RETURN(std::optional<std::string> got, ReadTileRow(tx_, l, n));
    if (!got) {
      Add(AuditFinding::Kind::kTile, n, l, path + ": missing");
      return Status::Ok();
    }
    if (got->size() != want.size() * kHashSize) {
      Add(AuditFinding::Kind::kTile, n, l,
          path + ": stored " + std::to_string(got->size()) + " bytes, expected " +
              std::to_string(want.size() * kHashSize));
      return Status::Ok();
    }
    for (size_t j = 0; j < want.size(); ++j) {
      if (std::memcmp(got->data() + j * kHashSize, want[j].data(), kHashSize) != 0) {
        Add(AuditFinding::Kind::kTile, n, l,
            path + ": hash " + std::to_string(j) + " (node " + std::to_string(l * kTileHeight) +
                "/" + std::to_string(n * kTileWidth + j) + ") differs from the replay");
        break;
      }
    }
    return Status::Ok();
  }

  Status LoadCheckpoints() {
    if (next_cp_ < cps_.size() || cps_done_) return Status::Ok();
    TB_ASSIGN_OR_RETURN(cps_, ReadCheckpoints(tx_, cps_after_, kCheckpointPage));
    next_cp_ = 0;
    if (cps_.empty()) {
      cps_done_ = true;
    } else {
      cps_after_ = cps_.back().size;
    }
    return Status::Ok();
  }

  // Checks every stored checkpoint of a size <= the replayed size.
  Status CheckCheckpointsUpTo() {
    for (;;) {
      TB_RETURN_IF_ERROR(LoadCheckpoints());
      if (next_cp_ >= cps_.size() || cps_[next_cp_].size > frontier_.size()) return Status::Ok();
      const StoredCheckpoint& cp = cps_[next_cp_++];
      // Sizes ascend and are unique, so cp.size == frontier_.size() here.
      CheckCheckpoint(cp, frontier_.Root(hasher_));
    }
  }

  void CheckCheckpoint(const StoredCheckpoint& cp, const Hash& root) {
    ++rep_.checkpoints_checked;
    last_checkpoint_size_ = cp.size;
    const std::string name = "checkpoint " + std::to_string(cp.size);
    if (cp.root != AsChars(root)) {
      Add(AuditFinding::Kind::kCheckpoint, cp.size, 0,
          name + ": stored root differs from the replayed root");
    }
    Result<Checkpoint> body = OpenCheckpoint(cp.note, o_.origin, o_.log_key);
    if (!body.ok()) {
      Add(AuditFinding::Kind::kCheckpoint, cp.size, 0,
          name + ": signed note does not verify (" + body.status().message() + ")");
      return;
    }
    if (body->size != cp.size) {
      Add(AuditFinding::Kind::kCheckpoint, cp.size, 0,
          name + ": the signed note says size " + std::to_string(body->size));
    } else if (body->root != root) {
      Add(AuditFinding::Kind::kCheckpoint, cp.size, 0,
          name + ": the signed root differs from the replayed root");
    }
  }

  store::Tx& tx_;
  const AuditOptions& o_;
  AuditReport& rep_;
  TreeHasher hasher_;
  Frontier frontier_;
  std::vector<std::vector<Hash>> filling_;  // per tile level: hashes of the tile being filled
  std::vector<uint64_t> tile_index_;        // per tile level: index of that tile
  std::map<std::pair<uint32_t, uint64_t>, int64_t> stored_tiles_;
  std::set<std::pair<uint32_t, uint64_t>> seen_tiles_;
  std::vector<StoredCheckpoint> cps_;
  size_t next_cp_ = 0;
  std::optional<uint64_t> cps_after_;
  bool cps_done_ = false;
  std::optional<uint64_t> last_checkpoint_size_;
  uint64_t indexed_size_ = 0;
  std::vector<Hash> page_leaves_;  // recomputed leaf hashes of the current page
};

}  // namespace

Status AuditReport::status() const {
  if (findings.empty()) return Status::Ok();
  std::string msg = "ledger audit failed: " + std::to_string(findings.size()) +
                    (truncated ? "+" : "") + " finding(s): ";
  for (size_t i = 0; i < findings.size() && i < 5; ++i) {
    if (i > 0) msg += "; ";
    msg += findings[i].message;
  }
  if (findings.size() > 5) msg += "; ...";
  return Status::DataLoss(std::move(msg));
}

Result<AuditReport> AuditLogReport(store::Database& db, const AuditOptions& options) {
  if (options.log_key == nullptr) return Status::InvalidArgument("audit needs the log's key");
  AuditReport report;
  TB_RETURN_IF_ERROR(db.Read([&](store::Tx& tx) -> Status {
    report = AuditReport{};
    Auditor auditor(tx, options, report);
    return auditor.Run();
  }));
  return report;
}

Status AuditLog(store::Database& db, const AuditOptions& options) {
  TB_ASSIGN_OR_RETURN(AuditReport report, AuditLogReport(db, options));
  return report.status();
}

}  // namespace tongban::ledger
