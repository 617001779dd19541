// Hash functions of the two suites: SHA-256 (`intl`) and SM3 (`gm`, GB/T 32905-2016), both with
// 32-byte digests, through OpenSSL 3's EVP API.
// A Hasher is not thread-safe; make one per thread. EVP_MD objects are fetched once per process.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::crypto {

enum class HashAlgorithm { kSha256, kSm3 };

inline constexpr size_t kDigestSize = 32;
using Digest = std::array<uint8_t, kDigestSize>;

// "sha256" / "sm3".
std::string_view HashAlgorithmName(HashAlgorithm alg);
Result<HashAlgorithm> ParseHashAlgorithm(std::string_view name);

// An incremental hasher, reusable after Final().
class Hasher {
 public:
  explicit Hasher(HashAlgorithm alg);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;

  HashAlgorithm algorithm() const { return alg_; }
  void Update(std::span<const uint8_t> data);
  void Update(std::string_view data) {
    Update(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  }
  void Update(uint8_t byte) { Update(std::span(&byte, 1)); }
  // Returns the digest and resets the hasher for the next message.
  Digest Final();

 private:
  HashAlgorithm alg_;
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

Digest Hash(HashAlgorithm alg, std::span<const uint8_t> data);
Digest Hash(HashAlgorithm alg, std::string_view data);

// Lower-case hex of bytes.
std::string ToHex(std::span<const uint8_t> bytes);
// Parses hex (either case) into bytes; error names `field` on bad input.
Result<std::string> FromHex(std::string_view hex, std::string_view field = "hex");

}  // namespace tongban::crypto
