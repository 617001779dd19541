// The subject hash tests configure (DataServiceOptions::subject_hash and the like): HMAC under a
// fixed 32-byte test key, each test choosing its algorithm and key character.
//
//   o.subject_hash = tongban::testing::TestSubjectHash(crypto::HashAlgorithm::kSm3, 's');
#pragma once

#include <string>
#include <string_view>

#include "crypto/hmac.h"

namespace tongban::testing {

// HMAC-`alg` of the ID number under a key of 32 `key_char` bytes.
inline auto TestSubjectHash(crypto::HashAlgorithm alg, char key_char) {
  return [alg, key = std::string(32, key_char)](std::string_view id) {
    return crypto::HmacDigest(alg, key, id);
  };
}

}  // namespace tongban::testing
