// Cryptographically secure random bytes (libsodium's randombytes_buf: getrandom(2) on Linux).
// For tokens, salts, per-deployment HMAC keys. Thread-safe; cannot fail.
#pragma once

#include <cstddef>
#include <string>

namespace tongban::crypto {

std::string RandomBytes(size_t n);

}  // namespace tongban::crypto
