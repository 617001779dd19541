// `tongban receipts destroy`: destruction (核销) of receipt documents past retention.
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
