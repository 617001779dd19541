// Tiles per C2SP tlog-tiles: the Merkle tree served as immutable 256-hash "tiles" and the leaves
// as "entry bundles", so any tiles client can mirror the log and compute proofs itself.
//
//   tile-path    = "tile/" level "/" index [".p/" width]
//   entries-path = "tile/entries/" index [".p/" width]
//   level        = "0" / %x31-39 [DIGIT]       ; 0..63, no leading zero
//   index        = *("x" 3DIGIT "/") 3DIGIT    ; 1234067 = "x001/x234/067"; canonical (no
//                                              ;   leading "x000/" groups), fits in uint64
//   width        = %x31-39 *2DIGIT             ; 1..255, no leading zero
//   tile         = width * 32-byte hash        ; full tile: 256 hashes (8192 bytes)
//   entry-bundle = *(uint16-be-length entry)   ; one per leaf of the matching level-0 tile
//
// Tile (L, n) holds the tree nodes at level 8L with indices n*256 .. n*256+255, i.e. hash j is
// MTH(D[(n*256+j) * 256^L : (n*256+j+1) * 256^L]). The partial tile at level L of a tree of
// size s has floor(s / 256^L) mod 256 hashes; width 0 means there is none.
//
// Thread-safety: pure functions; TileNodeSource is not thread-safe (it uses the caller's
// TreeHasher and TileReader), and does not own them: both must outlive it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/merkle.h"
#include "ledger/proof.h"

namespace tongban::ledger {

inline constexpr uint32_t kTileHeight = 8;
inline constexpr uint32_t kTileWidth = 256;
inline constexpr uint32_t kMaxTileLevel = 63;
inline constexpr size_t kMaxBundleEntrySize = 65535;

struct TileId {
  uint32_t level = 0;    // tile level (tree level / 8)
  uint64_t index = 0;    // tile index within the level
  uint32_t width = kTileWidth;  // 1..256; 256 is a full tile
  bool full() const { return width == kTileWidth; }
  friend bool operator==(const TileId&, const TileId&) = default;
};

// "x001/x234/067" for 1234067; "000" for 0.
std::string EncodeTileIndex(uint64_t n);
// "tile/<L>/<N>[.p/<W>]". REQUIRES: level <= 63, 1 <= width <= 256.
std::string TilePath(const TileId& tile);
// "tile/entries/<N>[.p/<W>]" for the bundle of level-0 tile `index`. REQUIRES: 1 <= width <= 256.
std::string EntryBundlePath(uint64_t index, uint32_t width);

// Parses the <L> and <N>[.p/<W>] path parts. kInvalidArgument unless canonical per the grammar.
Result<TileId> ParseTileLevelIndex(std::string_view level, std::string_view index);
// Parses "tile/<L>/<N>[.p/<W>]" (not entry bundles).
Result<TileId> ParseTilePath(std::string_view path);
// Parses "tile/entries/<N>[.p/<W>]"; the result has level 0.
Result<TileId> ParseEntryBundlePath(std::string_view path);

// The level-0 tile / entry bundle holding leaf `leaf_index`, as served for a tree of `tree_size`.
// REQUIRES: leaf_index < tree_size.
TileId TileForLeaf(uint64_t leaf_index, uint64_t tree_size);
// The tile that stores node `node` (tree level node.level must be a multiple of 8 for the node to
// be stored directly; otherwise it is recomputed from 2^(level % 8) hashes of this tile), as
// served for a tree of `tree_size`. REQUIRES: the node is complete in that tree.
TileId TileForNode(const NodeId& node, uint64_t tree_size);

// How a tree of `size` is tiled at one level: full tiles 0..full_tiles-1, then a partial tile of
// partial_width (0 = none).
struct TileLevel {
  uint32_t level = 0;
  uint64_t full_tiles = 0;
  uint32_t partial_width = 0;
  friend bool operator==(const TileLevel&, const TileLevel&) = default;
};
// One TileLevel per tile level that has any tile, bottom up. Empty for size 0.
std::vector<TileLevel> TileLevelsForTreeSize(uint64_t size);

// Tile bytes <-> hashes. Parse is strict: exactly width * 32 bytes, else kDataLoss (a tile comes
// from our own storage or a mirror and must match the width its path promises).
Result<std::vector<Hash>> ParseTile(std::string_view data, uint32_t width);
std::string FormatTile(std::span<const Hash> hashes);

// The hash one level-(L+1) tile stores for a full level-L tile: the root of its 256 hashes.
// REQUIRES: hashes.size() == 256.
Hash FullTileRoot(TreeHasher& hasher, std::span<const Hash> hashes);
// Hashes of the next tile level computed from all hashes of a level, one per complete group of
// 256 (a trailing partial group contributes nothing, as the spec requires).
std::vector<Hash> NextTileLevel(TreeHasher& hasher, std::span<const Hash> level_hashes);

// Entry bundles: big-endian uint16 length-prefixed entries. Parse is strict (kInvalidArgument on
// truncation); Format fails with kInvalidArgument on an empty or > 65535-byte entry.
Result<std::vector<std::string_view>> ParseEntryBundle(std::string_view data);
Result<std::string> FormatEntryBundle(std::span<const std::string> entries);

// Reads tiles from wherever they live (a database, files, a mirror over HTTP).
class TileReader {
 public:
  virtual ~TileReader() = default;
  // Fills out[i] with the bytes of tiles[i]. kNotFound if one is missing.
  virtual Status ReadTiles(std::span<const TileId> tiles, std::span<std::string> out) = 0;
};

// A NodeSource over the tiles of a tree of a fixed size: each request reads each needed tile
// once, and nodes between tile levels are recomputed from the tile's hashes.
class TileNodeSource : public NodeSource {
 public:
  TileNodeSource(uint64_t tree_size, TileReader& reader, TreeHasher& hasher)
      : size_(tree_size), reader_(reader), hasher_(hasher) {}

  // kNotFound for a node not complete in the tree; kDataLoss for a tile of the wrong size.
  Status GetNodes(std::span<const NodeId> ids, std::span<Hash> out) override;

 private:
  uint64_t size_;
  TileReader& reader_;
  TreeHasher& hasher_;
};

}  // namespace tongban::ledger
