// `tongban verify-license`: checks a licence presentation offline, from the issuer's key
// (GET /api/v1/licenses/issuer) and its signed status list (GET /api/v1/licenses/status), or a
// trust list of several issuers — no connection to the issuing node. Replay (one-time use) can
// only be checked online.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "part/commands.h"

namespace tongban::license {

struct VerifyLicenseOptions {
  std::filesystem::path token;                      // file holding the presentation token
  std::optional<std::filesystem::path> issuer;      // JSON of GET /api/v1/licenses/issuer
  std::optional<std::filesystem::path> status;      // text of GET /api/v1/licenses/status
  std::optional<std::filesystem::path> trust;       // a trust list (docs/license.md)
  int64_t max_age_s = 600;                          // KB-JWT iat must be this recent
};
// Exit 0 when the presentation is valid (prints the disclosed fields), 1 with the reason otherwise.
int RunVerifyLicense(const VerifyLicenseOptions& options);

// Adds `tongban verify-license`; `options` must outlive the parse and the run.
void AddLicenseCommands(part::Commands& commands, VerifyLicenseOptions& options);

}  // namespace tongban::license
