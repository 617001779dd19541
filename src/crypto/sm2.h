// SM2 specifics (GB/T 32918, GM/T 0003): the distinguishing ID and the Z value it enters.
//
// An SM2 signature covers e = SM3(Z || M), where
//   Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA),
// so signer and verifier must agree on the signer's ID. GB/T 35276 fixes the default ID
// "1234567812345678"; PrivateKey::Sign / PublicKey::Verify (crypto/key.h) always use it. OpenSSL
// uses an *empty* ID unless EVP_PKEY_CTX_set1_id is called after the sign/verify init, which is
// what these functions (and key.cc) do.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/hash.h"
#include "crypto/key.h"

namespace tongban::crypto {

inline constexpr std::string_view kSm2DefaultId = "1234567812345678";

// Z for the public key `key` and distinguishing `id`, computed from the curve constants (not
// by OpenSSL), for interoperability checks. REQUIRES: key.algorithm() == kSm2.
// kInvalidArgument if `id` is longer than 8191 bytes (ENTL is 16 bits of bit length).
Result<Digest> Sm2Z(const PublicKey& key, std::string_view id = kSm2DefaultId);

// SM2 signature (DER) of `message` with a given distinguishing ID.
// REQUIRES: key.algorithm() == kSm2.
Result<std::string> Sm2Sign(const PrivateKey& key, std::string_view message, std::string_view id);
bool Sm2Verify(const PublicKey& key, std::string_view message, std::string_view der_signature,
               std::string_view id);

}  // namespace tongban::crypto
