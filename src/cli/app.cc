// Wiring of the parts from the config; see app.h.
#include "cli/app.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "crypto/hash.h"
#include "crypto/hmac.h"
#include "api/http_post.h"
#include "crypto/key.h"
#include "crypto/random.h"
#include "ledger/cosignature.h"
#include "ledger/log_storage.h"
#include "ledger/note_keys.h"
#include "receipt/custody_issuer_keys.h"
#include "store/migration.h"

namespace tongban::cli {
namespace fs = std::filesystem;

Result<std::string> ReadSecretFile(const fs::path& path, size_t min_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("secret file", path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  auto bytes = crypto::FromHex(text, path.string());
  if (!bytes.ok()) {
    return Status::InvalidArgument(path.string() + ": not a hex-encoded secret");
  }
  if (bytes->size() < min_bytes) {
    return Status::InvalidArgument(path.string() + ": secret shorter than " +
                                   std::to_string(min_bytes) + " bytes");
  }
  return bytes;
}

Status WriteSecretFileIfMissing(const fs::path& path, size_t bytes) {
  if (fs::exists(path)) return Status::Ok();
  std::string raw = crypto::RandomBytes(bytes);
  std::string hex = crypto::ToHex(std::span(reinterpret_cast<const uint8_t*>(raw.data()), bytes));
  // Create with 0600 from the start: the secret is never world-readable, not even briefly.
  mode_t old = ::umask(077);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << hex << "\n";
  out.close();
  ::umask(old);
  if (!out) return Status::Unavailable("cannot write " + path.string());
  return Status::Ok();
}

std::vector<store::Migration> App::Migrations() {
  std::vector<store::Migration> migrations = identity::IdentityService::Migrations();
  for (auto& m : ledger::LogStorageMigrations()) migrations.push_back(std::move(m));
  for (auto& m : api::IdempotencyStore::Migrations()) migrations.push_back(std::move(m));
  for (auto& m : receipt::ReceiptService::Migrations()) migrations.push_back(std::move(m));
  for (auto& m : license::LicenseService::Migrations()) migrations.push_back(std::move(m));
  return migrations;
}

Result<std::unique_ptr<App>> App::Open(const Config& config) {
  std::unique_ptr<App> app(new App());
  app->config_ = config;
  std::string url = config.database.url;
  if (url.starts_with("sqlite://") && !url.starts_with("sqlite:///")) {
    // Relative SQLite paths are relative to the config file, like every other path.
    url = "sqlite://" + config.Resolve(url.substr(9)).string();
  }
  store::DatabaseOptions db_options;
  db_options.pool_size = config.database.pool_size;
  auto db = store::Database::Open(url, db_options);
  if (!db.ok()) return db.status();
  app->db_ = std::move(db).value();

  TB_RETURN_IF_ERROR(store::Migrate(*app->db_, Migrations()));

  // Ledger: suite, signing key, subject secret, sequencer, reader.
  TB_ASSIGN_OR_RETURN(app->suite_, crypto::ParseSuite(config.ledger.suite));
  TB_ASSIGN_OR_RETURN(std::string subject_secret,
                      ReadSecretFile(config.Resolve(config.ledger.subject_secret_file), 32));
  // The key sealing receipt issuers' private keys at rest (receipt/custody_issuer_keys.h): derived
  // from the subject secret with a fixed label, so no new secret file has to be kept and backed up.
  std::string issuer_seal_key;
  {
    crypto::Hmac kdf(crypto::HashAlgorithm::kSha256, subject_secret);
    const crypto::Digest d = kdf.Mac("tongban/receipt-issuer-key-seal/v1");
    issuer_seal_key.assign(reinterpret_cast<const char*>(d.data()), d.size());
  }
  app->subject_hmac_.emplace(app->suite_.hash, std::move(subject_secret));
  TB_ASSIGN_OR_RETURN(crypto::PrivateKey ledger_key,
                      crypto::PrivateKey::ReadPemFile(app->suite_.signature,
                                                      config.Resolve(config.ledger.key_file).string()));
  TB_ASSIGN_OR_RETURN(app->ledger_verifier_key_,
                      ledger::NoteVerifierKeyString(config.ledger.origin, ledger_key.public_key()));
  TB_ASSIGN_OR_RETURN(app->ledger_signer_,
                      ledger::NewNoteSigner(config.ledger.origin, std::move(ledger_key)));
  ledger::SequencerOptions seq;
  seq.origin = config.ledger.origin;
  seq.hash = app->suite_.hash;
  seq.signers = {app->ledger_signer_.get()};
  seq.max_batch = static_cast<size_t>(config.ledger.batch_max_entries);
  seq.max_delay = std::chrono::milliseconds(config.ledger.batch_max_delay_ms);
  seq.clock = &app->clock_;
  TB_ASSIGN_OR_RETURN(app->sequencer_, ledger::Sequencer::Create(*app->db_, std::move(seq)));
  app->log_reader_ = std::make_unique<ledger::LogReader>(*app->db_, app->suite_.hash);
  app->idempotency_ = std::make_unique<api::IdempotencyStore>(*app->db_, app->clock_);

  std::vector<std::unique_ptr<ledger::WitnessClient>> witnesses;
  for (size_t i = 0; i < config.ledger.witnesses.size(); ++i) {
    const auto& w = config.ledger.witnesses[i];
    auto key = ledger::ParseCosignatureVerifier(w.key);
    if (!key.ok()) {
      return Status::InvalidField("ledger.witnesses[" + std::to_string(i) + "].key",
                                  key.status().message());
    }
    witnesses.push_back(std::make_unique<ledger::WitnessClient>(
        ledger::WitnessEndpoint{w.url, *key},
        [](const std::string& url, const std::string& body) { return api::HttpPost(url, body); }));
  }
  app->publisher_ = std::make_unique<ledger::CheckpointPublisher>(
      *app->log_reader_, std::move(witnesses), static_cast<size_t>(config.ledger.witness_quorum),
      // Witness rounds are network calls: at most 5 a second. Without witnesses, follow the batches.
      std::chrono::milliseconds(config.ledger.witnesses.empty()
                                    ? std::max<int64_t>(10, config.ledger.batch_max_delay_ms)
                                    : std::max<int64_t>(200, config.ledger.batch_max_delay_ms)));

  // Receipts: the finance department's batch-signing key is created on first start (a deployment
  // initialised before the receipt part existed gets it too), then only read. Each issuer has its
  // own keys, in the platform's custody (sealed in the database); the old deployment-wide issuer
  // key file is only read when present, to keep the batches it signed verifiable.
  receipt::ReceiptServiceOptions receipt_options;
  receipt_options.hash = app->suite_.hash;
  {
    const fs::path path = config.Resolve(config.receipt.finance_key_file);
    if (!fs::exists(path)) {
      TB_ASSIGN_OR_RETURN(crypto::PrivateKey fresh, crypto::PrivateKey::Generate(app->suite_.signature));
      TB_RETURN_IF_ERROR(fresh.WritePemFile(path.string()));
    }
    TB_ASSIGN_OR_RETURN(receipt_options.finance_key,
                        crypto::PrivateKey::ReadPemFile(app->suite_.signature, path.string()));
  }
  std::optional<crypto::PublicKey> legacy_issuer_key;
  if (const fs::path path = config.Resolve(config.receipt.issuer_key_file); fs::exists(path)) {
    TB_ASSIGN_OR_RETURN(crypto::PrivateKey legacy,
                        crypto::PrivateKey::ReadPemFile(app->suite_.signature, path.string()));
    legacy_issuer_key = legacy.public_key();
  }
  auto issuer_keys = std::make_shared<receipt::CustodyIssuerKeys>(
      *app->db_, app->suite_.signature, std::move(issuer_seal_key), app->clock_);
  TB_RETURN_IF_ERROR(
      receipt::ProvisionIssuerKeys(*app->db_, *issuer_keys, legacy_issuer_key, app->clock_));
  receipt_options.issuer_keys = std::move(issuer_keys);
  receipt_options.subject_hash = [app = app.get()](std::string_view id) { return app->SubjectHash(id); };
  receipt_options.retention_years = static_cast<int>(config.receipt.retention_years);
  receipt_options.clock = &app->clock_;
  app->receipts_ = std::make_unique<receipt::ReceiptService>(*app->db_, std::move(receipt_options));

  TB_ASSIGN_OR_RETURN(std::string session_key,
                      ReadSecretFile(config.Resolve(config.auth.session_key_file), 32));
  identity::IdentityOptions identity_options;
  identity_options.access_ttl_seconds = config.auth.access_ttl_s;
  identity_options.refresh_ttl_seconds = config.auth.refresh_ttl_s;
  identity_options.login.free_failures = static_cast<int>(config.auth.login_free_failures);
  identity_options.login.max_backoff_seconds = config.auth.login_backoff_max_s;
  identity_options.login.password_threads =
      config.auth.password_threads > 0
          ? static_cast<int>(config.auth.password_threads)
          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  identity_options.login.password_queue = static_cast<int>(config.auth.password_queue);
  identity_options.api_key_cache_seconds = config.auth.api_key_cache_s;
  app->identity_ = std::make_unique<identity::IdentityService>(*app->db_, app->clock_,
                                                               session_key, identity_options);
  TB_RETURN_IF_ERROR(app->identity_->LoadRevocations());
  TB_ASSIGN_OR_RETURN(app->licenses_, OpenLicenses(*app));
  return app;
}

// The licence issuer: its key (made once, kept), its `iss` (https://<origin host>/api/v1/licenses,
// where the status list is served) and the trust list of other regions' issuers.
Result<std::unique_ptr<license::LicenseService>> App::OpenLicenses(App& app) {
  const Config& config = app.config_;
  crypto::SignatureAlgorithm alg = app.suite_.signature == crypto::SignatureAlgorithm::kSm2
                                       ? crypto::SignatureAlgorithm::kSm2
                                       : crypto::SignatureAlgorithm::kEs256;
  fs::path key_file = config.Resolve("keys/license-issuer.pem");
  if (!fs::exists(key_file)) {
    TB_ASSIGN_OR_RETURN(crypto::PrivateKey fresh, crypto::PrivateKey::Generate(alg));
    TB_RETURN_IF_ERROR(fresh.WritePemFile(key_file.string()));
  }
  license::LicenseServiceOptions options;
  TB_ASSIGN_OR_RETURN(options.issuer_key, crypto::PrivateKey::ReadPemFile(alg, key_file.string()));
  std::string host = config.ledger.origin.substr(0, config.ledger.origin.find('/'));
  options.issuer_url = "https://" + host + "/api/v1/licenses";
  options.ledger_hash = app.suite_.hash;
  options.subject_hash = [&app](std::string_view s) { return app.SubjectHash(s); };
  fs::path trust_file = config.Resolve("license-trust.json");
  if (fs::exists(trust_file)) {
    std::ifstream in(trust_file);
    std::stringstream text;
    text << in.rdbuf();
    auto trust = license::TrustList::Parse(text.str());
    if (!trust.ok()) return Status::InvalidArgument(trust_file.string() + ": " + trust.status().message());
    options.trust_list = std::move(trust).value();
  }
  return license::LicenseService::Create(*app.db_, app.clock_, std::move(options));
}

std::array<uint8_t, 32> App::SubjectHash(std::string_view subject_id) const {
  return subject_hmac_->Mac(subject_id);
}

Status App::Start() {
  // Expired idempotency keys are purged at every start (they are only kept 24 h).
  TB_RETURN_IF_ERROR(idempotency_->Purge().status());
  // Licences past their expiry are marked expired (with ledger entries) at every start; between
  // starts a verifier sees them as expired anyway (License::EffectiveStatus).
  TB_RETURN_IF_ERROR(licenses_->ExpireDue(100000).status());
  TB_RETURN_IF_ERROR(licenses_->PurgePresentations().status());
  TB_RETURN_IF_ERROR(sequencer_->Start());
  publisher_->Start();
  receipts_->StartWalletIndexer(std::chrono::milliseconds(200));
  return Status::Ok();
}

Status App::Stop() {
  receipts_->StopWalletIndexer();
  publisher_->Stop();
  return sequencer_->Stop();
}

}  // namespace tongban::cli
