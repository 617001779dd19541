// `tongban receipts destroy`: destruction (核销) of receipt documents past retention. A command
// runs once in its own process (it opens the App, destroys, flushes the ledger queue, exits). Each
// chunk of up to 1,000 receipts is one transaction with its ledger entry, so an interrupted run
// leaves whole chunks destroyed and can simply be run again.
#pragma once

#include <filesystem>
#include <string>

namespace tongban::cli {

struct ReceiptsDestroyOptions {
  std::filesystem::path config = "tongban.toml";
  std::string before;  // YYYY-MM-DD (China date): receipts issued before this day
};
// Deletes the documents of receipts issued before `before` whose retention ([receipt]
// retention_years) has passed, keeping their hashes and leaves, and records each run on the
// ledger. Prints what was destroyed and what was kept. Exit 0 on success.
int RunReceiptsDestroy(const ReceiptsDestroyOptions& options);

}  // namespace tongban::cli
