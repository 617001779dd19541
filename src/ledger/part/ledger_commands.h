// `tongban verify` (offline proof check, no server) and `tongban audit` (replay the stored log).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "part/commands.h"

namespace tongban::ledger {

struct VerifyOptions {
  std::string key;                                // verifier key string, or a file holding one
  std::filesystem::path proof;                    // JSON from /api/v1/ledger/proofs/inclusion
  std::optional<std::filesystem::path> document;  // the document the entry commits to
};
// Exit 0 when everything verifies, 1 (with the reason) otherwise.
int RunVerify(const VerifyOptions& options);

struct AuditOptionsCli {
  std::filesystem::path config = "tongban.toml";
};
// Exit 0 when the stored log is intact, 1 listing findings otherwise.
int RunAudit(const part::Commands& commands, const AuditOptionsCli& options);

// Adds `tongban verify` and `tongban audit`; the options must outlive the parse and the run.
void AddLedgerCommands(part::Commands& commands, VerifyOptions& verify, AuditOptionsCli& audit);

}  // namespace tongban::ledger
