// Tests for ledger/proof.h: the RFC 6962 8-leaf proofs, every transparency-dev/merkle probe
// (including the malformed ones) classified as the probe says, and every (index, size) and
// (m, n) up to 64 leaves against a naive recomputation, for SHA-256 and SM3.
#include "ledger/proof.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "ledger/memory_tree.h"
#include "naive_merkle.h"
#include "vectors.h"

namespace tongban::ledger {
namespace {

using crypto::HashAlgorithm;
using testing::HexHash;
using testing::NaiveMerkle;

std::vector<Hash> HexHashes(const boost::json::array& a) {
  std::vector<Hash> out;
  for (const auto& v : a) out.push_back(HexHash(std::string(v.as_string())));
  return out;
}

MemoryTree Rfc6962Tree(boost::json::value& v) {
  MemoryTree tree(HashAlgorithm::kSha256);
  for (const auto& l : v.at("leaves_hex").as_array()) {
    tree.AppendLeafData(*crypto::FromHex(std::string(l.as_string())));
  }
  return tree;
}

TEST(Rfc6962Vectors, InclusionProofs) {
  boost::json::value v = testing::ReadJson("rfc6962-8leaf.json");
  MemoryTree tree = Rfc6962Tree(v);
  const auto& roots = v.at("roots_hex").as_array();
  for (const auto& c : v.at("inclusion").as_array()) {
    const uint64_t index = c.at("index").as_int64(), size = c.at("size").as_int64();
    std::vector<Hash> want = HexHashes(c.at("proof_hex").as_array());
    Result<std::vector<Hash>> got = tree.InclusionProof(index, size);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want) << index << "," << size;
    Hash leaf;
    ASSERT_TRUE(tree.GetNodes(std::vector<NodeId>{{0, index}}, std::span(&leaf, 1)).ok());
    EXPECT_TRUE(VerifyInclusion(tree.hasher(), index, size, leaf, want,
                                HexHash(std::string(roots[size].as_string())))
                    .ok());
  }
}

TEST(Rfc6962Vectors, ConsistencyProofs) {
  boost::json::value v = testing::ReadJson("rfc6962-8leaf.json");
  MemoryTree tree = Rfc6962Tree(v);
  const auto& roots = v.at("roots_hex").as_array();
  for (const auto& c : v.at("consistency").as_array()) {
    const uint64_t m = c.at("size1").as_int64(), n = c.at("size2").as_int64();
    std::vector<Hash> want = HexHashes(c.at("proof_hex").as_array());
    Result<std::vector<Hash>> got = tree.ConsistencyProof(m, n);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want) << m << "," << n;
    EXPECT_TRUE(VerifyConsistency(tree.hasher(), m, n, want,
                                  HexHash(std::string(roots[m].as_string())),
                                  HexHash(std::string(roots[n].as_string())))
                    .ok());
  }
}

std::vector<std::string> DecodeProof(const boost::json::value& p) {
  std::vector<std::string> out;
  if (p.is_null()) return out;
  for (const auto& e : p.as_array()) out.push_back(testing::B64(e.as_string()));
  return out;
}

TEST(MerkleProbes, EveryProbeClassifiedAsExpected) {
  namespace fs = std::filesystem;
  TreeHasher h(HashAlgorithm::kSha256);
  int inclusion = 0, consistency = 0;
  for (const auto& entry : fs::recursive_directory_iterator(testing::VectorsDir() + "/merkle")) {
    if (entry.path().extension() != ".json") continue;
    const std::string rel = fs::relative(entry.path(), testing::VectorsDir()).string();
    boost::json::value v = testing::ReadJson(rel);
    const bool want_err = v.at("wantErr").as_bool();
    std::vector<std::string> proof = DecodeProof(v.at("proof"));
    Status s;
    if (v.as_object().contains("leafIdx")) {
      ++inclusion;
      s = VerifyInclusionBytes(h, v.at("leafIdx").to_number<uint64_t>(),
                               v.at("treeSize").to_number<uint64_t>(),
                               testing::B64(v.at("leafHash").as_string()), proof,
                               testing::B64(v.at("root").as_string()));
    } else {
      ++consistency;
      s = VerifyConsistencyBytes(h, v.at("size1").to_number<uint64_t>(),
                                 v.at("size2").to_number<uint64_t>(), proof,
                                 testing::B64(v.at("root1").as_string()),
                                 testing::B64(v.at("root2").as_string()));
    }
    EXPECT_EQ(!s.ok(), want_err) << rel << ": " << v.at("desc").as_string() << " -> "
                                 << s.ToString();
  }
  EXPECT_EQ(inclusion, 98);
  EXPECT_EQ(consistency, 98);
}

class ProofsBothSuites : public ::testing::TestWithParam<HashAlgorithm> {};

