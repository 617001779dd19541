// MemoryTree: an append-only Merkle tree held entirely in memory, every perfect subtree hash
// kept per level. The NodeSource for tests, benchmarks and small offline tools; the sequencer
// keeps only a Frontier and stores nodes in tiles instead.
// Not thread-safe. Owns its hashes (about 64 bytes per leaf).
#pragma once

#include <cstdint>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/proof.h"

namespace tongban::ledger {

class MemoryTree : public NodeSource {
 public:
  explicit MemoryTree(crypto::HashAlgorithm alg) : hasher_(alg) {}

  uint64_t size() const { return frontier_.size(); }
  TreeHasher& hasher() { return hasher_; }

  // Appends H(0x00 || data) / an already hashed leaf.
  void AppendLeafData(std::span<const uint8_t> data) { AppendLeafHash(hasher_.HashLeaf(data)); }
  void AppendLeafData(std::string_view data) { AppendLeafHash(hasher_.HashLeaf(data)); }
  void AppendLeafHash(const Hash& leaf_hash);

  Hash Root() { return frontier_.Root(hasher_); }
  // Root of the first `size` leaves. REQUIRES: size <= size().
  Hash RootAt(uint64_t size);

  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) {
    return ledger::InclusionProof(index, size, *this, hasher_);
  }
  Result<std::vector<Hash>> ConsistencyProof(uint64_t m, uint64_t n) {
    return ledger::ConsistencyProof(m, n, *this, hasher_);
  }

  // NodeSource: kNotFound for a node not complete in the tree.
  Status GetNodes(std::span<const NodeId> ids, std::span<Hash> out) override;

 private:
  TreeHasher hasher_;
  Frontier frontier_;
  std::vector<std::vector<Hash>> levels_;  // levels_[l][i] = node (l, i)
};

}  // namespace tongban::ledger
