// Proof generation follows the RFC's recursive definitions, but only to list the leaf ranges
// whose MTH forms each proof element; every such range is a run of stored perfect subtrees
// (AppendRangeNodes), fetched in one NodeSource call and folded. Verification transcribes the
// RFC's iterative algorithms step by step so it can be read against the text.
#include "ledger/proof.h"

#include <algorithm>
#include <cstring>

namespace tongban::ledger {
namespace {

struct Range {
  uint64_t begin;
  uint64_t end;
};

// PATH(m, D[begin:end]) as ranges, leaf level first.
void InclusionRanges(uint64_t m, uint64_t begin, uint64_t end, std::vector<Range>* out) {
  const uint64_t n = end - begin;
  if (n <= 1) return;
  const uint64_t k = SplitPoint(n);
  if (m - begin < k) {
    InclusionRanges(m, begin, begin + k, out);
    out->push_back({begin + k, end});
  } else {
    InclusionRanges(m, begin + k, end, out);
    out->push_back({begin, begin + k});
  }
}

// SUBPROOF(m, D[begin:end], b) as ranges, m relative to begin.
void SubproofRanges(uint64_t m, uint64_t begin, uint64_t end, bool b, std::vector<Range>* out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!b) out->push_back({begin, end});
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubproofRanges(m, begin, begin + k, b, out);
    out->push_back({begin + k, end});
  } else {
    SubproofRanges(m - k, begin + k, end, false, out);
    out->push_back({begin, begin + k});
  }
}

// MTH of each range, with one batched NodeSource call.
Result<std::vector<Hash>> HashRanges(std::span<const Range> ranges, NodeSource& source,
                                     TreeHasher& hasher) {
  std::vector<NodeId> ids;
  std::vector<size_t> ends;  // ids[ends[i-1]..ends[i]) belong to ranges[i]
  ids.reserve(ranges.size() * 2);
  ends.reserve(ranges.size());
  for (const Range& r : ranges) {
    AppendRangeNodes(r.begin, r.end, &ids);
    ends.push_back(ids.size());
  }
  std::vector<Hash> hashes(ids.size());
  TB_RETURN_IF_ERROR(source.GetNodes(ids, hashes));
  std::vector<Hash> out;
  out.reserve(ranges.size());
  size_t start = 0;
  for (size_t end : ends) {
    out.push_back(FoldRangeNodes(hasher, std::span(hashes).subspan(start, end - start)));
    start = end;
  }
  return out;
}

Status Fail(std::string message) { return Status::InvalidArgument(std::move(message)); }

bool Lsb(uint64_t x) { return (x & 1) != 0; }

Result<Hash> ToHash(std::string_view bytes, std::string_view what) {
  if (bytes.size() != kHashSize) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(bytes.size()) +
                                   " bytes, want " + std::to_string(kHashSize));
  }
  Hash h;
  std::memcpy(h.data(), bytes.data(), kHashSize);
  return h;
}

Result<std::vector<Hash>> ToHashes(std::span<const std::string> proof) {
  std::vector<Hash> out;
  out.reserve(proof.size());
  for (const std::string& p : proof) {
    TB_ASSIGN_OR_RETURN(Hash h, ToHash(p, "proof element"));
    out.push_back(h);
  }
  return out;
}

}  // namespace

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, NodeSource& nodes,
                                         TreeHasher& hasher) {
  if (index >= size) {
    return Status::OutOfRange("leaf index " + std::to_string(index) + " is not below tree size " +
                              std::to_string(size));
  }
  std::vector<Range> ranges;
  InclusionRanges(index, 0, size, &ranges);
  return HashRanges(ranges, nodes, hasher);
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t m, uint64_t n, NodeSource& nodes,
                                           TreeHasher& hasher) {
  if (m == 0 || m > n) {
    return Status::OutOfRange("no consistency proof from size " + std::to_string(m) +
                              " to size " + std::to_string(n));
  }
  std::vector<Range> ranges;
  if (m < n) SubproofRanges(m, 0, n, true, &ranges);
  return HashRanges(ranges, nodes, hasher);
}

Result<Hash> TreeRoot(uint64_t size, NodeSource& nodes, TreeHasher& hasher) {
  if (size == 0) return hasher.EmptyRoot();
  const Range whole{0, size};
  TB_ASSIGN_OR_RETURN(std::vector<Hash> h, HashRanges(std::span(&whole, 1), nodes, hasher));
  return h[0];
}