TEST_P(ProofsBothSuites, EveryInclusionProofUpTo64MatchesNaive) {
  NaiveMerkle naive(GetParam());
  MemoryTree tree(GetParam());
  std::vector<std::string> data;
  for (int i = 0; i < 64; ++i) {
    data.push_back("entry-" + std::to_string(i * 7919));
    tree.AppendLeafData(data.back());
  }
  TreeHasher& h = tree.hasher();
  for (uint64_t size = 1; size <= 64; ++size) {
    const Hash root = naive.Mth(data, 0, size);
    EXPECT_EQ(tree.RootAt(size), root);
    for (uint64_t index = 0; index < size; ++index) {
      Result<std::vector<Hash>> proof = tree.InclusionProof(index, size);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*proof, naive.Path(index, data, 0, size)) << index << "/" << size;
      const Hash leaf = naive.Leaf(data[index]);
      EXPECT_TRUE(VerifyInclusion(h, index, size, leaf, *proof, root).ok()) << index << "/" << size;
      // Wrong index, wrong leaf, truncated and extended proofs all fail. (A wrong size with the
      // same path shape legitimately passes: the size only steers the walk; the root binds it.)
      EXPECT_FALSE(VerifyInclusion(h, index ^ 1, size, leaf, *proof, root).ok());
      EXPECT_FALSE(VerifyInclusion(h, index, size, naive.Leaf("x"), *proof, root).ok());
      if (!proof->empty()) {
        std::vector<Hash> shorter(proof->begin(), proof->end() - 1);
        EXPECT_FALSE(VerifyInclusion(h, index, size, leaf, shorter, root).ok());
      }
      std::vector<Hash> longer = *proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(h, index, size, leaf, longer, root).ok());
    }
    EXPECT_EQ(tree.InclusionProof(size, size).status().code(), ErrorCode::kOutOfRange);
  }
}

TEST_P(ProofsBothSuites, EveryConsistencyProofUpTo64MatchesNaive) {
  NaiveMerkle naive(GetParam());
  MemoryTree tree(GetParam());
  std::vector<std::string> data;
  for (int i = 0; i < 64; ++i) {
    data.push_back("entry-" + std::to_string(i));
    tree.AppendLeafData(data.back());
  }
  TreeHasher& h = tree.hasher();
  std::vector<Hash> roots;
  for (uint64_t s = 0; s <= 64; ++s) roots.push_back(naive.Mth(data, 0, s));
  for (uint64_t n = 1; n <= 64; ++n) {
    for (uint64_t m = 1; m <= n; ++m) {
      Result<std::vector<Hash>> proof = tree.ConsistencyProof(m, n);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*proof, naive.Subproof(m, data, 0, n, true)) << m << "->" << n;
      EXPECT_TRUE(VerifyConsistency(h, m, n, *proof, roots[m], roots[n]).ok()) << m << "->" << n;
      if (m < n) {
        EXPECT_FALSE(VerifyConsistency(h, m, n, *proof, roots[m - 1], roots[n]).ok());
        EXPECT_FALSE(VerifyConsistency(h, m, n, *proof, roots[m], roots[n - 1]).ok());
        EXPECT_FALSE(VerifyConsistency(h, m, n, {}, roots[m], roots[n]).ok());
        std::vector<Hash> longer = *proof;
        longer.push_back(roots[n]);
        EXPECT_FALSE(VerifyConsistency(h, m, n, longer, roots[m], roots[n]).ok());
      }
    }
    EXPECT_FALSE(tree.ConsistencyProof(0, n).ok());
    EXPECT_FALSE(tree.ConsistencyProof(n + 1, n).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Suites, ProofsBothSuites,
                         ::testing::Values(HashAlgorithm::kSha256, HashAlgorithm::kSm3),
                         [](const auto& info) {
                           return std::string(crypto::HashAlgorithmName(info.param));
                         });

TEST(Proofs, MissingNodesAreNotFound) {
  MemoryTree tree(HashAlgorithm::kSha256);
  for (int i = 0; i < 5; ++i) tree.AppendLeafData(std::to_string(i));
  EXPECT_EQ(tree.InclusionProof(0, 8).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(tree.ConsistencyProof(3, 9).status().code(), ErrorCode::kNotFound);
}

TEST(Proofs, RootFromInclusionProofOfSingleLeafIsTheLeaf) {
  TreeHasher h(HashAlgorithm::kSm3);
  const Hash leaf = h.HashLeaf("only");
  Result<Hash> r = RootFromInclusionProof(h, 0, 1, leaf, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, leaf);
  EXPECT_FALSE(RootFromInclusionProof(h, 0, 0, leaf, {}).ok());
}

}  // namespace
}  // namespace tongban::ledger
