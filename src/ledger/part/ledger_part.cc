// LedgerPart; see ledger_part.h.
#include "ledger/part/ledger_part.h"

#include <algorithm>
#include <chrono>

#include "api/http_post.h"
#include "api/metrics.h"
#include "crypto/hash.h"
#include "ledger/cosignature.h"
#include "ledger/log_storage.h"
#include "ledger/note_keys.h"
#include "ledger/part/ledger_handlers.h"
#include "part/config_section.h"
#include "part/part_set.h"
#include "part/demo_data.h"
#include "part/key_files.h"
#include "part/progress.h"

namespace tongban::ledger {
namespace fs = std::filesystem;

std::string LedgerPart::DefaultConfig(const part::InitChoices& choices) const {
  return R"([ledger]
suite = ")" + choices.suite + R"("                 # gm = SM3 + SM2 (default), intl = SHA-256 + Ed25519
origin = ")" + choices.origin + R"("   # the log's name: first line of every checkpoint
key_file = "keys/ledger.key"             # the log's private signing key (PEM, PKCS#8)
subject_secret_file = "keys/subject-hmac.key"  # secret for keyed hashes of subject IDs
batch_max_entries = 1024     # the sequencer signs one checkpoint per batch of up to this many
batch_max_delay_ms = 50      # ... or after this long, whichever comes first
witness_quorum = 0           # checkpoints need this many witness cosignatures to be published
# Witnesses (C2SP tlog-witness), one table each:
# [[ledger.witnesses]]
# url = "http://127.0.0.1:9001"                 # the witness's submission prefix
# key = "witness.example+0a1b2c3d+BASE64KEY"    # its cosignature verifier key
)";
}

Status LedgerPart::Configure(part::ConfigSection& s) {
  TB_RETURN_IF_ERROR(s.Read("suite", config_.suite));
  if (config_.suite != "gm" && config_.suite != "intl") {
    return Status::InvalidField(s.Field("suite"),
                                "must be \"gm\" (SM3+SM2) or \"intl\" (SHA-256+Ed25519)");
  }
  TB_RETURN_IF_ERROR(s.Read("origin", config_.origin));
  if (config_.origin.empty() || config_.origin.find_first_of(" \n\t") != std::string::npos) {
    return Status::InvalidField(s.Field("origin"), "must be a non-empty line without spaces");
  }
  TB_RETURN_IF_ERROR(s.Read("key_file", config_.key_file));
  TB_RETURN_IF_ERROR(s.Read("subject_secret_file", config_.subject_secret_file));
  TB_RETURN_IF_ERROR(s.Read("batch_max_entries", config_.batch_max_entries, 1, 100000));
  TB_RETURN_IF_ERROR(s.Read("batch_max_delay_ms", config_.batch_max_delay_ms, 1, 1000));
  TB_ASSIGN_OR_RETURN(std::vector<part::ConfigSection> witnesses, s.ReadTables("witnesses"));
  for (part::ConfigSection& w : witnesses) {
    LedgerConfig::Witness witness;
    TB_RETURN_IF_ERROR(w.Read("url", witness.url));
    TB_RETURN_IF_ERROR(w.Read("key", witness.key));
    TB_RETURN_IF_ERROR(w.Finish());
    if (!witness.url.starts_with("http://")) {
      return Status::InvalidField(w.Field("url"), "must be an http:// URL");
    }
    if (witness.key.empty()) return Status::InvalidField(w.Field("key"), "is required");
    config_.witnesses.push_back(std::move(witness));
  }
  int64_t quorum = config_.witness_quorum;
  if (Status q = s.Read("witness_quorum", quorum, 0, static_cast<int64_t>(config_.witnesses.size()));
      !q.ok()) {
    return Status::InvalidField(s.Field("witness_quorum"),
                                "must be between 0 and the number of witnesses");
  }
  config_.witness_quorum = quorum;
  return Status::Ok();
}

