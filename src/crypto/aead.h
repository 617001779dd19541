// Sealing secrets at rest: authenticated encryption with XChaCha20-Poly1305 (IETF, libsodium),
// for private keys the platform keeps in its database on behalf of others (receipt issuer keys).
//
//   sealed = nonce (24 random bytes) || ciphertext || tag (16 bytes)
//
// `associated` is authenticated but not encrypted: bind each sealed value to where it belongs
// (e.g. the issuer and key id), so a sealed value copied to another row does not open there.
// A random 192-bit nonce per seal makes nonce reuse under one key negligible.
//
// Thread-safety: pure functions. The key is never logged or put in a Status.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::crypto {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadOverheadBytes = 24 + 16;  // nonce + tag

// REQUIRES: key.size() == kAeadKeyBytes.
std::string AeadSeal(std::string_view key, std::string_view associated, std::string_view plaintext);

// The plaintext of `sealed`. kDataLoss when it is too short, was changed, was sealed under another
// key or with other associated data (the message does not say which).
// REQUIRES: key.size() == kAeadKeyBytes.
Result<std::string> AeadOpen(std::string_view key, std::string_view associated,
                             std::string_view sealed);

}  // namespace tongban::crypto
