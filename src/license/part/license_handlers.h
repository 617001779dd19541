// The license part's HTTP endpoints (contract in docs/license.md): the public type catalogue,
// issuing and lifecycle steps for department systems (scope license:issue, own types only), the
// holder's wallet and presentations, public verification by scan (a staff token, when sent, names
// the verifier in the log and archives what was verified), the holder's verification log, holder
// authorisations and their use by staff, and the signed status list and issuer key for offline
// verifiers. A verification answer carries the ledger inclusion proof of the licence's latest
// lifecycle entry with its event document (docs/license.md, "Ledger proof of a verification").
// Translates HTTP to license::LicenseService calls and nothing more.
// Thread-safe; `service`, `identity` and the ledger reader / sequencer must outlive the router.
#pragma once

#include <chrono>

#include "api/router.h"
#include "identity/identity_service.h"
#include "ledger/log_reader.h"
#include "ledger/sequencer.h"
#include "license/license_service.h"

namespace tongban::api {

// The log a verification answer proves against. Without a reader, answers carry "ledger": null.
struct LicenseLedgerOptions {
  ledger::LogReader* reader = nullptr;
  ledger::Sequencer* sequencer = nullptr;
  // How long a verification waits for a just-queued lifecycle entry before answering 503.
  std::chrono::milliseconds wait{3000};
};

void AddLicenseRoutes(Router& router, license::LicenseService& service,
                      identity::IdentityService& identity, LicenseLedgerOptions log = {});
// The holder-authorisation group (license_authorisation_routes.cc); AddLicenseRoutes adds it.
void AddLicenseAuthorisationRoutes(Router& router, license::LicenseService& service,
                                   identity::IdentityService& identity);

}  // namespace tongban::api
