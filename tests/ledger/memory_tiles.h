// MemoryTiles: a TileReader over tile-level hashes kept in memory, filled by appending leaves
// through a Frontier (keeping the nodes whose tree level is a multiple of 8). Lets tests check
// TileNodeSource against MemoryTree. Test-only; not thread-safe.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "ledger/tile.h"

namespace tongban::ledger::testing {

class MemoryTiles : public TileReader {
 public:
  explicit MemoryTiles(crypto::HashAlgorithm alg) : hasher_(alg) {}

  void Append(const Hash& leaf_hash) {
    frontier_.Append(hasher_, leaf_hash, [this](const NodeId& id, const Hash& h) {
      if (id.level % kTileHeight != 0) return;
      const size_t l = id.level / kTileHeight;
      if (levels_.size() <= l) levels_.resize(l + 1);
      levels_[l].push_back(h);
    });
  }

  // Makes ReadTiles return a truncated copy of this tile.
  void Corrupt(const TileId& t) { corrupt_.insert(TilePath(t)); }

  Status ReadTiles(std::span<const TileId> tiles, std::span<std::string> out) override {
    for (size_t i = 0; i < tiles.size(); ++i) {
      const TileId& t = tiles[i];
      const uint64_t begin = t.index * kTileWidth, end = begin + t.width;
      if (t.level >= levels_.size() || end > levels_[t.level].size()) {
        return Status::NotFound("tile", TilePath(t));
      }
      out[i] = FormatTile(std::span(levels_[t.level]).subspan(begin, t.width));
      if (corrupt_.count(TilePath(t)) != 0) out[i].pop_back();
      ++reads_;
    }
    return Status::Ok();
  }
  int reads() const { return reads_; }

 private:
  TreeHasher hasher_;
  Frontier frontier_;
  std::vector<std::vector<Hash>> levels_;
  std::set<std::string> corrupt_;
  int reads_ = 0;
};

}  // namespace tongban::ledger::testing