Result<Hash> RootFromInclusionProof(TreeHasher& hasher, uint64_t index, uint64_t size,
                                    const Hash& leaf_hash, std::span<const Hash> proof) {
  // RFC 9162 §2.1.3.2.
  // 1. Compare leaf_index from the inclusion_proof against tree_size. If leaf_index is greater
  //    than or equal to tree_size, then fail the proof verification.
  if (index >= size) {
    return Fail("leaf index " + std::to_string(index) + " is not below tree size " +
                std::to_string(size));
  }
  // 2. Set fn to leaf_index and sn to tree_size - 1.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  // 3. Set r to hash.
  Hash r = leaf_hash;
  // 4. For each value p in the inclusion_proof array:
  for (const Hash& p : proof) {
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn == 0) return Fail("inclusion proof has too many elements");
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if (Lsb(fn) || fn == sn) {
      // 1. Set r to HASH(0x01 || p || r).
      r = hasher.HashChildren(p, r);
      // 2. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn)
      //    is set or fn is 0.
      if (!Lsb(fn)) {
        while (!Lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      // Otherwise: Set r to HASH(0x01 || r || p).
      r = hasher.HashChildren(r, p);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn >>= 1;
    sn >>= 1;
  }
  // 5. Compare sn to 0 (the caller compares r to the root).
  if (sn != 0) return Fail("inclusion proof has too few elements");
  return r;
}

Status VerifyInclusion(TreeHasher& hasher, uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  TB_ASSIGN_OR_RETURN(Hash r, RootFromInclusionProof(hasher, index, size, leaf_hash, proof));
  if (r != root) return Fail("inclusion proof does not lead to the root");
  return Status::Ok();
}

Status VerifyConsistency(TreeHasher& hasher, uint64_t size1, uint64_t size2,
                         std::span<const Hash> proof, const Hash& root1, const Hash& root2) {
  if (size1 > size2) {
    return Fail("tree size " + std::to_string(size1) + " is larger than " + std::to_string(size2));
  }
  if (size1 == 0) return Fail("a consistency proof from the empty tree proves nothing");
  if (size1 == size2) {
    if (!proof.empty()) return Fail("consistency proof between equal sizes must be empty");
    if (root1 != root2) return Fail("equal tree sizes with different roots");
    return Status::Ok();
  }
  // RFC 9162 §2.1.4.2, for 0 < first < second.
  // 1. If consistency_path is an empty array, stop and fail the proof verification.
  if (proof.empty()) return Fail("consistency proof is empty");
  // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
  const bool prepend = std::has_single_bit(size1);
  auto path = [&](size_t i) -> const Hash& { return prepend ? (i == 0 ? root1 : proof[i - 1])
                                                            : proof[i]; };
  const size_t path_len = proof.size() + (prepend ? 1 : 0);
  // 3. Set fn to first - 1 and sn to second - 1.
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
  while (Lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  // 5. Set both fr and sr to the first value in the consistency_path array.
  Hash fr = path(0);
  Hash sr = path(0);
  // 6. For each subsequent value c in the consistency_path array:
  for (size_t i = 1; i < path_len; ++i) {
    const Hash& c = path(i);
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn == 0) return Fail("consistency proof has too many elements");
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if (Lsb(fn) || fn == sn) {
      // 1. Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr).
      fr = hasher.HashChildren(c, fr);
      sr = hasher.HashChildren(c, sr);
      // 2. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn)
      //    is set or fn is 0.
      if (!Lsb(fn)) {
        while (!Lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      // Otherwise: Set sr to HASH(0x01 || sr || c).
      sr = hasher.HashChildren(sr, c);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn >>= 1;
    sn >>= 1;
  }
  // 7. Verify that fr equals first_hash, sr equals second_hash, and sn is 0.
  if (sn != 0) return Fail("consistency proof has too few elements");
  if (fr != root1) return Fail("consistency proof does not lead to the first root");
  if (sr != root2) return Fail("consistency proof does not lead to the second root");
  return Status::Ok();
}

Status VerifyInclusionBytes(TreeHasher& hasher, uint64_t index, uint64_t size,
                            std::string_view leaf_hash, std::span<const std::string> proof,
                            std::string_view root) {
  if (index >= size) {
    return Fail("leaf index " + std::to_string(index) + " is not below tree size " +
                std::to_string(size));
  }
  TB_ASSIGN_OR_RETURN(Hash leaf, ToHash(leaf_hash, "leaf hash"));
  TB_ASSIGN_OR_RETURN(Hash r, ToHash(root, "root hash"));
  TB_ASSIGN_OR_RETURN(std::vector<Hash> p, ToHashes(proof));
  return VerifyInclusion(hasher, index, size, leaf, p, r);
}

Status VerifyConsistencyBytes(TreeHasher& hasher, uint64_t size1, uint64_t size2,
                              std::span<const std::string> proof, std::string_view root1,
                              std::string_view root2) {
  if (size1 > size2) {
    return Fail("tree size " + std::to_string(size1) + " is larger than " + std::to_string(size2));
  }
  if (size1 == 0) return Fail("a consistency proof from the empty tree proves nothing");
  if (size1 == size2) {
    if (!proof.empty()) return Fail("consistency proof between equal sizes must be empty");
    if (root1 != root2) return Fail("equal tree sizes with different roots");
    return Status::Ok();
  }
  TB_ASSIGN_OR_RETURN(Hash r1, ToHash(root1, "first root hash"));
  TB_ASSIGN_OR_RETURN(Hash r2, ToHash(root2, "second root hash"));
  TB_ASSIGN_OR_RETURN(std::vector<Hash> p, ToHashes(proof));
  return VerifyConsistency(hasher, size1, size2, p, r1, r2);
}

}  // namespace tongban::ledger
