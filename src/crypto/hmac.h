// HMAC (RFC 2104) with either suite hash: HMAC-SM3 (GB/T 15852.2 style, as in GM/T 0042) and
// HMAC-SHA256, through OpenSSL 3's EVP_MAC. The ledger uses it for keyed hashes of subject IDs,
// so that no plaintext personal identifier enters a leaf.
//
// An Hmac holds one key and is reusable: each Mac() call is independent. Not thread-safe (it
// owns an EVP_MAC_CTX); make one per thread, or use the one-shot function.
#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "crypto/hash.h"

namespace tongban::crypto {

class Hmac {
 public:
  // Any key length is allowed (RFC 2104); use at least 32 random bytes (crypto/random.h).
  Hmac(HashAlgorithm alg, std::string_view key);
  ~Hmac();
  Hmac(Hmac&&) noexcept;
  Hmac& operator=(Hmac&&) noexcept;
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  HashAlgorithm algorithm() const { return alg_; }
  Digest Mac(std::string_view message);

 private:
  HashAlgorithm alg_;
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// One-shot HMAC.
Digest HmacDigest(HashAlgorithm alg, std::string_view key, std::string_view message);

}  // namespace tongban::crypto
