// Tests for ledger/merkle.h: RFC 6962 8-leaf roots, empty root, Frontier vs naive MTH for both
// suites, frontier rebuild from stored nodes, and range decomposition.
#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include "ledger/memory_tree.h"
#include "naive_merkle.h"
#include "vectors.h"

namespace tongban::ledger {
namespace {

using crypto::HashAlgorithm;
using testing::HexHash;
using testing::NaiveMerkle;

std::vector<std::string> Rfc6962Leaves() {
  boost::json::value v = testing::ReadJson("rfc6962-8leaf.json");
  std::vector<std::string> leaves;
  for (const auto& l : v.at("leaves_hex").as_array()) {
    leaves.push_back(*crypto::FromHex(std::string(l.as_string())));
  }
  return leaves;
}

TEST(TreeHasher, EmptyRootIsHashOfEmptyString) {
  TreeHasher sha(HashAlgorithm::kSha256);
  EXPECT_EQ(testing::Hex(sha.EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  TreeHasher sm3(HashAlgorithm::kSm3);
  // SM3("") from GB/T 32905 implementations.
  EXPECT_EQ(testing::Hex(sm3.EmptyRoot()),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

TEST(TreeHasher, LeafAndNodePrefixes) {
  TreeHasher h(HashAlgorithm::kSha256);
  // RFC 6962 leaf hash of the empty leaf.
  EXPECT_EQ(testing::Hex(h.HashLeaf(std::string_view())),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  NaiveMerkle naive(HashAlgorithm::kSm3);
  TreeHasher sm3(HashAlgorithm::kSm3);
  Hash a = sm3.HashLeaf("a"), b = sm3.HashLeaf("b");
  EXPECT_EQ(a, naive.Leaf("a"));
  EXPECT_EQ(sm3.HashChildren(a, b), naive.Node(a, b));
  EXPECT_NE(sm3.HashChildren(a, b), sm3.HashChildren(b, a));
}

TEST(Frontier, Rfc6962RootsAtEverySize) {
  boost::json::value v = testing::ReadJson("rfc6962-8leaf.json");
  const auto& roots = v.at("roots_hex").as_array();
  std::vector<std::string> leaves = Rfc6962Leaves();
  ASSERT_EQ(leaves.size(), 8u);
  ASSERT_EQ(roots.size(), 9u);
  TreeHasher h(HashAlgorithm::kSha256);
  Frontier f;
  EXPECT_EQ(f.Root(h), HexHash(std::string(roots[0].as_string())));
  for (size_t i = 0; i < leaves.size(); ++i) {
    f.Append(h, h.HashLeaf(leaves[i]));
    EXPECT_EQ(f.size(), i + 1);
    EXPECT_EQ(f.Root(h), HexHash(std::string(roots[i + 1].as_string()))) << "size " << i + 1;
  }
  // The published RFC 6962 root of the whole tree.
  EXPECT_EQ(testing::Hex(f.Root(h)),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

class FrontierBothSuites : public ::testing::TestWithParam<HashAlgorithm> {};

TEST_P(FrontierBothSuites, MatchesNaiveMthUpTo300Leaves) {
  NaiveMerkle naive(GetParam());
  TreeHasher h(GetParam());
  std::vector<std::string> data;
  std::vector<Hash> leaf_hashes;
  Frontier f;
  for (int n = 0; n <= 300; ++n) {
    EXPECT_EQ(f.Root(h), naive.Mth(data, 0, data.size())) << "size " << n;
    EXPECT_EQ(RootFromLeafHashes(h, leaf_hashes), naive.Mth(data, 0, data.size()));
    data.push_back("leaf " + std::to_string(n));
    leaf_hashes.push_back(h.HashLeaf(data.back()));
    f.Append(h, leaf_hashes.back());
  }
}

TEST_P(FrontierBothSuites, AppendReportsEveryCompletedNodeOnce) {
  NaiveMerkle naive(GetParam());
  TreeHasher h(GetParam());
  std::vector<std::string> data;
  Frontier f;
  for (int n = 0; n < 100; ++n) {
    data.push_back(std::to_string(n));
    std::vector<NodeId> seen;
    f.Append(h, h.HashLeaf(data.back()), [&](const NodeId& id, const Hash& hash) {
      seen.push_back(id);
      const size_t b = id.index << id.level, e = (id.index + 1) << id.level;
      EXPECT_EQ(hash, naive.Mth(data, b, e)) << id.level << "/" << id.index;
    });
    // One node per trailing one bit of the old size, plus the leaf.
    EXPECT_EQ(seen.size(), static_cast<size_t>(std::countr_one(static_cast<uint64_t>(n)) + 1));
  }
}

TEST_P(FrontierBothSuites, RebuildsFromStoredNodes) {
  MemoryTree tree(GetParam());
  TreeHasher h(GetParam());
  for (uint64_t n = 0; n < 70; ++n) {
    std::vector<NodeId> ids = Frontier::FrontierNodes(n);
    std::vector<Hash> hashes(ids.size());
    ASSERT_TRUE(tree.GetNodes(ids, hashes).ok());
    Result<Frontier> f = Frontier::FromNodes(n, hashes);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->Root(h), tree.Root());
    // Continuing from the rebuilt frontier gives the same tree.
    tree.AppendLeafData(std::to_string(n));
    f->Append(h, h.HashLeaf(std::to_string(n)));
    EXPECT_EQ(f->Root(h), tree.Root());
  }
  EXPECT_FALSE(Frontier::FromNodes(3, std::vector<Hash>(1)).ok());
}

INSTANTIATE_TEST_SUITE_P(Suites, FrontierBothSuites,
                         ::testing::Values(HashAlgorithm::kSha256, HashAlgorithm::kSm3),
                         [](const auto& info) {
                           return std::string(crypto::HashAlgorithmName(info.param));
                         });

TEST(AppendRangeNodes, DecomposesIntoAlignedPerfectSubtrees) {
  std::vector<NodeId> out;
  AppendRangeNodes(0, 13, &out);  // 8 + 4 + 1
  EXPECT_EQ(out, (std::vector<NodeId>{{3, 0}, {2, 2}, {0, 12}}));
  out.clear();
  AppendRangeNodes(8, 13, &out);
  EXPECT_EQ(out, (std::vector<NodeId>{{2, 2}, {0, 12}}));
  out.clear();
  AppendRangeNodes(5, 5, &out);
  EXPECT_TRUE(out.empty());
  out.clear();
  AppendRangeNodes(0, ~uint64_t{0}, &out);
  EXPECT_EQ(out.size(), 64u);
  EXPECT_EQ(out[0], (NodeId{63, 0}));
}

TEST(SplitPoint, LargestPowerOfTwoBelow) {
  EXPECT_EQ(SplitPoint(2), 1u);
  EXPECT_EQ(SplitPoint(3), 2u);
  EXPECT_EQ(SplitPoint(4), 2u);
  EXPECT_EQ(SplitPoint(5), 4u);
  EXPECT_EQ(SplitPoint(uint64_t{1} << 63), uint64_t{1} << 62);
}

}  // namespace
}  // namespace tongban::ledger
