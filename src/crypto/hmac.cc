// HMAC on EVP_MAC. The key is set once in the constructor; each Mac() re-initialises the
// context with a null key, which restarts HMAC with the same key (no key schedule per call).
#include "crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <atomic>
#include <optional>

#include <cstdlib>

namespace tongban::crypto {
namespace {

EVP_MAC* HmacAlgorithm() {
  // Fetched once; immutable and thread-safe once fetched.
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) std::abort();  // OpenSSL without HMAC cannot run Tongban at all
  return mac;
}

}  // namespace

struct Hmac::Ctx {
  EVP_MAC_CTX* mac = nullptr;
  ~Ctx() { EVP_MAC_CTX_free(mac); }
};

Hmac::Hmac(HashAlgorithm alg, std::string_view key) : alg_(alg), ctx_(std::make_unique<Ctx>()) {
  char digest[8];
  const std::string_view name = alg == HashAlgorithm::kSha256 ? "SHA256" : "SM3";
  name.copy(digest, name.size());
  digest[name.size()] = '\0';
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  ctx_->mac = EVP_MAC_CTX_new(HmacAlgorithm());
  static const unsigned char kEmpty = 0;  // EVP_MAC_init wants a non-null key even when empty
  const auto* k = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (ctx_->mac == nullptr || EVP_MAC_init(ctx_->mac, k, key.size(), params) != 1) {
    std::abort();  // only on allocation failure: the digest names are fixed
  }
}

Hmac::~Hmac() = default;
Hmac::Hmac(Hmac&&) noexcept = default;
Hmac& Hmac::operator=(Hmac&&) noexcept = default;

Digest Hmac::Mac(std::string_view message) {
  Digest out{};
  EVP_MAC_CTX* ctx = ctx_->mac;
  size_t len = 0;
  if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) !=
          1 ||
      EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size()) {
    std::abort();  // only on allocation failure
  }
  return out;
}

Digest HmacDigest(HashAlgorithm alg, std::string_view key, std::string_view message) {
  return Hmac(alg, key).Mac(message);
}

ThreadLocalHmac::ThreadLocalHmac(HashAlgorithm alg, std::string key)
    : alg_(alg), key_(std::move(key)) {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}

Digest ThreadLocalHmac::Mac(std::string_view message) const {
  struct PerThread {
    uint64_t id = 0;
    std::optional<Hmac> hmac;
  };
  thread_local PerThread cache;
  if (cache.id != id_ || !cache.hmac) {
    cache.hmac.emplace(alg_, key_);
    cache.id = id_;
  }
  return cache.hmac->Mac(message);
}

}  // namespace tongban::crypto
