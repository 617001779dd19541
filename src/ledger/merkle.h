// Merkle tree hashing per RFC 9162 §2.1 with the log's suite hash (SM3 for `gm`, SHA-256 for
// `intl`), and the Frontier: the right edge of an append-only tree, which appends a leaf in
// O(log n) hashes with no allocation and yields the root of the tree so far.
//
//   leaf hash  = H(0x00 || data)
//   node hash  = H(0x01 || left || right)
//   MTH({})    = H("")
//
// Thread-safety: TreeHasher and Frontier are not thread-safe (a TreeHasher reuses one hashing
// context); make one per thread. The free functions are pure. Nothing here owns storage.
#pragma once

#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/hash.h"

namespace tongban::ledger {

inline constexpr size_t kHashSize = crypto::kDigestSize;  // 32 for both suites
using Hash = crypto::Digest;

// Hashes leaves and interior nodes with one reusable hashing context.
class TreeHasher {
 public:
  explicit TreeHasher(crypto::HashAlgorithm alg) : hasher_(alg) {}

  crypto::HashAlgorithm algorithm() const { return hasher_.algorithm(); }

  // MTH of the empty tree: H("").
  Hash EmptyRoot();
  // H(0x00 || data).
  Hash HashLeaf(std::span<const uint8_t> data);
  Hash HashLeaf(std::string_view data) {
    return HashLeaf(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  }
  // H(0x01 || left || right).
  Hash HashChildren(const Hash& left, const Hash& right);

 private:
  crypto::Hasher hasher_;
};

// A perfect subtree: the node at `level` (0 = leaves) and `index` covers leaves
// [index * 2^level, (index + 1) * 2^level). Storage (tiles) holds exactly these nodes.
struct NodeId {
  uint32_t level = 0;
  uint64_t index = 0;
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// Largest power of two strictly less than n (the RFC's k). REQUIRES: n > 1.
inline uint64_t SplitPoint(uint64_t n) {
  assert(n > 1);
  return std::bit_floor(n - 1);
}

// Appends to `out` the perfect subtrees that make up leaves [begin, end), left to right, each
// the largest aligned one that fits. For the ranges that occur in RFC 9162 trees (begin is a
// multiple of the power of two >= end - begin) folding their hashes from the right gives
// MTH(D[begin:end]). REQUIRES: begin <= end.
void AppendRangeNodes(uint64_t begin, uint64_t end, std::vector<NodeId>* out);

// MTH(D[begin:end]) from the hashes of AppendRangeNodes(begin, end), folded right to left.
// REQUIRES: !nodes.empty().
Hash FoldRangeNodes(TreeHasher& hasher, std::span<const Hash> nodes);

// MTH of a list of leaf hashes (RFC 9162 §2.1.1), computed in O(n) with O(log n) memory.
Hash RootFromLeafHashes(TreeHasher& hasher, std::span<const Hash> leaf_hashes);

// The right edge of an append-only Merkle tree: the roots of the perfect subtrees that make up
// leaves [0, size), one per set bit of `size`, largest (leftmost) first. This is all the state
// an integrator needs to extend the tree and compute its root; everything left of the edge is
// immutable and lives in tiles.
class Frontier {
 public:
  static constexpr int kMaxHeight = 64;

  Frontier() = default;

  // Rebuilds the frontier of a tree of `size` leaves from the hashes of FrontierNodes(size), in
  // that order (as read back from storage on restart).
  static Result<Frontier> FromNodes(uint64_t size, std::span<const Hash> nodes);

  // The perfect subtrees whose roots make up the frontier of a tree of `size` leaves, left to right.
  static std::vector<NodeId> FrontierNodes(uint64_t size);

  uint64_t size() const { return size_; }
  std::span<const Hash> nodes() const { return std::span(nodes_.data(), count_); }

  // Appends one leaf hash. `on_node(NodeId, const Hash&)` is called for the leaf itself (level 0)
  // and for every interior node the append completes, bottom up: exactly the new nodes a tile
  // writer must store. REQUIRES: size() < 2^64 - 1.
  template <typename OnNode>
  void Append(TreeHasher& hasher, const Hash& leaf_hash, OnNode&& on_node) {
    uint64_t index = size_;
    Hash h = leaf_hash;
    on_node(NodeId{0, index}, static_cast<const Hash&>(h));
    uint32_t level = 0;
    // Each trailing one bit of the old size is a completed left sibling to merge with.
    for (uint64_t s = size_; s & 1; s >>= 1) {
      assert(count_ > 0);
      h = hasher.HashChildren(nodes_[--count_], h);
      ++level;
      on_node(NodeId{level, index >> level}, static_cast<const Hash&>(h));
    }
    nodes_[count_++] = h;
    ++size_;
  }
  void Append(TreeHasher& hasher, const Hash& leaf_hash) {
    Append(hasher, leaf_hash, [](const NodeId&, const Hash&) {});
  }

  // MTH(D[0:size]); H("") for the empty tree.
  Hash Root(TreeHasher& hasher) const;

 private:
  uint64_t size_ = 0;
  int count_ = 0;
  std::array<Hash, kMaxHeight> nodes_{};
};

}  // namespace tongban::ledger
