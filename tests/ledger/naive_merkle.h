// A deliberately naive, recursive transcription of RFC 9162 §2.1 (MTH, PATH, PROOF) over whole
// leaf lists, hashing with crypto::Hash directly. The independent implementation the real code
// is checked against. Test-only; pure.
#pragma once

#include <string>
#include <vector>

#include "crypto/hash.h"
#include "ledger/merkle.h"

namespace tongban::ledger::testing {

class NaiveMerkle {
 public:
  explicit NaiveMerkle(crypto::HashAlgorithm alg) : alg_(alg) {}

  Hash Leaf(const std::string& d) const { return crypto::Hash(alg_, std::string(1, '\0') + d); }
  Hash Node(const Hash& l, const Hash& r) const {
    std::string buf(1, '\x01');
    buf.append(reinterpret_cast<const char*>(l.data()), l.size());
    buf.append(reinterpret_cast<const char*>(r.data()), r.size());
    return crypto::Hash(alg_, buf);
  }
  static size_t K(size_t n) {
    size_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }
  Hash Mth(const std::vector<std::string>& d, size_t b, size_t e) const {
    const size_t n = e - b;
    if (n == 0) return crypto::Hash(alg_, std::string());
    if (n == 1) return Leaf(d[b]);
    const size_t k = K(n);
    return Node(Mth(d, b, b + k), Mth(d, b + k, e));
  }
  std::vector<Hash> Path(size_t m, const std::vector<std::string>& d, size_t b, size_t e) const {
    const size_t n = e - b;
    if (n <= 1) return {};
    const size_t k = K(n);
    std::vector<Hash> out;
    if (m < k) {
      out = Path(m, d, b, b + k);
      out.push_back(Mth(d, b + k, e));
    } else {
      out = Path(m - k, d, b + k, e);
      out.push_back(Mth(d, b, b + k));
    }
    return out;
  }
  std::vector<Hash> Subproof(size_t m, const std::vector<std::string>& d, size_t b, size_t e,
                             bool whole) const {
    const size_t n = e - b;
    if (m == n) {
      if (whole) return {};
      return {Mth(d, b, e)};
    }
    const size_t k = K(n);
    std::vector<Hash> out;
    if (m <= k) {
      out = Subproof(m, d, b, b + k, whole);
      out.push_back(Mth(d, b + k, e));
    } else {
      out = Subproof(m - k, d, b + k, e, false);
      out.push_back(Mth(d, b, b + k));
    }
    return out;
  }

 private:
  crypto::HashAlgorithm alg_;
};

}  // namespace tongban::ledger::testing
