// Inclusion and consistency proofs per RFC 9162 §2.1.3–2.1.4: generation from a NodeSource (the
// stored perfect-subtree hashes, e.g. tiles) and verification exactly per §2.1.3.2 / §2.1.4.2.
//
// Generation is planned first (which perfect subtrees are needed), then the NodeSource is asked
// for all of them in one batch, so a tile-backed source reads each tile once per proof.
//
// Thread-safety: the functions are pure apart from the TreeHasher and NodeSource passed in, which
// the caller must not share across threads during the call. Nothing here owns storage.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/merkle.h"

namespace tongban::ledger {

// Where proof generation reads the hashes of perfect subtrees from (tiles in storage, or memory).
class NodeSource {
 public:
  virtual ~NodeSource() = default;
  // Fills out[i] with the hash of ids[i]. REQUIRES: out.size() == ids.size().
  // kNotFound: a node is not (yet) stored; kDataLoss / kUnavailable from storage pass through.
  virtual Status GetNodes(std::span<const NodeId> ids, std::span<Hash> out) = 0;
};

// RFC 9162 §2.1.3.1 PATH(index, D[0:size]): the audit path, leaf level first.
// kOutOfRange if index >= size.
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, NodeSource& nodes,
                                         TreeHasher& hasher);

// RFC 9162 §2.1.4.1 PROOF(m, D[0:n]). Empty for m == n. kOutOfRange if m == 0 or m > n (a proof
// from the empty tree proves nothing; the tlog-witness rule "old size 0, empty proof" is handled
// by the witness, not here).
Result<std::vector<Hash>> ConsistencyProof(uint64_t m, uint64_t n, NodeSource& nodes,
                                           TreeHasher& hasher);

// MTH(D[0:size]) from stored nodes; H("") for size 0.
Result<Hash> TreeRoot(uint64_t size, NodeSource& nodes, TreeHasher& hasher);

// RFC 9162 §2.1.3.2: the root that `proof` implies for `leaf_hash` at `index` in a tree of `size`.
// kInvalidArgument if index >= size or the proof has the wrong number of elements.
Result<Hash> RootFromInclusionProof(TreeHasher& hasher, uint64_t index, uint64_t size,
                                    const Hash& leaf_hash, std::span<const Hash> proof);

// OK iff `proof` proves `leaf_hash` is at `index` in the tree of `size` with `root`.
// kInvalidArgument on any failure (the message says which).
Status VerifyInclusion(TreeHasher& hasher, uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

// OK iff `proof` proves the tree of size1 with root1 is a prefix of the tree of size2 with root2
// (RFC 9162 §2.1.4.2), with the edge rules: size1 > size2 fails; size1 == 0 fails; size1 == size2
// needs an empty proof and root1 == root2. kInvalidArgument on any failure.
Status VerifyConsistency(TreeHasher& hasher, uint64_t size1, uint64_t size2,
                         std::span<const Hash> proof, const Hash& root1, const Hash& root2);

// The same checks on untrusted, undecoded-length input (e.g. base64 from a proof file or a
// witness request): any hash that is not exactly kHashSize bytes fails, except that the rules
// which decide before any hashing (size1 == size2 compares the roots byte for byte) apply first.
Status VerifyInclusionBytes(TreeHasher& hasher, uint64_t index, uint64_t size,
                            std::string_view leaf_hash, std::span<const std::string> proof,
                            std::string_view root);
Status VerifyConsistencyBytes(TreeHasher& hasher, uint64_t size1, uint64_t size2,
                              std::span<const std::string> proof, std::string_view root1,
                              std::string_view root2);

}  // namespace tongban::ledger
