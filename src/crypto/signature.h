// Signature algorithms and their wire formats.
//
//   algorithm  key                         signature on our wire        raw signature (outside)
//   kEd25519   Ed25519 (RFC 8032)           64 bytes R || S             the same 64 bytes
//   kSm2       SM2 (GB/T 32918.2) with SM3,  DER SEQUENCE { r, s }       r || s, 32 bytes each
//              ID "1234567812345678"
//   kEs256     ECDSA P-256 with SHA-256     DER SEQUENCE { r, s }       R || S, 32 bytes each (JWS)
//
// The keys that make and check signatures are in crypto/key.h. This header holds the algorithm
// names and the conversions between DER and the fixed-size raw form that some outside interfaces
// (signed notes, JWS) want.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::crypto {

enum class SignatureAlgorithm { kEd25519, kSm2, kEs256 };

// "ed25519" / "sm2" / "es256".
std::string_view SignatureAlgorithmName(SignatureAlgorithm alg);
// kInvalidArgument for an unknown name (the message lists the known ones).
Result<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view name);

// Sizes of the raw forms (crypto/key.h ToRaw/FromRaw).
inline constexpr size_t kEd25519PublicKeySize = 32;  // RFC 8032 encoded point
inline constexpr size_t kEcPublicKeySize = 65;   // SM2 / P-256: 0x04 || X || Y (SEC1 uncompressed)
inline constexpr size_t kPrivateKeySize = 32;    // Ed25519 seed, SM2 / P-256 scalar
inline constexpr size_t kRawSignatureSize = 64;  // every algorithm: two 32-byte halves

size_t RawPublicKeySize(SignatureAlgorithm alg);

// True if the algorithm's wire signature is DER (kSm2, kEs256), false if raw (kEd25519).
bool UsesDerSignatures(SignatureAlgorithm alg);

// DER SEQUENCE { INTEGER r, INTEGER s } -> r || s, each big-endian and left-padded to 32 bytes.
// Strict DER (minimal lengths and integers, nothing trailing); r and s must be positive and
// fit in 32 bytes. kInvalidArgument otherwise.
Result<std::string> DerSignatureToRaw(std::string_view der);

// r || s (64 bytes) -> minimal DER. kInvalidArgument if the size is wrong or r or s is zero.
Result<std::string> RawSignatureToDer(std::string_view raw);

}  // namespace tongban::crypto
