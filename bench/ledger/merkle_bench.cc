// Ledger Merkle benchmarks (pure, no storage): leaves appended per second through leaf hashing +
// Frontier::Append with the root taken once per batch, for SM3 and SHA-256; inclusion and
// consistency proof generation and verification on a 1M-leaf in-memory tree.
//
//   ninja -C build-ledger-rel ledger_merkle_bench && build-ledger-rel/bench/ledger/ledger_merkle_bench
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <string>

#include "crypto/hash.h"
#include "ledger/entry.h"
#include "ledger/memory_tree.h"
#include "ledger/merkle.h"
#include "ledger/proof.h"

namespace tongban::ledger {
namespace {

using crypto::HashAlgorithm;

constexpr uint64_t kTreeSize = 1 << 20;

HashAlgorithm Alg(const benchmark::State& state) {
  return state.range(0) == 0 ? HashAlgorithm::kSm3 : HashAlgorithm::kSha256;
}

// A realistic canonical entry (96 bytes) to hash as the leaf.
std::string SampleEntry(uint64_t i) {
  Entry e;
  e.type = "receipt.issue";
  e.subject.fill(0x5a);
  e.document.fill(0xa5);
  e.time_micros = 1764000000000000 + static_cast<int64_t>(i);
  e.index.value = i;
  return *EncodeEntry(e);
}

// Leaf hashing + append, the root computed once per batch of state.range(1) leaves.
void BM_AppendLeaves(benchmark::State& state) {
  TreeHasher h(Alg(state));
  Frontier f;
  const int64_t batch = state.range(1);
  std::string entry = SampleEntry(0);
  for (auto _ : state) {
    for (int64_t i = 0; i < batch; ++i) {
      entry[8] = static_cast<char>(i);  // vary the index byte
      f.Append(h, h.HashLeaf(entry));
    }
    benchmark::DoNotOptimize(f.Root(h));
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetLabel(std::string(crypto::HashAlgorithmName(Alg(state))));
}
BENCHMARK(BM_AppendLeaves)
    ->ArgNames({"sha256", "batch"})
    ->Args({0, 1})
    ->Args({0, 100})
    ->Args({0, 10000})
    ->Args({1, 1})
    ->Args({1, 100})
    ->Args({1, 10000});

// Append only (leaf hashes precomputed): the interior-node cost alone.
void BM_AppendLeafHashes(benchmark::State& state) {
  TreeHasher h(Alg(state));
  Frontier f;
  const Hash leaf = h.HashLeaf("x");
  for (auto _ : state) f.Append(h, leaf);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(crypto::HashAlgorithmName(Alg(state))));
}
BENCHMARK(BM_AppendLeafHashes)->ArgName("sha256")->Arg(0)->Arg(1);

MemoryTree& BigTree(HashAlgorithm alg) {
  static std::map<HashAlgorithm, std::unique_ptr<MemoryTree>> trees;
  auto& t = trees[alg];
  if (!t) {
    t = std::make_unique<MemoryTree>(alg);
    for (uint64_t i = 0; i < kTreeSize; ++i) t->AppendLeafData(SampleEntry(i));
  }
  return *t;
}

void BM_InclusionProofGenerate(benchmark::State& state) {
  MemoryTree& tree = BigTree(Alg(state));
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto p = tree.InclusionProof(rng() % kTreeSize, kTreeSize);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(crypto::HashAlgorithmName(Alg(state))) + " 1M leaves");
}
BENCHMARK(BM_InclusionProofGenerate)->ArgName("sha256")->Arg(0)->Arg(1);

void BM_InclusionProofVerify(benchmark::State& state) {
  MemoryTree& tree = BigTree(Alg(state));
  const Hash root = tree.Root();
  struct Case {
    uint64_t index;
    Hash leaf;
    std::vector<Hash> proof;
  };
  std::vector<Case> cases;
  std::mt19937_64 rng(2);
  for (int i = 0; i < 256; ++i) {
    Case c{rng() % kTreeSize, {}, {}};
    (void)tree.GetNodes(std::vector<NodeId>{{0, c.index}}, std::span(&c.leaf, 1));
    c.proof = *tree.InclusionProof(c.index, kTreeSize);
    cases.push_back(std::move(c));
  }
  TreeHasher h(Alg(state));
  size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ & 255];
    Status s = VerifyInclusion(h, c.index, kTreeSize, c.leaf, c.proof, root);
    if (!s.ok()) state.SkipWithError("proof failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(crypto::HashAlgorithmName(Alg(state))) + " 1M leaves");
}
BENCHMARK(BM_InclusionProofVerify)->ArgName("sha256")->Arg(0)->Arg(1);

void BM_ConsistencyProofGenerateAndVerify(benchmark::State& state) {
  MemoryTree& tree = BigTree(Alg(state));
  const Hash root2 = tree.Root();
  std::mt19937_64 rng(3);
  std::vector<std::pair<uint64_t, Hash>> olds;
  for (int i = 0; i < 64; ++i) {
    const uint64_t m = 1 + rng() % (kTreeSize - 1);
    olds.emplace_back(m, tree.RootAt(m));
  }
  TreeHasher h(Alg(state));
  size_t i = 0;
  for (auto _ : state) {
    const auto& [m, root1] = olds[i++ & 63];
    auto p = tree.ConsistencyProof(m, kTreeSize);
    Status s = VerifyConsistency(h, m, kTreeSize, *p, root1, root2);
    if (!s.ok()) state.SkipWithError("proof failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(crypto::HashAlgorithmName(Alg(state))) + " 1M leaves");
}
BENCHMARK(BM_ConsistencyProofGenerateAndVerify)->ArgName("sha256")->Arg(0)->Arg(1);

}  // namespace
}  // namespace tongban::ledger

BENCHMARK_MAIN();
