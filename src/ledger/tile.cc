// tlog-tiles paths, tile arithmetic and formats; the grammar is in tile.h.
#include "ledger/tile.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace tongban::ledger {
namespace {

Status BadPath(std::string why) { return Status::InvalidArgument("bad tile path: " + why); }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal with no leading zero (except "0"), no sign, <= max.
bool ParseSmall(std::string_view s, uint32_t max, uint32_t* out) {
  if (!AllDigits(s) || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  uint32_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint32_t>(c - '0');
  if (v > max) return false;
  *out = v;
  return true;
}

// Parses "<N>[.p/<W>]" into index and width.
Status ParseIndexWidth(std::string_view s, uint64_t* index, uint32_t* width) {
  *width = kTileWidth;
  const size_t p = s.find(".p/");
  if (p != std::string_view::npos) {
    uint32_t w = 0;
    if (!ParseSmall(s.substr(p + 3), kTileWidth - 1, &w) || w == 0) {
      return BadPath("partial width must be 1..255");
    }
    *width = w;
    s = s.substr(0, p);
  }
  uint64_t n = 0;
  bool first = true;
  while (true) {
    const size_t slash = s.find('/');
    std::string_view group = s.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (!last) {
      if (group.size() != 4 || group[0] != 'x') return BadPath("index groups are x + 3 digits");
      group.remove_prefix(1);
    }
    if (group.size() != 3 || !AllDigits(group)) return BadPath("index groups are 3 digits");
    const uint64_t g = static_cast<uint64_t>((group[0] - '0') * 100 + (group[1] - '0') * 10 +
                                             (group[2] - '0'));
    if (first && !last && g == 0) return BadPath("index has a leading zero group");
    if (n > (UINT64_MAX - g) / 1000) return BadPath("index overflows 64 bits");
    n = n * 1000 + g;
    first = false;
    if (last) break;
    s.remove_prefix(slash + 1);
  }
  *index = n;
  return Status::Ok();
}

// Root of a perfect subtree from its 2^k bottom hashes. REQUIRES: size is a power of two <= 256.
Hash PerfectRoot(TreeHasher& hasher, std::span<const Hash> hashes) {
  assert(std::has_single_bit(hashes.size()) && hashes.size() <= kTileWidth);
  if (hashes.size() == 1) return hashes[0];
  std::array<Hash, kTileWidth / 2> buf;
  size_t n = hashes.size() / 2;
  for (size_t i = 0; i < n; ++i) buf[i] = hasher.HashChildren(hashes[2 * i], hashes[2 * i + 1]);
  for (; n > 1; n /= 2) {
    for (size_t i = 0; i < n / 2; ++i) buf[i] = hasher.HashChildren(buf[2 * i], buf[2 * i + 1]);
  }
  return buf[0];
}

// Width of tile (level, index) as served for a tree of `size`.
uint32_t WidthAt(uint32_t level, uint64_t index, uint64_t size) {
  const uint32_t shift = kTileHeight * level;
  const uint64_t hashes = shift >= 64 ? 0 : size >> shift;  // hashes at this tile level
  if (hashes / kTileWidth > index) return kTileWidth;
  return static_cast<uint32_t>(hashes % kTileWidth);
}

}  // namespace

std::string EncodeTileIndex(uint64_t n) {
  std::string digits = std::to_string(n);
  digits.insert(0, (3 - digits.size() % 3) % 3, '0');
  std::string out;
  for (size_t i = 0; i < digits.size(); i += 3) {
    if (i + 3 < digits.size()) out += 'x';
    out.append(digits, i, 3);
    if (i + 3 < digits.size()) out += '/';
  }
  return out;
}

std::string TilePath(const TileId& t) {
  assert(t.level <= kMaxTileLevel && t.width >= 1 && t.width <= kTileWidth);
  std::string out = "tile/" + std::to_string(t.level) + "/" + EncodeTileIndex(t.index);
  if (!t.full()) out += ".p/" + std::to_string(t.width);
  return out;
}

std::string EntryBundlePath(uint64_t index, uint32_t width) {
  assert(width >= 1 && width <= kTileWidth);
  std::string out = "tile/entries/" + EncodeTileIndex(index);
  if (width != kTileWidth) out += ".p/" + std::to_string(width);
  return out;
}

Result<TileId> ParseTileLevelIndex(std::string_view level, std::string_view index) {
  TileId t;
  if (!ParseSmall(level, kMaxTileLevel, &t.level)) return BadPath("level must be 0..63");
  TB_RETURN_IF_ERROR(ParseIndexWidth(index, &t.index, &t.width));
  return t;
}

Result<TileId> ParseTilePath(std::string_view path) {
  constexpr std::string_view kPrefix = "tile/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return BadPath("must start with tile/");
  path.remove_prefix(kPrefix.size());
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return BadPath("missing index");
  return ParseTileLevelIndex(path.substr(0, slash), path.substr(slash + 1));
}

Result<TileId> ParseEntryBundlePath(std::string_view path) {
  constexpr std::string_view kPrefix = "tile/entries/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return BadPath("must start with tile/entries/");
  TileId t;
  TB_RETURN_IF_ERROR(ParseIndexWidth(path.substr(kPrefix.size()), &t.index, &t.width));
  return t;
}

TileId TileForLeaf(uint64_t leaf_index, uint64_t tree_size) {
  assert(leaf_index < tree_size);
  const uint64_t n = leaf_index / kTileWidth;
  return TileId{0, n, WidthAt(0, n, tree_size)};
}

TileId TileForNode(const NodeId& node, uint64_t tree_size) {
  const uint32_t level = node.level / kTileHeight;
  const uint32_t sub = node.level % kTileHeight;
  // The node covers tile-level hashes [index << sub, (index + 1) << sub).
  const uint64_t n = (node.index << sub) / kTileWidth;
  return TileId{level, n, WidthAt(level, n, tree_size)};
}

std::vector<TileLevel> TileLevelsForTreeSize(uint64_t size) {
  std::vector<TileLevel> out;
  for (uint32_t level = 0; level <= kMaxTileLevel; ++level) {
    const uint32_t shift = kTileHeight * level;
    if (shift >= 64) break;
    const uint64_t hashes = size >> shift;
    if (hashes == 0) break;
    out.push_back({level, hashes / kTileWidth, static_cast<uint32_t>(hashes % kTileWidth)});
  }
  return out;
}

Result<std::vector<Hash>> ParseTile(std::string_view data, uint32_t width) {
  if (width == 0 || width > kTileWidth || data.size() != size_t{width} * kHashSize) {
    return Status::DataLoss("tile is " + std::to_string(data.size()) + " bytes, want " +
                            std::to_string(size_t{width} * kHashSize));
  }
  std::vector<Hash> out(width);
  for (uint32_t i = 0; i < width; ++i) std::memcpy(out[i].data(), data.data() + i * kHashSize, kHashSize);
  return out;
}

std::string FormatTile(std::span<const Hash> hashes) {
  std::string out;
  out.reserve(hashes.size() * kHashSize);
  for (const Hash& h : hashes) out.append(reinterpret_cast<const char*>(h.data()), kHashSize);
  return out;
}

Hash FullTileRoot(TreeHasher& hasher, std::span<const Hash> hashes) {
  assert(hashes.size() == kTileWidth);
  return PerfectRoot(hasher, hashes);
}

std::vector<Hash> NextTileLevel(TreeHasher& hasher, std::span<const Hash> level_hashes) {
  std::vector<Hash> out;
  out.reserve(level_hashes.size() / kTileWidth);
  for (size_t i = 0; i + kTileWidth <= level_hashes.size(); i += kTileWidth) {
    out.push_back(FullTileRoot(hasher, level_hashes.subspan(i, kTileWidth)));
  }
  return out;
}

Result<std::vector<std::string_view>> ParseEntryBundle(std::string_view data) {
  std::vector<std::string_view> out;
  while (!data.empty()) {
    if (data.size() < 2) return Status::InvalidArgument("entry bundle is truncated");
    const size_t len = size_t{static_cast<uint8_t>(data[0])} << 8 | static_cast<uint8_t>(data[1]);
    if (data.size() - 2 < len) return Status::InvalidArgument("entry bundle is truncated");
    out.push_back(data.substr(2, len));
    data.remove_prefix(2 + len);
    if (out.size() > kTileWidth) return Status::InvalidArgument("entry bundle has > 256 entries");
  }
  return out;
}

Result<std::string> FormatEntryBundle(std::span<const std::string> entries) {
  if (entries.size() > kTileWidth) return Status::InvalidArgument("entry bundle has > 256 entries");
  std::string out;
  for (const std::string& e : entries) {
    if (e.empty() || e.size() > kMaxBundleEntrySize) {
      return Status::InvalidArgument("bundle entries are 1..65535 bytes");
    }
    out.push_back(static_cast<char>(e.size() >> 8));
    out.push_back(static_cast<char>(e.size()));
    out += e;
  }
  return out;
}

Status TileNodeSource::GetNodes(std::span<const NodeId> ids, std::span<Hash> out) {
  assert(ids.size() == out.size());
  std::vector<TileId> tiles;
  std::vector<size_t> tile_of(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const NodeId& id = ids[i];
    // Complete iff (index + 1) * 2^level <= size, written without overflow.
    const bool complete =
        id.level < 64 && id.index < (size_ >> id.level) && ((id.index + 1) << id.level) <= size_;
    if (!complete) {
      return Status::NotFound("tree node", std::to_string(id.level) + "/" +
                                               std::to_string(id.index));
    }
    const TileId t = TileForNode(id, size_);
    auto it = std::find(tiles.begin(), tiles.end(), t);
    tile_of[i] = static_cast<size_t>(it - tiles.begin());
    if (it == tiles.end()) tiles.push_back(t);
  }
  std::vector<std::string> data(tiles.size());
  TB_RETURN_IF_ERROR(reader_.ReadTiles(tiles, data));
  std::vector<std::vector<Hash>> parsed(tiles.size());
  for (size_t t = 0; t < tiles.size(); ++t) {
    Result<std::vector<Hash>> h = ParseTile(data[t], tiles[t].width);
    if (!h.ok()) return std::move(h).status().WithDetail(TilePath(tiles[t]));
    parsed[t] = std::move(*h);
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const uint32_t sub = ids[i].level % kTileHeight;
    const uint64_t first = (ids[i].index << sub) % kTileWidth;
    const std::vector<Hash>& h = parsed[tile_of[i]];
    assert(first + (uint64_t{1} << sub) <= h.size());
    out[i] = PerfectRoot(hasher_, std::span(h).subspan(first, size_t{1} << sub));
  }
  return Status::Ok();
}

}  // namespace tongban::ledger
