// Suites by name.
#include "crypto/suite.h"

#include <string>

namespace tongban::crypto {

Result<Suite> ParseSuite(std::string_view name) {
  if (name == kGmSuite.name) return kGmSuite;
  if (name == kIntlSuite.name) return kIntlSuite;
  return Status::InvalidField(
      "suite", "unknown crypto suite \"" + std::string(name.substr(0, 32)) +
                   "\" (expected \"gm\" for SM3 + SM2 or \"intl\" for SHA-256 + Ed25519)");
}

}  // namespace tongban::crypto
