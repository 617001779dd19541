// libFuzzer target: DER signature parsing (crypto/signature.h) and verification of arbitrary
// signatures with fixed SM2 and ES256 keys (crypto/key.h), the input a verifier gets from outside.
// Checks that DER parsing is canonical (what parses re-encodes to the same bytes) and that raw
// r || s round-trips.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/key.h"
#include "crypto/signature.h"

namespace {

using tongban::crypto::PrivateKey;
using tongban::crypto::SignatureAlgorithm;

const PrivateKey& Key(SignatureAlgorithm alg) {
  static const PrivateKey sm2 = *PrivateKey::Generate(SignatureAlgorithm::kSm2);
  static const PrivateKey es256 = *PrivateKey::Generate(SignatureAlgorithm::kEs256);
  static const PrivateKey ed25519 = *PrivateKey::Generate(SignatureAlgorithm::kEd25519);
  return alg == SignatureAlgorithm::kSm2     ? sm2
         : alg == SignatureAlgorithm::kEs256 ? es256
                                             : ed25519;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  tongban::Result<std::string> raw = tongban::crypto::DerSignatureToRaw(in);
  if (raw.ok()) {
    if (raw->size() != 64) std::abort();
    tongban::Result<std::string> der = tongban::crypto::RawSignatureToDer(*raw);
    if (!der.ok() || *der != in) std::abort();  // canonical: one signature, one encoding
  }
  if (size == 64) {
    tongban::Result<std::string> der = tongban::crypto::RawSignatureToDer(in);
    if (der.ok()) {
      tongban::Result<std::string> back = tongban::crypto::DerSignatureToRaw(*der);
      if (!back.ok() || *back != in) std::abort();
    }
  }
  for (auto alg :
       {SignatureAlgorithm::kSm2, SignatureAlgorithm::kEs256, SignatureAlgorithm::kEd25519}) {
    if (Key(alg).public_key().Verify("fuzz", in)) std::abort();  // a forgery, or a bug
  }
  return 0;
}