Status LedgerPart::Initialise(const part::InitChoices& choices, const fs::path& base_dir) {
  auto resolve = [&](const std::string& p) { return fs::path(p).is_absolute() ? fs::path(p) : base_dir / p; };
  TB_ASSIGN_OR_RETURN(crypto::Suite suite, crypto::ParseSuite(choices.suite));
  TB_RETURN_IF_ERROR(part::ReadOrCreateKey(resolve(config_.key_file), suite.signature).status());
  return part::WriteSecretFileIfMissing(resolve(config_.subject_secret_file), 32);
}

std::vector<store::Migration> LedgerPart::Migrations() const { return LogStorageMigrations(); }

Status LedgerPart::Open(const part::PartContext& context) {
  clock_ = &context.clock;
  db_ = &context.db;
  TB_ASSIGN_OR_RETURN(suite_, crypto::ParseSuite(config_.suite));
  TB_ASSIGN_OR_RETURN(subject_secret_,
                      part::ReadSecretFile(context.Resolve(config_.subject_secret_file), 32));
  subject_hmac_.emplace(suite_.hash, subject_secret_);
  TB_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                      crypto::PrivateKey::ReadPemFile(suite_.signature,
                                                      context.Resolve(config_.key_file).string()));
  TB_ASSIGN_OR_RETURN(verifier_key_, NoteVerifierKeyString(config_.origin, key.public_key()));
  TB_ASSIGN_OR_RETURN(signer_, NewNoteSigner(config_.origin, std::move(key)));
  SequencerOptions seq;
  seq.origin = config_.origin;
  seq.hash = suite_.hash;
  seq.signers = {signer_.get()};
  seq.max_batch = static_cast<size_t>(config_.batch_max_entries);
  seq.max_delay = std::chrono::milliseconds(config_.batch_max_delay_ms);
  seq.clock = &context.clock;
  TB_ASSIGN_OR_RETURN(sequencer_, Sequencer::Create(context.db, std::move(seq)));
  log_reader_ = std::make_unique<LogReader>(context.db, suite_.hash);

  std::vector<std::unique_ptr<WitnessClient>> witnesses;
  for (size_t i = 0; i < config_.witnesses.size(); ++i) {
    const auto& w = config_.witnesses[i];
    auto key = ParseCosignatureVerifier(w.key);
    if (!key.ok()) {
      return Status::InvalidField("ledger.witnesses[" + std::to_string(i) + "].key",
                                  key.status().message());
    }
    witnesses.push_back(std::make_unique<WitnessClient>(
        WitnessEndpoint{w.url, *key},
        [](const std::string& url, const std::string& body) -> Result<HttpReply> {
          TB_ASSIGN_OR_RETURN(api::HttpPostReply r, api::HttpPost(url, body));
          return HttpReply{r.status, std::move(r.content_type), std::move(r.body)};
        }));
  }
  publisher_ = std::make_unique<CheckpointPublisher>(
      *log_reader_, std::move(witnesses), static_cast<size_t>(config_.witness_quorum),
      // Witness rounds are network calls: at most 5 a second. Without witnesses, follow the batches.
      std::chrono::milliseconds(config_.witnesses.empty()
                                    ? std::max<int64_t>(10, config_.batch_max_delay_ms)
                                    : std::max<int64_t>(200, config_.batch_max_delay_ms)));
  return Status::Ok();
}

std::array<uint8_t, 32> LedgerPart::SubjectHash(std::string_view subject_id) const {
  return subject_hmac_->Mac(subject_id);
}

