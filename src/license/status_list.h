// StatusList: the IETF Token Status List encoding (draft-ietf-oauth-status-list) of licence
// states, so a verifier can check revocation offline from a downloaded, signed list:
//
//   status_list = {"bits": 2, "lst": base64url(zlib(bytes))}
//   bytes[i / 4] >> ((i % 4) * 2) & 3  = status of index i   ; least significant bits first
//   status      = 0 VALID / 1 INVALID (revoked, expired, superseded) / 2 SUSPENDED
//
// The list travels as a JWT (typ "statuslist+jwt", {"sub": uri, "iat", "ttl", "status_list"})
// signed with the licence issuer's key. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tongban::license {

inline constexpr uint8_t kStatusValid = 0;
inline constexpr uint8_t kStatusInvalid = 1;
inline constexpr uint8_t kStatusSuspended = 2;

// base64url(zlib(packed 2-bit statuses)).
Result<std::string> EncodeStatusList(const std::vector<uint8_t>& statuses);
// The status at `index`; kOutOfRange past the end, kInvalidArgument for a malformed list.
Result<uint8_t> StatusAt(std::string_view lst, int64_t index);

}  // namespace tongban::license
