// ReceiptVerification: the public verification of one receipt as the receipt part's own answer —
// the verdict and, for a tampered receipt, why. The HTTP route, the printable page and the web
// page only render it; `tongban verify-receipt` checks the same answer offline. The verdict
// names are the wire format (docs/receipt.md "Public verification"):
//
//   unknown               no receipt with this code and number, or the check code is wrong
//                         (a wrong check code must not confirm that the number exists)
//   tampered              the stored receipt no longer matches what was signed and ledgered
//   destroyed / voided    its standing (核销 after retention / 红冲)
//   reimbursed / partially_reimbursed / authentic   its claims cover all / part / none of it
//
// Pure functions over a ReceiptService and the ledger; thread-safe as they are.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ledger/log_reader.h"
#include "ledger/sequencer.h"
#include "receipt/receipt.h"
#include "receipt/receipt_service.h"

namespace tongban::receipt {

enum class ReceiptVerdict {
  kUnknown,
  kTampered,
  kDestroyed,
  kVoided,
  kReimbursed,
  kPartiallyReimbursed,
  kAuthentic,
};

// The wire name: "authentic", "tampered", ...
std::string_view VerdictName(ReceiptVerdict verdict);

// The standing of a receipt whose integrity holds: destroyed, voided, (partially) reimbursed or
// authentic. Also what the wallet, the receipt's own page and the printable page show.
ReceiptVerdict StandingOf(const Receipt& r);

struct ReceiptVerification {
  ReceiptVerdict verdict = ReceiptVerdict::kUnknown;
  std::string problem;             // kTampered: why, for the client
  std::optional<Receipt> receipt;  // set unless kUnknown
  std::optional<uint64_t> leaf;    // the receipt's ledger leaf, when one matches
};

// Looks the receipt up, waits (until `deadline`) for its ledger entry to be integrated, and
// checks its integrity: the document, the batch manifest and its two signatures, the leaf.
// kUnavailable when the ledger has not integrated the receipt by `deadline` (retry); other errors
// from storage are passed on. A missing receipt or a wrong check code is kUnknown, not an error.
Result<ReceiptVerification> VerifyReceipt(ReceiptService& service, ledger::LogReader& reader,
                                          ledger::Sequencer* sequencer, const ReceiptCode& code,
                                          const ReceiptNumber& number, const CheckCode& check,
                                          std::chrono::steady_clock::time_point deadline);

}  // namespace tongban::receipt
