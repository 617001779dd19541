// Session token encoding and verification; see session_token.h for the format.
#include "identity/session_token.h"

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <cassert>
#include <optional>

#include "core/base64.h"
#include "crypto/constant_time.h"
#include "crypto/hmac.h"

namespace tongban::identity {
namespace {

constexpr std::string_view kPrefix = "tb1.";
constexpr size_t kPayloadSize = 1 + 8 + 8 + 1 + 8 + 8;

void PutU64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i) & 0xff));
}

uint64_t GetU64(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(in[at + i]);
  return v;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kCitizen: return "citizen";
    case Role::kEnterprise: return "enterprise";
    case Role::kStaff: return "staff";
    case Role::kDepartmentSystem: return "department_system";
    case Role::kAuditor: return "auditor";
    case Role::kAdmin: return "admin";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kCitizen, Role::kEnterprise, Role::kStaff, Role::kDepartmentSystem,
                 Role::kAuditor, Role::kAdmin}) {
    if (RoleName(r) == name) return r;
  }
  return Status::InvalidField("role", "unknown role");
}

namespace {
std::string CheckedKey(std::string key) {
  assert(key.size() >= 32);
  return key;
}
}  // namespace

SessionTokenCodec::SessionTokenCodec(std::string key)
    : hmac_(crypto::HashAlgorithm::kSha256, CheckedKey(std::move(key))), id_(hmac_.id()) {}

std::string SessionTokenCodec::Mac(std::string_view signed_part) const {
  // Per-thread keyed context (crypto::ThreadLocalHmac): no key setup inside OpenSSL per request.
  crypto::Digest d = hmac_.Mac(signed_part);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string SessionTokenCodec::Encode(const SessionClaims& c) const {
  std::string payload;
  payload.reserve(kPayloadSize);
  payload.push_back(1);
  PutU64(payload, static_cast<uint64_t>(c.account_id));
  PutU64(payload, static_cast<uint64_t>(c.session_id));
  payload.push_back(static_cast<char>(c.role));
  PutU64(payload, static_cast<uint64_t>(c.issued_at));
  PutU64(payload, static_cast<uint64_t>(c.expires_at));
  std::string token(kPrefix);
  token += Base64UrlEncode(payload);
  std::string mac = Mac(token);
  token.push_back('.');
  token += Base64UrlEncode(mac);
  return token;
}

namespace {

// Tokens this thread has verified recently, direct-mapped by a hash of the token. A mobile client
// sends the same token with every request until it expires, so most requests find their token
// here and skip the base64 decoding and the HMAC (Envoy's JWT filter keeps a cache of verified
// tokens for the same reason). Only tokens whose MAC verified are stored; a hit needs the whole
// token to be equal (compared in constant time, so a forged token learns nothing from timing),
// the same codec (key), and expiry is checked again on every use. Revocation is checked by the
// caller after Decode, as before.
struct VerifiedToken {
  uint64_t codec_id = 0;  // 0: empty slot
  std::string token;
  SessionClaims claims;
};
constexpr size_t kVerifiedSlots = 1024;  // per thread; about 150 KiB when full

VerifiedToken& VerifiedSlot(std::string_view token) {
  thread_local std::unique_ptr<std::array<VerifiedToken, kVerifiedSlots>> slots;
  if (!slots) slots = std::make_unique<std::array<VerifiedToken, kVerifiedSlots>>();
  return (*slots)[std::hash<std::string_view>{}(token) % kVerifiedSlots];
}

}  // namespace

Result<SessionClaims> SessionTokenCodec::Decode(std::string_view token,
                                                int64_t now_unix_seconds) const {
  VerifiedToken& slot = VerifiedSlot(token);
  if (slot.codec_id == id_ && crypto::ConstantTimeEqual(slot.token, token)) {
    if (now_unix_seconds >= slot.claims.expires_at) {
      return Status::Unauthenticated("session token expired");
    }
    return slot.claims;
  }
  auto claims = DecodeAndVerify(token, now_unix_seconds);
  if (claims.ok()) {
    slot.codec_id = id_;
    slot.token.assign(token);
    slot.claims = *claims;
  }
  return claims;
}

Result<SessionClaims> SessionTokenCodec::DecodeAndVerify(std::string_view token,
                                                         int64_t now_unix_seconds) const {
  if (!token.starts_with(kPrefix)) return Status::Unauthenticated("not a session token");
  size_t dot = token.rfind('.');
  if (dot <= kPrefix.size()) return Status::Unauthenticated("malformed session token");
  std::string_view signed_part = token.substr(0, dot);
  auto mac = Base64UrlDecode(token.substr(dot + 1));
  auto payload = Base64UrlDecode(signed_part.substr(kPrefix.size()));
  if (!mac.ok() || !payload.ok() || payload->size() != kPayloadSize || (*payload)[0] != 1) {
    return Status::Unauthenticated("malformed session token");
  }
  std::string expected = Mac(signed_part);
  if (!crypto::ConstantTimeEqual(*mac, expected)) {
    return Status::Unauthenticated("session token signature does not verify");
  }
  SessionClaims c;
  c.account_id = static_cast<int64_t>(GetU64(*payload, 1));
  c.session_id = static_cast<int64_t>(GetU64(*payload, 9));
  auto role = static_cast<uint8_t>((*payload)[17]);
  if (role < 1 || role > 6) return Status::Unauthenticated("malformed session token");
  c.role = static_cast<Role>(role);
  c.issued_at = static_cast<int64_t>(GetU64(*payload, 18));
  c.expires_at = static_cast<int64_t>(GetU64(*payload, 26));
  if (now_unix_seconds >= c.expires_at) return Status::Unauthenticated("session token expired");
  return c;
}

}  // namespace tongban::identity
