// Test fixture for the receipt part: a fresh database (SQLite file, or a PostgreSQL schema when
// TONGBAN_TEST_PG is set) with the ledger and receipt migrations, a gm (SM3 + SM2) ledger with its
// sequencer, a ReceiptService with a fresh SM2 finance key and issuer keys in custody (sealed
// under kSealKey), and one registered issuer (with its own key) — the synthetic
// 杭州市示范第一医院 — with an outpatient range of this year. Synthetic people only (valid check
// digits, never real numbers). Test-only; not thread-safe apart from what the service is.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "crypto/hmac.h"
#include "crypto/key.h"
#include "ledger/log_reader.h"
#include "ledger/log_storage.h"
#include "ledger/note_keys.h"
#include "ledger/sequencer.h"
#include "notify/outbox.h"
#include "receipt/custody_issuer_keys.h"
#include "receipt/receipt_service.h"
#include "store/migration.h"
#include "testing/databases.h"
#include "testing/synthetic_ids.h"

namespace tongban::receipt::testing {

using tongban::testing::Backend;

using tongban::testing::SyntheticId;
using tongban::testing::SyntheticUscc;

// 张伟 and 李娜, synthetic (tests/testing/synthetic_ids.h).
inline const std::string& kZhangWeiId = tongban::testing::kZhangWei;
inline const std::string& kLiNaId = tongban::testing::kLiNa;

inline NewReceipt SampleReceipt(std::string id = kZhangWeiId, std::string name = "张伟") {
  NewReceipt r;
  r.payer_id_number = std::move(id);
  r.payer_name = std::move(name);
  r.items = {{"西药费", "阿莫西林胶囊 0.25g×24粒", 2, 1850, 3700},
             {"检查费", "血常规", 1, 2500, 2500},
             {"诊疗费", "普通门诊诊查费", 1, 1000, 1000}};
  r.total_fen = 7200;
  r.insurance_fen = 4320;
  r.self_fen = 2880;
  r.channel = "medical_insurance";
  return r;
}

class ReceiptFixture {
 public:
  // Set before Open: payers are told (ReceiptServiceOptions::notify_payers, with notify's schema).
  bool notify_payers = false;

  // Returns false (and the test should GTEST_SKIP) when the backend is not configured.
  bool Open(Backend backend, std::vector<store::Migration> extra = {}) {
    store::DatabaseOptions options;
    // Fault injection for tests that set `fault_` (store::DatabaseOptions::fault_hook).
    options.fault_hook = [this](std::string_view point) -> Status {
      std::lock_guard lock(fault_mu_);
      return fault_ ? fault_(point) : Status::Ok();
    };
    db_ = tongban::testing::OpenTestDatabase(backend, options);
    if (!db_) return false;
    std::vector<store::Migration> m = ledger::LogStorageMigrations();
    for (auto& x : ReceiptService::Migrations()) m.push_back(std::move(x));
    for (auto& x : extra) m.push_back(std::move(x));
    if (notify_payers) {
      for (auto& x : notify::Migrations()) m.push_back(std::move(x));
    }
    EXPECT_TRUE(store::Migrate(**db_, m).ok());
    auto log_key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
    auto signer = ledger::NewNoteSigner("test.tongban.example/receipts", *log_key);
    EXPECT_TRUE(signer.ok());
    signer_ = std::move(signer).value();
    verifier_key_ = ledger::NoteVerifierKeyString("test.tongban.example/receipts",
                                                  log_key->public_key()).value();
    ledger::SequencerOptions so;
    so.origin = "test.tongban.example/receipts";
    so.hash = crypto::HashAlgorithm::kSm3;
    so.signers = {signer_.get()};
    so.max_delay = std::chrono::milliseconds(2);
    so.clock = &clock_;
    auto seq = ledger::Sequencer::Create(**db_, std::move(so));
    EXPECT_TRUE(seq.ok()) << seq.status().ToString();
    sequencer_ = std::move(seq).value();
    reader_ = std::make_unique<ledger::LogReader>(**db_, crypto::HashAlgorithm::kSm3);
    ReceiptServiceOptions o;
    o.hash = crypto::HashAlgorithm::kSm3;
    issuer_keys_ = std::make_shared<CustodyIssuerKeys>(**db_, crypto::SignatureAlgorithm::kSm2,
                                                       kSealKey, clock_);
    o.issuer_keys = issuer_keys_;
    o.finance_key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2).value();
    o.subject_hash = [](std::string_view id) {
      thread_local crypto::Hmac hmac(crypto::HashAlgorithm::kSm3, std::string(32, 's'));
      return hmac.Mac(id);
    };
    o.clock = &clock_;
    o.notify_payers = notify_payers;
    service_ = std::make_unique<ReceiptService>(**db_, std::move(o));
    auto issuer = service_->RegisterIssuer(kHospitalAccount, SyntheticUscc("12", "330100", "H0000001"),
                                           "杭州市示范第一医院", "330100");
    EXPECT_TRUE(issuer.ok()) << issuer.status().ToString();
    issuer_ = *issuer;
    auto range = service_->AssignRange(issuer_.id, Code(), 1, 100000);
    EXPECT_TRUE(range.ok()) << range.status().ToString();
    return true;
  }

  // This year's outpatient code of Zhejiang (33).
  std::string Code() const {
    return ReceiptCode::Make(33, ReceiptKind::kOutpatient, ChinaDate(clock_.Now()).year)->str();
  }

  // Integrates everything queued.
  void Integrate() {
    while (true) {
      auto b = sequencer_->IntegrateOnce();
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      if (b->count == 0) break;
    }
  }

  static constexpr int64_t kHospitalAccount = 101;
  static constexpr int64_t kOtherHospitalAccount = 102;
  static constexpr int64_t kInsurerAccount = 201;
  static constexpr int64_t kEmployerAccount = 202;

  // Called at every fault-hook point while set (under fault_mu_); see SetFault.
  void SetFault(std::function<Status(std::string_view)> f) {
    std::lock_guard lock(fault_mu_);
    fault_ = std::move(f);
  }
  std::mutex fault_mu_;
  std::function<Status(std::string_view)> fault_;

  FakeClock clock_{int64_t{1'795'000'000} * 1'000'000};  // 2026-11-18
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<ledger::NoteSigner> signer_;
  std::string verifier_key_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  std::unique_ptr<ledger::LogReader> reader_;
  // The key sealing the issuers' private keys in the database (test value).
  inline static const std::string kSealKey = std::string(32, '\x5a');
  std::shared_ptr<CustodyIssuerKeys> issuer_keys_;
  std::unique_ptr<ReceiptService> service_;
  Issuer issuer_;
};

}  // namespace tongban::receipt::testing
