// A Suite is the pair of algorithms a deployment (or one ledger log) uses, chosen by name:
//
//   name   hash      signature   where
//   "gm"   SM3       SM2         国密, the default for a Chinese deployment
//   "intl" SHA-256   Ed25519     international; Go's signed-note tools verify its checkpoints
//
// ES256 is not a suite's signature algorithm: it is used only for licence presentations
// (SD-JWT VC), whose verifiers guarantee nothing else.
// Immutable values; thread-safe.
#pragma once

#include <string_view>

#include "core/status.h"
#include "crypto/hash.h"
#include "crypto/signature.h"

namespace tongban::crypto {

struct Suite {
  std::string_view name;
  HashAlgorithm hash;
  SignatureAlgorithm signature;

  bool operator==(const Suite&) const = default;
};

inline constexpr Suite kGmSuite{"gm", HashAlgorithm::kSm3, SignatureAlgorithm::kSm2};
inline constexpr Suite kIntlSuite{"intl", HashAlgorithm::kSha256, SignatureAlgorithm::kEd25519};
inline constexpr Suite kDefaultSuite = kGmSuite;

// "gm" or "intl", exactly (lower case). kInvalidArgument for anything else, with field "suite"
// and a message that lists the known names.
Result<Suite> ParseSuite(std::string_view name);

}  // namespace tongban::crypto
