// LicenseVerification: verifying a scanned presentation together with the ledger proof of the
// licence's latest lifecycle event, as the license part's own answer. LicenseService::Verify
// checks the presentation (signatures, key binding, replay, status); this adds the ledger: it
// waits for a just-queued event to be integrated BEFORE Verify consumes the one-time
// presentation (so a 503 costs the holder nothing), and reports a licence whose stored record no
// longer matches its event, or whose event matches no leaf, as "tampered". The HTTP route only
// renders the answer (with the inclusion proof of `leaf`).
//
// Thread-safe as LicenseService and the ledger reader and sequencer are.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "ledger/log_reader.h"
#include "ledger/sequencer.h"
#include "license/license_service.h"

namespace tongban::license {

struct LicenseVerification {
  VerifyResult result;            // valid / status / reason, "tampered" when the ledger says so
  std::optional<uint64_t> leaf;   // the leaf of the licence's latest lifecycle event, when proven
  std::string event_document;     // that event's document (its hash is the leaf's document hash)
  std::string ledger_reason;      // why there is no proof (or why tampered); empty with a proof
};

// `reader` null: the server keeps no ledger (no proof, ledger_reason says so). Waits up to `wait`
// for a queued event; kUnavailable (HTTP 503, retry) when it is still not integrated, before the
// presentation is consumed. kInvalidArgument when the token or reference is not parseable.
Result<LicenseVerification> VerifyPresentationOnLedger(LicenseService& service,
                                                       ledger::LogReader* reader,
                                                       ledger::Sequencer* sequencer,
                                                       const VerifyRequest& request,
                                                       std::chrono::milliseconds wait);

}  // namespace tongban::license
