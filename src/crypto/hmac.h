// HMAC (RFC 2104) with either suite hash: HMAC-SM3 (GB/T 15852.2 style, as in GM/T 0042) and
// HMAC-SHA256, through OpenSSL 3's EVP_MAC. The ledger uses it for keyed hashes of subject IDs,
// so that no plaintext personal identifier enters a leaf.
//
// An Hmac holds one key and is reusable: each Mac() call is independent. Not thread-safe (it
// owns an EVP_MAC_CTX); make one per thread, or use the one-shot function.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
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

// A keyed HMAC usable from any thread: each thread builds an Hmac context for this key once
// (building one fetches the digest by name, which costs more than the MAC of a short message)
// and reuses it while it keeps using this instance. Contexts are told apart by a unique instance
// id, never by address, so an object reborn where a freed one lived never MACs with the old key.
// Thread-safe; immutable after construction.
class ThreadLocalHmac {
 public:
  ThreadLocalHmac(HashAlgorithm alg, std::string key);
  Digest Mac(std::string_view message) const;
  // Unique per instance (never reused in a process): for per-thread caches of derived results.
  uint64_t id() const { return id_; }

 private:
  HashAlgorithm alg_;
  std::string key_;
  uint64_t id_;
};

// One-shot HMAC.
Digest HmacDigest(HashAlgorithm alg, std::string_view key, std::string_view message);

}  // namespace tongban::crypto
