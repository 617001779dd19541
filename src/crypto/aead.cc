// XChaCha20-Poly1305 sealing on libsodium; see aead.h.
#include "crypto/aead.h"

#include <sodium.h>

#include <cassert>

#include "crypto/random.h"

namespace tongban::crypto {
namespace {

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// sodium_init() is idempotent and thread-safe; once before first use.
void Init() {
  static const bool ok = sodium_init() >= 0;
  assert(ok);
  (void)ok;
}

static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == 16);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kAeadKeyBytes);

}  // namespace

std::string AeadSeal(std::string_view key, std::string_view associated,
                     std::string_view plaintext) {
  assert(key.size() == kAeadKeyBytes);
  Init();
  std::string out = RandomBytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const size_t nonce_size = out.size();
  out.resize(nonce_size + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.data()) + nonce_size, &written, U(plaintext),
      plaintext.size(), U(associated), associated.size(), nullptr, U(out), U(key));
  out.resize(nonce_size + written);
  return out;
}

Result<std::string> AeadOpen(std::string_view key, std::string_view associated,
                             std::string_view sealed) {
  assert(key.size() == kAeadKeyBytes);
  Init();
  if (sealed.size() < kAeadOverheadBytes) return Status::DataLoss("sealed value is truncated");
  const std::string_view nonce = sealed.substr(0, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const std::string_view body = sealed.substr(nonce.size());
  std::string out(body.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, U(body), body.size(),
          U(associated), associated.size(), U(nonce), U(key)) != 0) {
    return Status::DataLoss("sealed value does not open: changed, or sealed with another key");
  }
  out.resize(written);
  return out;
}

}  // namespace tongban::crypto
