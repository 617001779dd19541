// Tests for ledger/tile.h: tile-paths.json (encodings, accept/reject), tiling of a tree, tile
// hashes against the in-memory tree, proofs through TileNodeSource, entry bundles.
#include "ledger/tile.h"

#include <map>

#include <gtest/gtest.h>

#include "ledger/memory_tree.h"
#include "memory_tiles.h"
#include "vectors.h"

namespace tongban::ledger {
namespace {

uint32_t WidthOf(const boost::json::value& partial) {
  const auto p = partial.to_number<uint32_t>();
  return p == 0 ? kTileWidth : p;
}

TEST(TilePathVectors, TilePaths) {
  boost::json::value v = testing::ReadJson("tile-paths.json");
  for (const auto& c : v.at("tile_path").as_array()) {
    TileId t{c.at("level").to_number<uint32_t>(), c.at("index").to_number<uint64_t>(),
             WidthOf(c.at("partial"))};
    EXPECT_EQ(TilePath(t), c.at("path").as_string());
    Result<TileId> back = ParseTilePath(c.at("path").as_string());
    ASSERT_TRUE(back.ok()) << c.at("path").as_string();
    EXPECT_EQ(*back, t);
  }
}

TEST(TilePathVectors, EntryBundlePaths) {
  boost::json::value v = testing::ReadJson("tile-paths.json");
  for (const auto& c : v.at("entries_path").as_array()) {
    const uint64_t index = c.at("index").to_number<uint64_t>();
    const uint32_t width = WidthOf(c.at("partial"));
    EXPECT_EQ(EntryBundlePath(index, width), c.at("path").as_string());
    Result<TileId> back = ParseEntryBundlePath(c.at("path").as_string());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->index, index);
    EXPECT_EQ(back->width, width);
  }
  for (const auto& c : v.at("entries_path_for_log_index").as_array()) {
    TileId t = TileForLeaf(c.at("seq").to_number<uint64_t>(), c.at("logSize").to_number<uint64_t>());
    EXPECT_EQ(EntryBundlePath(t.index, t.width), c.at("path").as_string());
  }
}

TEST(TilePathVectors, ParseLevelIndexAcceptsAndRejects) {
  boost::json::value v = testing::ReadJson("tile-paths.json");
  for (const auto& c : v.at("parse_level_index").as_array()) {
    const std::string level(c.at("level").as_string()), index(c.at("index").as_string());
    Result<TileId> t = ParseTileLevelIndex(level, index);
    if (c.as_object().contains("err")) {
      EXPECT_FALSE(t.ok()) << level << " " << index;
      continue;
    }
    ASSERT_TRUE(t.ok()) << level << " " << index << ": " << t.status().ToString();
    const auto& want = c.at("want").as_array();
    EXPECT_EQ(t->level, want[0].to_number<uint32_t>());
    EXPECT_EQ(t->index, want[1].to_number<uint64_t>());
    EXPECT_EQ(t->width, WidthOf(want[2]));
  }
}

TEST(TilePaths, StrictRejections) {
  for (std::string_view bad :
       {"tile/00/000", "tile/1/000.p/0", "tile/1/000.p/010", "tile/1/x000/001", "tile/1/1",
        "tile/1/0001", "tile/1/x1/001", "tile/1/000/", "tile//000", "tile/1", "tiles/1/000",
        "tile/1/000.p/1/", "tile/1/x001/x002", "tile/+1/000", "tile/1/00a"}) {
    EXPECT_FALSE(ParseTilePath(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseEntryBundlePath("tile/entries/").ok());
  EXPECT_FALSE(ParseEntryBundlePath("tile/0/000").ok());
  EXPECT_EQ(EncodeTileIndex(UINT64_MAX), "x018/x446/x744/x073/x709/x551/615");
  EXPECT_EQ(ParseTilePath("tile/0/x018/x446/x744/x073/x709/x551/615")->index, UINT64_MAX);
  EXPECT_FALSE(ParseTilePath("tile/0/x018/x446/x744/x073/x709/x551/616").ok());
}

TEST(TileLevels, SpecExamples) {
  EXPECT_EQ(TileLevelsForTreeSize(70000),
            (std::vector<TileLevel>{{0, 273, 112}, {1, 1, 17}, {2, 0, 1}}));
  EXPECT_EQ(TileLevelsForTreeSize(256), (std::vector<TileLevel>{{0, 1, 0}, {1, 0, 1}}));
  EXPECT_TRUE(TileLevelsForTreeSize(0).empty());
  EXPECT_EQ(TilePath({1, 1, 17}), "tile/1/001.p/17");
  EXPECT_EQ(TileForNode({8, 256}, 70000), (TileId{1, 1, 17}));
  EXPECT_EQ(TileForNode({9, 0}, 70000), (TileId{1, 0, 256}));
  EXPECT_EQ(TileForNode({3, 8}, 70000), (TileId{0, 0, 256}));
}

TEST(TileHashes, LevelsMatchTheTree) {
  MemoryTree tree(crypto::HashAlgorithm::kSm3);
  const uint64_t n = 256 * 256 + 3 * 256 + 5;
  for (uint64_t i = 0; i < n; ++i) tree.AppendLeafData(std::to_string(i));
  std::vector<Hash> level0(n);
  std::vector<NodeId> ids;
  for (uint64_t i = 0; i < n; ++i) ids.push_back({0, i});
  ASSERT_TRUE(tree.GetNodes(ids, level0).ok());
  std::vector<Hash> level1 = NextTileLevel(tree.hasher(), level0);
  ASSERT_EQ(level1.size(), 259u);
  std::vector<Hash> level2 = NextTileLevel(tree.hasher(), level1);
  ASSERT_EQ(level2.size(), 1u);
  Hash want;
  ASSERT_TRUE(tree.GetNodes(std::vector<NodeId>{{8, 258}}, std::span(&want, 1)).ok());
  EXPECT_EQ(level1[258], want);
  ASSERT_TRUE(tree.GetNodes(std::vector<NodeId>{{16, 0}}, std::span(&want, 1)).ok());
  EXPECT_EQ(level2[0], want);
  Result<std::vector<Hash>> rt = ParseTile(FormatTile(std::span(level1).subspan(256)), 3);
  ASSERT_TRUE(rt.ok());
  EXPECT_EQ(*rt, std::vector<Hash>(level1.begin() + 256, level1.end()));
  EXPECT_EQ(ParseTile(FormatTile(level1), 3).status().code(), ErrorCode::kDataLoss);
  EXPECT_FALSE(ParseTile("", 0).ok());
}

TEST(TileNodeSource, ProofsFromTilesEqualProofsFromMemory) {
  for (auto alg : {crypto::HashAlgorithm::kSha256, crypto::HashAlgorithm::kSm3}) {
    MemoryTree tree(alg);
    testing::MemoryTiles tiles(alg);
    const uint64_t n = 256 * 256 + 700;
    for (uint64_t i = 0; i < n; ++i) {
      const Hash leaf = tree.hasher().HashLeaf(std::to_string(i));
      tree.AppendLeafHash(leaf);
      tiles.Append(leaf);
    }
    TreeHasher h(alg);
    for (uint64_t size : {uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{257}, uint64_t{4097},
                          uint64_t{65536}, uint64_t{65537}, n - 1, n}) {
      TileNodeSource source(size, tiles, h);
      Result<Hash> root = TreeRoot(size, source, h);
      ASSERT_TRUE(root.ok()) << size << ": " << root.status().ToString();
      EXPECT_EQ(*root, tree.RootAt(size)) << size;
      for (uint64_t index : {uint64_t{0}, size / 3, size / 2, size - 1}) {
        Result<std::vector<Hash>> p = InclusionProof(index, size, source, h);
        ASSERT_TRUE(p.ok()) << p.status().ToString();
        EXPECT_EQ(*p, *tree.InclusionProof(index, size)) << index << "/" << size;
      }
      for (uint64_t m : {uint64_t{1}, size / 2 + 1, size}) {
        if (m > size) continue;
        Result<std::vector<Hash>> p = ConsistencyProof(m, size, source, h);
        ASSERT_TRUE(p.ok()) << p.status().ToString();
        EXPECT_EQ(*p, *tree.ConsistencyProof(m, size)) << m << "->" << size;
      }
      EXPECT_EQ(InclusionProof(0, size + 1, source, h).status().code(), ErrorCode::kNotFound);
    }
  }
}

TEST(TileNodeSource, WrongSizedTileIsDataLoss) {
  testing::MemoryTiles tiles(crypto::HashAlgorithm::kSha256);
  TreeHasher h(crypto::HashAlgorithm::kSha256);
  for (int i = 0; i < 10; ++i) tiles.Append(h.HashLeaf(std::to_string(i)));
  tiles.Corrupt(TileId{0, 0, 10});
  TileNodeSource source(10, tiles, h);
  EXPECT_EQ(TreeRoot(10, source, h).status().code(), ErrorCode::kDataLoss);
}

TEST(EntryBundle, RoundTripAndStrictParse) {
  std::vector<std::string> entries = {"one", std::string(65535, 'x'), "\0\1"};
  entries[2] = std::string("\0\1", 2);
  Result<std::string> b = FormatEntryBundle(entries);
  ASSERT_TRUE(b.ok());
  Result<std::vector<std::string_view>> back = ParseEntryBundle(*b);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ((*back)[i], entries[i]);
  for (size_t cut = 1; cut < 4; ++cut) {  // cutting 4 drops the last entry whole
    EXPECT_FALSE(ParseEntryBundle(std::string_view(*b).substr(0, b->size() - cut)).ok()) << cut;
  }
  EXPECT_FALSE(ParseEntryBundle(std::string("\0", 1)).ok());
  EXPECT_FALSE(FormatEntryBundle(std::vector<std::string>{std::string(65536, 'x')}).ok());
  EXPECT_FALSE(FormatEntryBundle(std::vector<std::string>(257, "a")).ok());
}

}  // namespace
}  // namespace tongban::ledger
