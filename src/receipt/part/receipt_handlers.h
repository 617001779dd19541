// HTTP endpoints of the receipt part (docs/receipt.md, the shared contract in docs/api.md):
//   POST /api/v1/receipts                                   scope receipt:issue, Idempotency-Key
//   GET  /api/v1/receipts/{code}/{number}[/qr.svg|/print]   payer citizen, issuer, staff, auditor
//   GET  /api/v1/me/receipts?cursor=                        citizen (own receipts)
//   GET  /api/v1/receipts/verify?code&number&check | ?qr=   public
//   POST /api/v1/receipts/{code}/{number}/claims            scope receipt:reimburse
//   POST /api/v1/receipts/{code}/{number}/claims/{id}/reversal   the claimant
//   POST /api/v1/receipts/{code}/{number}/void              the issuer (scope receipt:issue)
//   GET  /api/v1/receipts/stats                             auditor, admin
//   POST /api/v1/receipts/issuers, /issuers/{id}/ranges     admin (the finance department)
//   POST /api/v1/receipts/issuers/{id}/keys/rotate          admin: a new current issuer key
//   GET  /api/v1/receipts/keys                              public: finance and issuer keys
// JSON in and out (Boost.JSON); errors as RFC 9457 problems with field-level reasons. Ownership is
// checked here from request.principal: a citizen sees only receipts whose payer hash is their own
// ID number's, an issuing system only its own receipts.
// Thread-safe; everything referenced must outlive the router.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>

#include "api/router.h"
#include "identity/identity_service.h"
#include "ledger/log_reader.h"
#include "ledger/sequencer.h"
#include "receipt/receipt_service.h"

namespace tongban::api {

struct ReceiptRoutesOptions {
  receipt::ReceiptService* service = nullptr;
  ledger::LogReader* reader = nullptr;
  ledger::Sequencer* sequencer = nullptr;  // ledger hints, and waiting for new leaves
  identity::IdentityService* identity = nullptr;  // the caller's account (payer ID, org name)
  // How long public verification waits for a just-issued receipt to reach the ledger.
  std::chrono::milliseconds ledger_wait{3000};
  // Verification answers are reused for this long (0: never). Claims, reversals and voids made
  // through this router drop the receipt's answer at once; changes made elsewhere (another node,
  // the database behind the system's back) show after at most this long.
  std::chrono::milliseconds verify_cache_ttl{1000};
};

void AddReceiptRoutes(Router& router, ReceiptRoutesOptions options);

}  // namespace tongban::api
