// Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded) encoding and strict decoding.
// Strict: decoding rejects characters outside the alphabet, bad padding and non-zero trailing
// bits, so one value has exactly one encoding (needed for signed notes and JWTs).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban {

std::string Base64Encode(std::span<const uint8_t> bytes);
inline std::string Base64Encode(std::string_view bytes) {
  return Base64Encode(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}
Result<std::string> Base64Decode(std::string_view text);

std::string Base64UrlEncode(std::span<const uint8_t> bytes);
inline std::string Base64UrlEncode(std::string_view bytes) {
  return Base64UrlEncode(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace tongban
