// Argon2id on libsodium. crypto_pwhash_str* want NUL-terminated strings, hence the copies.
#include "crypto/password.h"

#include <sodium.h>

#include <cstdlib>

namespace tongban::crypto {
namespace {

void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();  // no usable random source: nothing secure can run
}

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

}  // namespace

PasswordParams PasswordParams::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
PasswordParams PasswordParams::Moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}
PasswordParams PasswordParams::ForTestsOnly() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

Result<std::string> HashPassword(std::string_view password, const PasswordParams& params) {
  EnsureSodium();
  if (password.empty()) return Status::InvalidField("password", "must not be empty");
  if (password.size() > kMaxPasswordSize) {
    return Status::InvalidField("password", "is longer than 4096 bytes");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.ops_limit,
                            params.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("password hashing is out of memory; try again later")
        .WithDetail("crypto_pwhash_str_alg failed, mem_limit=" + std::to_string(params.mem_limit));
  }
  return std::string(out);
}

Status VerifyPassword(std::string_view password, std::string_view stored) {
  EnsureSodium();
  if (stored.substr(0, kArgon2idPrefix.size()) != kArgon2idPrefix ||
      stored.size() >= crypto_pwhash_STRBYTES || stored.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("stored password hash is not an Argon2id string");
  }
  const std::string s(stored);
  // needs_rehash parses the whole string: -1 means it is malformed.
  if (crypto_pwhash_str_needs_rehash(s.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                     crypto_pwhash_MEMLIMIT_INTERACTIVE) < 0) {
    return Status::InvalidArgument("stored password hash is not an Argon2id string");
  }
  if (password.size() > kMaxPasswordSize ||
      crypto_pwhash_str_verify(s.c_str(), password.data(), password.size()) != 0) {
    return Status::Unauthenticated("wrong user name or password");
  }
  return Status::Ok();
}

bool PasswordNeedsRehash(std::string_view stored, const PasswordParams& params) {
  EnsureSodium();
  if (stored.size() >= crypto_pwhash_STRBYTES) return true;
  const std::string s(stored);
  return crypto_pwhash_str_needs_rehash(s.c_str(), params.ops_limit, params.mem_limit) != 0;
}

}  // namespace tongban::crypto
