// libFuzzer target: raw key import (crypto/key.h FromRaw), i.e. point and scalar decoding of
// keys that arrive as bytes (signed-note verifier keys, trust lists).
// Input: one selector byte (bit 0: private or public; bits 1-2: algorithm), then the key bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/key.h"

using tongban::crypto::PrivateKey;
using tongban::crypto::PublicKey;
using tongban::crypto::SignatureAlgorithm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const SignatureAlgorithm algs[] = {SignatureAlgorithm::kEd25519, SignatureAlgorithm::kSm2,
                                     SignatureAlgorithm::kEs256, SignatureAlgorithm::kSm2};
  const SignatureAlgorithm alg = algs[(data[0] >> 1) & 3];
  const std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1) {
    tongban::Result<PrivateKey> key = PrivateKey::FromRaw(alg, raw);
    if (!key.ok()) return 0;
    if (key->ToRaw() != raw) std::abort();
  } else {
    tongban::Result<PublicKey> key = PublicKey::FromRaw(alg, raw);
    if (!key.ok()) return 0;
    if (key->raw() != raw) std::abort();
  }
  return 0;
}
