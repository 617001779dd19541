// LedgerPart: the verifiable ledger as a part of the program (part/part.h) — its crypto suite,
// signing key and subject secret, the sequencer and checkpoint publisher (started and stopped
// with the program), the public tiles / proof routes, `tongban verify` and `tongban audit`. Later
// parts find it in the PartSet to enqueue entries, read proofs, key subject hashes and derive
// keys of their own from the deployment's secret. Thread-safety: as part/part.h; every accessor
// is thread-safe once Open returned.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/hmac.h"
#include "crypto/suite.h"
#include "ledger/log_reader.h"
#include "ledger/note_signer.h"
#include "ledger/part/ledger_commands.h"
#include "ledger/publisher.h"
#include "ledger/sequencer.h"
#include "part/part.h"

namespace tongban::ledger {

struct LedgerConfig {
  std::string suite = "gm";  // gm = SM3 + SM2, intl = SHA-256 + Ed25519
  std::string origin = "tongban.example/ledger";
  std::string key_file = "keys/ledger.key";
  std::string subject_secret_file = "keys/subject-hmac.key";
  int64_t batch_max_entries = 1024;
  int64_t batch_max_delay_ms = 50;
  // Witnesses that cosign each checkpoint (C2SP tlog-witness), and how many must cosign before a
  // checkpoint is published (0: publish at once, attach whatever cosignatures arrive).
  struct Witness {
    std::string url;  // submission prefix, e.g. "http://witness.example:9001"
    std::string key;  // the witness's cosignature verifier key string
  };
  std::vector<Witness> witnesses;
  int64_t witness_quorum = 0;
};

class LedgerPart : public part::Part {
 public:
  std::string_view name() const override { return "ledger"; }
  std::string DefaultConfig(const part::InitChoices& choices) const override;
  Status Configure(part::ConfigSection& section) override;
  Status Initialise(const part::InitChoices& choices, const std::filesystem::path& base_dir) override;
  std::vector<store::Migration> Migrations() const override;
  Status Open(const part::PartContext& context) override;
  void AddRoutes(api::Router& router) override;
  void AddMetrics(api::Metrics& metrics) override;
  std::vector<std::pair<std::string, api::ReadinessProbe>> ReadinessProbes() override;
  // The demo's ledger: every demo account's creation and 3,000 sample entries (full tiles to
  // browse), then everything queued integrated.
  Status FinishDemo(part::DemoData& demo) override;
  void AddCommands(part::Commands& commands) override;
  Status Start() override;
  Status Stop() override;

  const LedgerConfig& config() const { return config_; }
  // REQUIRES (all below): Open succeeded.
  const crypto::Suite& suite() const { return suite_; }
  Sequencer& sequencer() { return *sequencer_; }
  LogReader& log_reader() { return *log_reader_; }
  CheckpointPublisher& publisher() { return *publisher_; }
  // `<origin>+<key id>+<base64 key>`: what clients verify checkpoints with.
  const std::string& verifier_key() const { return verifier_key_; }
  // Keyed hash (HMAC with the suite hash and the deployment's subject secret) of a subject ID
  // (citizen ID number, USCC): what ledger entries hold instead of the number.
  std::array<uint8_t, 32> SubjectHash(std::string_view subject_id) const;
  // A 32-byte key derived from the subject secret for `label` (HMAC-SHA-256): a part's own key
  // (the receipt part's issuer-key seal) without another secret file to keep and back up.
  std::string DeriveKey(std::string_view label) const;

 private:
  LedgerConfig config_;
  const Clock* clock_ = nullptr;
  store::Database* db_ = nullptr;
  crypto::Suite suite_ = crypto::kDefaultSuite;
  std::string subject_secret_;
  std::optional<crypto::ThreadLocalHmac> subject_hmac_;
  std::unique_ptr<NoteSigner> signer_;
  std::string verifier_key_;
  std::unique_ptr<Sequencer> sequencer_;
  std::unique_ptr<LogReader> log_reader_;
  std::unique_ptr<CheckpointPublisher> publisher_;
  VerifyOptions verify_options_;
  AuditOptionsCli audit_options_;
};

}  // namespace tongban::ledger
