// Offline verification of a licence presentation — what a verifier without a connection to the
// issuing node can check, from a trust list (issuer keys) and the issuers' signed status lists
// downloaded earlier: issuer trust and signature, disclosures, key binding (signature, sd_hash,
// iat age), expiry, and status from the status list. What it cannot check offline is the
// one-time use of the presentation (replay): that needs the issuer's presentation record.
// Pure; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "license/trust_list.h"

namespace tongban::license {

struct OfflineResult {
  bool valid = false;
  std::string status = "invalid";  // valid / revoked / suspended / expired / invalid
  std::string reason;
  std::string issuer_name;
  boost::json::object payload;  // processed (disclosed fields substituted)
  std::vector<std::string> disclosed;
  bool status_checked = false;  // false when the issuer published no status list
};

// A credential's status per its issuer's signed status list (held in the trust list).
struct ListStatus {
  bool checked = false;  // false: the issuer published no status list (nothing checked)
  std::string status;    // "valid" / "revoked" / "suspended" when checked
  std::string error;     // non-empty: the list or the reference is bad (treat as invalid)
};
ListStatus StatusFromIssuerList(const TrustedIssuer& issuer, const boost::json::object& payload);

// kInvalidArgument only when `token` is not an SD-JWT at all.
Result<OfflineResult> VerifyLicenseOffline(std::string_view token, const TrustList& trust,
                                           int64_t now, int64_t max_kb_age_seconds = 600);

}  // namespace tongban::license
