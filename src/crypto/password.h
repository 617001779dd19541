// Staff password hashing with Argon2id (RFC 9106) through libsodium's crypto_pwhash_str.
//
// The stored form is the PHC string libsodium writes, e.g.
//   $argon2id$v=19$m=65536,t=2,p=1$<base64 salt>$<base64 hash>
// It carries its own salt and parameters, so raising the parameters later only needs
// PasswordNeedsRehash() at the next successful login.
//
// Defaults are libsodium's "interactive" limits: 2 passes over 64 MiB, about 140 ms per hash
// on one core here (see docs/crypto.md). Each hash holds its memory limit while it runs; a server
// should bound concurrent logins accordingly.
// Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::crypto {

struct PasswordParams {
  uint64_t ops_limit;  // Argon2 passes (t)
  size_t mem_limit;    // bytes (m)

  // crypto_pwhash_OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE: t = 2, m = 64 MiB.
  static PasswordParams Interactive();
  // crypto_pwhash_OPSLIMIT_MODERATE / MEMLIMIT_MODERATE: t = 3, m = 256 MiB.
  static PasswordParams Moderate();
  // The minimum libsodium allows (t = 1, m = 8 KiB). Tests only: offers no real protection.
  static PasswordParams ForTestsOnly();
};

inline constexpr size_t kMaxPasswordSize = 4096;  // bytes; longer input is refused

// The Argon2id string of `password` with a fresh random salt.
// kInvalidArgument: empty or longer than kMaxPasswordSize.
// kResourceExhausted: the memory limit could not be allocated; the caller may retry later.
Result<std::string> HashPassword(std::string_view password,
                                 const PasswordParams& params = PasswordParams::Interactive());

// OK iff `password` matches `stored`, in time independent of where a mismatch is.
// kUnauthenticated: wrong password. HTTP callers answer 401 without saying which part was wrong.
// kInvalidArgument: `stored` is not an Argon2id string (a damaged or foreign record).
Status VerifyPassword(std::string_view password, std::string_view stored);

// True if `stored` was made with other parameters than `params` (or is not Argon2id): hash the
// password again after the next successful VerifyPassword.
bool PasswordNeedsRehash(std::string_view stored,
                         const PasswordParams& params = PasswordParams::Interactive());

}  // namespace tongban::crypto
