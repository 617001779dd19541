// `tongban verify-receipt`: checks a receipt offline (receipt/offline_receipt.h) and prints each
// check. `tongban receipts destroy`: destruction (核销) of receipt documents past retention. A command
// runs once in its own process (it opens the App, destroys, flushes the ledger queue, exits). Each
// chunk of up to 1,000 receipts is one transaction with its ledger entry, so an interrupted run
// leaves whole chunks destroyed and can simply be run again.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "part/commands.h"

namespace tongban::receipt {

struct ReceiptsDestroyOptions {
  std::filesystem::path config = "tongban.toml";
  std::string before;  // YYYY-MM-DD (China date): receipts issued before this day
};
// Deletes the documents of receipts issued before `before` whose retention ([receipt]
// retention_years) has passed, keeping their hashes and leaves, and records each run on the
// ledger. Prints what was destroyed and what was kept. Exit 0 on success.
int RunReceiptsDestroy(const part::Commands& commands, const ReceiptsDestroyOptions& options);

struct VerifyReceiptOptions {
  std::filesystem::path answer;  // JSON of GET /api/v1/receipts/verify?...&manifest=1
  std::filesystem::path keys;    // JSON of GET /api/v1/receipts/keys
  std::string log_key;           // the ledger's verifier key string, or a file holding it
  std::optional<std::string> qr; // a scanned TBR1 text, checked too
};
// Prints "OK <check>: …" / "FAIL <check>: …" per check, then a verdict line. Exit 0 iff every
// check passed, 1 otherwise (also for unreadable files).
int RunVerifyReceipt(const VerifyReceiptOptions& options);

// Adds `tongban verify-receipt` and `tongban receipts destroy`; the options must outlive the run.
void AddReceiptCommands(part::Commands& commands, VerifyReceiptOptions& verify,
                        ReceiptsDestroyOptions& destroy);

}  // namespace tongban::receipt