std::string LedgerPart::DeriveKey(std::string_view label) const {
  crypto::Hmac kdf(crypto::HashAlgorithm::kSha256, subject_secret_);
  const crypto::Digest d = kdf.Mac(label);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

void LedgerPart::AddRoutes(api::Router& router) {
  api::AddLedgerRoutes(router, *log_reader_,
                       api::LedgerRoutesOptions{
                           .verifier_key = verifier_key_,
                           .latest_note = [this] { return publisher_->LatestNote(); }});
}

void LedgerPart::AddMetrics(api::Metrics& metrics) {
  metrics.AddGauge("tongban_ledger_size", "Leaves integrated into the ledger.",
                   [this] { return static_cast<double>(sequencer_->size()); });
  // The queue's depth and age: one query per scrape for both gauges.
  auto queue = std::make_shared<api::CachedReading<QueueStats>>(
      std::chrono::milliseconds(100), [this]() -> std::optional<QueueStats> {
        auto q = log_reader_->Queue();
        if (!q.ok()) return std::nullopt;
        return *q;
      });
  metrics.AddGauge("tongban_ledger_queue_depth", "Ledger entries queued, not yet integrated.",
                   [queue] {
                     auto q = queue->Get();
                     return q ? static_cast<double>(q->depth) : -1.0;
                   });
  metrics.AddGauge("tongban_ledger_lag_seconds", "Age of the oldest queued ledger entry.",
                   [this, queue] {
                     auto q = queue->Get();
                     if (!q || !q->oldest_time_micros) return 0.0;
                     return static_cast<double>(clock_->NowUnixMicros() - *q->oldest_time_micros) /
                            1e6;
                   });
  metrics.AddGauge("tongban_ledger_published_size", "Size of the published (cosigned) checkpoint.",
                   [this] { return static_cast<double>(publisher_->stats().published_size); });
  metrics.AddGauge("tongban_ledger_witness_quorum_failures_total",
                   "Witness rounds with fewer cosignatures than the quorum.",
                   [this] { return static_cast<double>(publisher_->stats().quorum_failures); });
  metrics.AddGauge("tongban_ledger_batch_failures_total", "Sequencer batches rolled back.",
                   [this] { return static_cast<double>(sequencer_->stats().failures); });
}

std::vector<std::pair<std::string, api::ReadinessProbe>> LedgerPart::ReadinessProbes() {
  return {{"sequencer", [this] {
             auto queue = log_reader_->Queue();
             if (!queue.ok()) return queue.status();
             if (queue->oldest_time_micros &&
                 clock_->NowUnixMicros() - *queue->oldest_time_micros > 30'000'000) {
               return Status::Unavailable("ledger sequencer is more than 30 s behind");
             }
             return Status::Ok();
           }}};
}

Status LedgerPart::FinishDemo(part::DemoData& demo) {
  std::vector<Entry> entries;
  // Each demo account's creation: keyed hash of the subject, hash of the record.
  for (const part::DemoData::Account& a : demo.accounts()) {
    Entry e;
    e.type = "identity.account";
    e.subject = SubjectHash(a.account.subject_id.empty() ? a.account.login : a.account.subject_id);
    e.document = crypto::Hash(suite_.hash, a.account.login + "\n" + a.account.display_name);
    e.time_micros = clock_->NowUnixMicros();
    entries.push_back(std::move(e));
  }
  // Sample entries so the ledger has full tiles to browse and prove against.
  constexpr int kSamples = 3000;
  for (int i = 0; i < kSamples; ++i) {
    Entry e;
    e.type = "demo.sample";
    e.subject = SubjectHash("demo-subject-" + std::to_string(i % 97));
    e.document = crypto::Hash(suite_.hash, "demo document " + std::to_string(i));
    e.time_micros = clock_->NowUnixMicros();
    entries.push_back(std::move(e));
  }
  TB_RETURN_IF_ERROR(db_->Transact(
      [&](store::Tx& tx) { return EnqueueEntries(tx, entries); }));
  TB_ASSIGN_OR_RETURN(QueueStats queued, log_reader_->Queue());
  part::ProgressBar progress("integrating demo ledger entries", static_cast<int64_t>(queued.depth));
  while (true) {
    TB_ASSIGN_OR_RETURN(BatchResult batch, sequencer_->IntegrateOnce());
    if (batch.count == 0) break;
    progress.Advance(static_cast<int64_t>(batch.count));
  }
  progress.Finish();
  return Status::Ok();
}

void LedgerPart::AddCommands(part::Commands& commands) {
  AddLedgerCommands(commands, verify_options_, audit_options_);
}

Status LedgerPart::Start() {
  TB_RETURN_IF_ERROR(sequencer_->Start());
  publisher_->Start();
  return Status::Ok();
}

Status LedgerPart::Stop() {
  if (publisher_) publisher_->Stop();
  return sequencer_ ? sequencer_->Stop() : Status::Ok();
}

}  // namespace tongban::ledger
