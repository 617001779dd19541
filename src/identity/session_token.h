// SessionTokenCodec: short-lived bearer tokens that are checked with one HMAC-SHA256 — no database
// read and no public-key operation per request, which is what keeps authenticated requests near the
// server's raw speed.
//
//   token   = "tb1." base64url(payload) "." base64url(HMAC-SHA256(key, "tb1." base64url(payload)))
//   payload = version(1)=1 || account_id(8) || session_id(8) || role(1) || issued_at(8)
//             || expires_at(8)            (big-endian; times in unix seconds, UTC)
//
// Revocation (logout) is by session id: see IdentityService. Thread-safe (immutable after
// construction).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/hmac.h"
#include "identity/principal.h"

namespace tongban::identity {

struct SessionClaims {
  int64_t account_id = 0;
  int64_t session_id = 0;
  Role role = Role::kCitizen;
  int64_t issued_at = 0;   // unix seconds
  int64_t expires_at = 0;  // unix seconds
};

class SessionTokenCodec {
 public:
  // REQUIRES: key.size() >= 32.
  explicit SessionTokenCodec(std::string key);

  std::string Encode(const SessionClaims& claims) const;
  // Checks form, MAC (constant time) and expiry. kUnauthenticated with a reason on any failure.
  // A token this thread verified recently is found in a small per-thread cache and only its
  // expiry is checked again (see session_token.cc).
  Result<SessionClaims> Decode(std::string_view token, int64_t now_unix_seconds) const;

  static bool LooksLikeSessionToken(std::string_view token) { return token.starts_with("tb1."); }

 private:
  std::string Mac(std::string_view signed_part) const;
  Result<SessionClaims> DecodeAndVerify(std::string_view token, int64_t now_unix_seconds) const;
  crypto::ThreadLocalHmac hmac_;
  uint64_t id_ = 0;  // unique per codec instance (keys the per-thread verified-token cache)
};

}  // namespace tongban::identity
