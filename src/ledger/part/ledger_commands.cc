// verify and audit sub-commands; see ledger_commands.h.
#include "ledger/part/ledger_commands.h"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/base64.h"
#include "crypto/hash.h"
#include "ledger/audit.h"
#include "ledger/note_keys.h"
#include "ledger/note_signer.h"
#include "ledger/offline_verify.h"
#include "ledger/part/ledger_part.h"
#include "part/key_files.h"

namespace tongban::ledger {
namespace fs = std::filesystem;
namespace {

Result<std::string> ReadFile(const fs::path& path) { return part::ReadTextFile(path); }

int Fail(std::string_view what, const Status& s) { return part::FailCommand(what, s); }

Result<std::string> JsonString(const boost::json::object& o, std::string_view field) {
  auto it = o.find(field);
  if (it == o.end() || !it->value().is_string()) {
    return Status::InvalidField(std::string(field), "missing or not a string in the proof file");
  }
  return std::string(it->value().as_string());
}

}  // namespace

int RunVerify(const VerifyOptions& options) {
  // The key: a verifier key string, or a file holding one.
  std::string key_text = options.key;
  if (fs::exists(options.key)) {
    auto text = ReadFile(options.key);
    if (!text.ok()) return Fail("verify", text.status());
    key_text = *text;
    while (!key_text.empty() && std::isspace(static_cast<unsigned char>(key_text.back()))) {
      key_text.pop_back();
    }
  }
  auto key = ledger::ParseNoteVerifierKey(key_text);
  if (!key.ok()) return Fail("verify", key.status());
  auto verifier = ledger::ParseNoteVerifier(key_text);
  if (!verifier.ok()) return Fail("verify", verifier.status());
  // The suite follows from the key: SM2 logs hash with SM3, Ed25519 logs with SHA-256.
  crypto::HashAlgorithm hash = key->type == ledger::NoteKeyType::kSm2 ? crypto::HashAlgorithm::kSm3
                                                                       : crypto::HashAlgorithm::kSha256;

  auto proof_text = ReadFile(options.proof);
  if (!proof_text.ok()) return Fail("verify", proof_text.status());
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*proof_text, ec);
  if (ec || !v.is_object()) {
    return Fail("verify", Status::InvalidArgument("proof file is not a JSON object"));
  }
  const auto& o = v.as_object();
  auto entry_b64 = JsonString(o, "entry");
  auto note = JsonString(o, "checkpoint");
  if (!entry_b64.ok()) return Fail("verify", entry_b64.status());
  if (!note.ok()) return Fail("verify", note.status());
  auto entry = Base64Decode(*entry_b64);
  if (!entry.ok()) return Fail("verify", Status::InvalidField("entry", "not base64"));
  std::vector<std::string> hashes;
  auto it = o.find("hashes");
  if (it == o.end() || !it->value().is_array()) {
    return Fail("verify", Status::InvalidField("hashes", "missing or not an array"));
  }
  for (const auto& h : it->value().as_array()) {
    if (!h.is_string()) return Fail("verify", Status::InvalidField("hashes", "not a string"));
    auto bytes = Base64Decode(std::string_view(h.as_string()));
    if (!bytes.ok()) return Fail("verify", Status::InvalidField("hashes", "not base64"));
    hashes.push_back(std::move(*bytes));
  }
  std::optional<std::string> document;
  if (options.document) {
    auto d = ReadFile(*options.document);
    if (!d.ok()) return Fail("verify", d.status());
    document = std::move(*d);
  }
  ledger::OfflineProof in{.entry = *entry, .proof = hashes, .checkpoint_note = *note};
  if (document) in.document = *document;
  auto verified = ledger::VerifyOffline(hash, key->name, *verifier, in);
  if (!verified.ok()) return Fail("verify", verified.status());
  std::printf("OK: entry %llu (%s, time %lld µs UTC) is in %s at tree size %llu, signed by %s%s\n",
              static_cast<unsigned long long>(verified->entry.index.value),
              verified->entry.type.c_str(), static_cast<long long>(verified->entry.time_micros),
              verified->checkpoint.origin.c_str(),
              static_cast<unsigned long long>(verified->checkpoint.size), key->name.c_str(),
              document ? "; the document matches its hash" : "");
  return 0;
}

int RunAudit(const part::Commands& commands, const AuditOptionsCli& options) {
  auto program = commands.Open(options.config);
  if (!program.ok()) return Fail("audit", program.status());
  auto log = (*program)->parts().Require<LedgerPart>("audit", "ledger");
  if (!log.ok()) return Fail("audit", log.status());
  auto verifier = ledger::ParseNoteVerifier((*log)->verifier_key());
  if (!verifier.ok()) return Fail("audit", verifier.status());
  ledger::AuditOptions audit;
  audit.origin = (*log)->config().origin;
  audit.hash = (*log)->suite().hash;
  audit.log_key = *verifier;
  auto report = ledger::AuditLogReport((*program)->db(), audit);
  if (!report.ok()) return Fail("audit", report.status());
  std::printf("audited %s: %llu entries, %llu tiles, %llu checkpoints\n", audit.origin.c_str(),
              static_cast<unsigned long long>(report->entries_checked),
              static_cast<unsigned long long>(report->tiles_checked),
              static_cast<unsigned long long>(report->checkpoints_checked));
  if (report->ok()) {
    std::printf("OK: every leaf, tile and checkpoint recomputes and verifies\n");
    return 0;
  }
  for (const auto& f : report->findings) std::printf("FINDING: %s\n", f.message.c_str());
  if (report->truncated) std::printf("(more findings not listed)\n");
  return 1;
}

void AddLedgerCommands(part::Commands& commands, VerifyOptions& verify, AuditOptionsCli& audit) {
  CLI::App* verify_cmd = commands.Add(
      nullptr, "verify", "Check a ledger inclusion proof offline against a trusted verifier key",
      [&verify] { return RunVerify(verify); });
  verify_cmd->add_option("--key", verify.key, "The log's verifier key string, or a file with it")
      ->required();
  verify_cmd->add_option("--proof", verify.proof,
                         "Proof file: the JSON of GET /api/v1/ledger/proofs/inclusion")
      ->required();
  verify_cmd->add_option("--document", verify.document,
                         "The document the entry commits to (its hash is checked too)");
  const part::Commands* c = &commands;
  CLI::App* audit_cmd = commands.Add(
      nullptr, "audit", "Replay the stored ledger: recompute every leaf, tile, root and signature",
      [c, &audit] { return RunAudit(*c, audit); });
  part::Commands::AddConfigOption(audit_cmd, audit.config);
}

}  // namespace tongban::ledger
