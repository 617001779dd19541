// libFuzzer target: PEM key loading (crypto/key.h), the parser that reads key files.
// Input: one selector byte (bit 0: private or public; bits 1-2: algorithm), then the PEM text.
// Checks that whatever loads saves and loads back to the same key, and that a loaded private
// key signs what its public key verifies.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/key.h"

using tongban::crypto::PrivateKey;
using tongban::crypto::PublicKey;
using tongban::crypto::SignatureAlgorithm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool is_private = data[0] & 1;
  const SignatureAlgorithm algs[] = {SignatureAlgorithm::kEd25519, SignatureAlgorithm::kSm2,
                                     SignatureAlgorithm::kEs256, SignatureAlgorithm::kSm2};
  const SignatureAlgorithm alg = algs[(data[0] >> 1) & 3];
  const std::string_view pem(reinterpret_cast<const char*>(data + 1), size - 1);
  if (is_private) {
    tongban::Result<PrivateKey> key = PrivateKey::FromPem(alg, pem);
    if (!key.ok()) return 0;
    tongban::Result<PrivateKey> again = PrivateKey::FromPem(alg, key->ToPem());
    if (!again.ok() || again->ToRaw() != key->ToRaw()) std::abort();
    tongban::Result<std::string> sig = key->Sign("fuzz");
    if (!sig.ok() || !key->public_key().Verify("fuzz", *sig)) std::abort();
  } else {
    tongban::Result<PublicKey> key = PublicKey::FromPem(alg, pem);
    if (!key.ok()) return 0;
    tongban::Result<PublicKey> again = PublicKey::FromPem(alg, key->ToPem());
    if (!again.ok() || !(*again == *key)) std::abort();
    tongban::Result<PublicKey> raw = PublicKey::FromRaw(alg, key->raw());
    if (!raw.ok() || !(*raw == *key)) std::abort();
  }
  return 0;
}
