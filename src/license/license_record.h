// License: one issued e-licence as stored (the row of table `license`), and the status words
// used on the wire. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::license {

// Stored states. kExpired is stored by the expiry sweep; a valid row whose expires_at has passed
// is reported expired even before the sweep ran. kSuperseded: replaced by a renewal.
enum class LicenseStatus { kValid, kSuspended, kRevoked, kExpired, kSuperseded };
std::string_view LicenseStatusName(LicenseStatus s);  // "valid", "suspended", ...
Result<LicenseStatus> ParseLicenseStatus(std::string_view name);

struct License {
  std::string id;              // GB/T 36904 identifier
  std::string type;            // catalogue code, e.g. "driving_licence"
  std::string issuer;          // department key
  std::string holder_subject;  // citizen ID number or USCC: personal data, never logged
  std::string fields_json;     // {"name":"张伟",...} as issued (canonical: catalogue order)
  LicenseStatus status = LicenseStatus::kValid;
  std::string status_reason;
  int64_t issued_at = 0;   // unix seconds UTC
  int64_t expires_at = 0;  // unix seconds UTC; 0: no expiry
  int version = 1;
  int64_t serial = 0;
  int64_t status_index = 0;  // position in the status list
  std::string replaced_by;   // id of the renewal, when superseded

  // The status a verifier sees at `now` (a valid licence past expires_at is expired).
  LicenseStatus EffectiveStatus(int64_t now) const {
    if (status == LicenseStatus::kValid && expires_at != 0 && now >= expires_at) {
      return LicenseStatus::kExpired;
    }
    return status;
  }
};

}  // namespace tongban::license
