// App: the running program's parts, wired from a Config — clock, database (migrated), identity,
// ledger, receipts. Built by `serve` and `demo`; owns everything it creates. Not copyable.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api/idempotency.h"
#include "cli/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "crypto/hmac.h"
#include "crypto/suite.h"
#include "identity/identity_service.h"
#include "ledger/log_reader.h"
#include "ledger/note_signer.h"
#include "ledger/publisher.h"
#include "ledger/sequencer.h"
#include "receipt/receipt_service.h"
#include "license/license_service.h"
#include "store/database.h"

namespace tongban::cli {

class App {
 public:
  // Every part's migrations, in the order they are applied (identity, ledger, idempotency,
  // receipt, license). tests/cli/parts_conformance_test.cc applies them on both drivers.
  static std::vector<store::Migration> Migrations();
  // Opens the database, applies migrations, loads keys. Errors name the file or option at fault.
  static Result<std::unique_ptr<App>> Open(const Config& config);

  const Config& config() const { return config_; }
  const Clock& clock() const { return clock_; }
  store::Database& db() { return *db_; }
  identity::IdentityService& identity() { return *identity_; }
  const crypto::Suite& suite() const { return suite_; }
  ledger::Sequencer& sequencer() { return *sequencer_; }
  ledger::LogReader& log_reader() { return *log_reader_; }
  ledger::CheckpointPublisher& publisher() { return *publisher_; }
  api::IdempotencyStore& idempotency() { return *idempotency_; }
  receipt::ReceiptService& receipts() { return *receipts_; }
  // E-licences: issuer key keys/license-issuer.pem (ES256 under intl, SM2 under gm; created at
  // first start), trust list license-trust.json beside the config when present (docs/license.md).
  license::LicenseService& licenses() { return *licenses_; }
  // `<origin>+<key id>+<base64 key>`: what clients verify checkpoints with.
  const std::string& ledger_verifier_key() const { return ledger_verifier_key_; }
  // Keyed hash (HMAC with the suite hash and the deployment's subject secret) of a subject ID
  // (citizen ID number, USCC): what ledger entries hold instead of the number.
  std::array<uint8_t, 32> SubjectHash(std::string_view subject_id) const;

  // Starts / stops background work (the ledger sequencer). Stop() flushes queued entries.
  Status Start();
  Status Stop();

 private:
  App() = default;
  static Result<std::unique_ptr<license::LicenseService>> OpenLicenses(App& app);
  Config config_;
  SystemClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<identity::IdentityService> identity_;
  crypto::Suite suite_ = crypto::kDefaultSuite;
  std::optional<crypto::ThreadLocalHmac> subject_hmac_;  // keyed with the subject secret
  std::unique_ptr<ledger::NoteSigner> ledger_signer_;
  std::string ledger_verifier_key_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  std::unique_ptr<ledger::LogReader> log_reader_;
  std::unique_ptr<ledger::CheckpointPublisher> publisher_;
  std::unique_ptr<api::IdempotencyStore> idempotency_;
  std::unique_ptr<receipt::ReceiptService> receipts_;
  std::unique_ptr<license::LicenseService> licenses_;
};

// Reads a hex-encoded secret file (at least `min_bytes` bytes once decoded).
Result<std::string> ReadSecretFile(const std::filesystem::path& path, size_t min_bytes);
// Writes `bytes` random bytes, hex-encoded, to `path` with mode 0600 unless it exists.
Status WriteSecretFileIfMissing(const std::filesystem::path& path, size_t bytes);

}  // namespace tongban::cli
