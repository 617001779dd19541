// SHA-256 and SM3 through OpenSSL 3 EVP, with the EVP_MD fetched once per process.
#include "crypto/hash.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace tongban::crypto {
namespace {

const EVP_MD* MdFor(HashAlgorithm alg) {
  // Fetched once; EVP_MD objects are immutable and thread-safe once fetched.
  static const EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* sm3 = EVP_MD_fetch(nullptr, "SM3", nullptr);
  const EVP_MD* md = alg == HashAlgorithm::kSha256 ? sha256 : sm3;
  if (md == nullptr) std::abort();  // OpenSSL without SM3/SHA-256 cannot run Tongban at all.
  return md;
}

}  // namespace

std::string_view HashAlgorithmName(HashAlgorithm alg) {
  return alg == HashAlgorithm::kSha256 ? "sha256" : "sm3";
}

Result<HashAlgorithm> ParseHashAlgorithm(std::string_view name) {
  if (name == "sha256") return HashAlgorithm::kSha256;
  if (name == "sm3") return HashAlgorithm::kSm3;
  return Status::InvalidField("hash", "unknown hash algorithm (expected sha256 or sm3)");
}

struct Hasher::Ctx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(ctx); }
};

Hasher::Hasher(HashAlgorithm alg) : alg_(alg), ctx_(std::make_unique<Ctx>()) {
  EVP_DigestInit_ex2(ctx_->ctx, MdFor(alg_), nullptr);
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::Update(std::span<const uint8_t> data) {
  EVP_DigestUpdate(ctx_->ctx, data.data(), data.size());
}

Digest Hasher::Final() {
  Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->ctx, out.data(), &len);
  EVP_DigestInit_ex2(ctx_->ctx, MdFor(alg_), nullptr);
  return out;
}

Digest Hash(HashAlgorithm alg, std::span<const uint8_t> data) {
  Digest out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, MdFor(alg), nullptr);
  return out;
}

Digest Hash(HashAlgorithm alg, std::string_view data) {
  return Hash(alg, std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  char* p = out.data();
  for (uint8_t b : bytes) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 0xf];
  }
  return out;
}

Result<std::string> FromHex(std::string_view hex, std::string_view field) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) {
    return Status::InvalidField(std::string(field), "hex string has an odd number of digits");
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidField(
          std::string(field), "not a hex digit at position " + std::to_string(hi < 0 ? i : i + 1));
    }
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

}  // namespace tongban::crypto
