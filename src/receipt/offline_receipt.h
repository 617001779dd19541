// Offline receipt verification: checks a receipt from what the platform published — the answer of
// GET /api/v1/receipts/verify?manifest=1, the keys of GET /api/v1/receipts/keys and the ledger's
// verifier key (GET /api/v1/ledger/key) — with no server and no storage. The library behind
// `tongban verify-receipt`. The checks, in order (each reported, all run where they can):
//   ledger      the checkpoint is signed by the log key, the inclusion proof leads from the
//               entry to its root (ledger::VerifyOffline), the entry is a receipt.issue
//   document    the document's suite hash is the entry's document hash, and the document is the
//               answer's receipt (code, number); skipped for a destroyed receipt (no document)
//   manifest    the batch manifest lists "<code>/<number> <hex(entry document hash)>" and is
//               the receipt's issuer's (its "issuer:" line is the document's USCC)
//   issuer      the signature by the issuer key the batch names (batch.issuer_key_id, published
//               in the keys' "issuers" under the receipt's issuer USCC, and whose id is its own
//               hash) over the manifest verifies; a key of another issuer is never taken
//   finance     the finance key's signature over the manifest verifies
//   qr          (only if a QR text is given) the finance key signed it, and its code, number,
//               check code and total are the document's
// Everything passed in is untrusted input; only the keys are trusted (the caller obtained
// them out of band or pinned them).
//
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tongban::receipt {

struct OfflineReceiptInput {
  std::string_view answer;   // JSON text of the verify answer (with "batch"."manifest")
  std::string_view keys;     // JSON text of GET /api/v1/receipts/keys
  std::string_view log_key;  // the ledger's note verifier key string
  std::optional<std::string_view> qr;  // a scanned TBR1 text, to check too
};

struct OfflineCheck {
  std::string name;    // "ledger", "document", "manifest", "issuer", "finance", "qr"
  bool ok = false;
  std::string detail;  // what was checked, or why it failed
};

struct OfflineReceiptReport {
  std::string status;  // the answer's status ("authentic", …), as the server said
  std::vector<OfflineCheck> checks;
  // True iff there is at least one check and every check passed.
  bool ok() const;
};

OfflineReceiptReport VerifyReceiptOffline(const OfflineReceiptInput& in);

}  // namespace tongban::receipt
