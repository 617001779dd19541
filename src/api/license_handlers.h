// The license part's HTTP endpoints (contract in docs/license.md): the public type catalogue,
// issuing and lifecycle steps for department systems (scope license:issue, own types only), the
// holder's wallet and presentations, public verification by scan (a staff token, when sent, names
// the verifier in the log and archives what was verified), the holder's verification log, holder
// authorisations and their use by staff, and the signed status list and issuer key for offline
// verifiers. Translates HTTP to license::LicenseService calls and nothing more.
// Thread-safe; `service` and `identity` must outlive the router.
#pragma once

#include "api/router.h"
#include "identity/identity_service.h"
#include "license/license_service.h"

namespace tongban::api {

void AddLicenseRoutes(Router& router, license::LicenseService& service,
                      identity::IdentityService& identity);

}  // namespace tongban::api
