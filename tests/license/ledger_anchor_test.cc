// A licence's ledger anchor on SQLite and PostgreSQL: the latest lifecycle entry's inclusion
// proof checks offline against the signed checkpoint with the log key (ledger/offline_verify.h,
// as `tongban verify` does) together with the event document; after a revoke the anchor is the
// revoke entry; a superseded licence is anchored by its renewal; a licence row or event document
// altered behind the system's back is reported (tampered), never proven.
#include "license/ledger_anchor.h"

#include <gtest/gtest.h>

#include "core/citizen_id.h"
#include "crypto/hmac.h"
#include "ledger/log_reader.h"
#include "ledger/log_storage.h"
#include "ledger/note_keys.h"
#include "ledger/note_signer.h"
#include "ledger/offline_verify.h"
#include "ledger/sequencer.h"
#include "license/license_service.h"
#include "store/migration.h"
#include "testing/databases.h"

namespace tongban::license {
namespace {

using boost::json::object;
using tongban::testing::Backend;

std::string SyntheticId(std::string first17) { return first17 + CitizenId::ComputeCheckChar(first17); }

const std::string kZhangWei = SyntheticId("33010619850312213");
constexpr char kOrigin[] = "test.tongban.example/log";

class LedgerAnchorTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = ledger::LogStorageMigrations();
    for (auto& x : LicenseService::Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    auto log_key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
    signer_ = std::move(ledger::NewNoteSigner(kOrigin, *log_key)).value();
    verifier_key_ = ledger::NoteVerifierKeyString(kOrigin, log_key->public_key()).value();
    ledger::SequencerOptions so;
    so.origin = kOrigin;
    so.hash = crypto::HashAlgorithm::kSm3;
    so.signers = {signer_.get()};
    so.clock = &clock_;
    sequencer_ = std::move(ledger::Sequencer::Create(**db_, std::move(so))).value();
    reader_ = std::make_unique<ledger::LogReader>(**db_, crypto::HashAlgorithm::kSm3);

    LicenseServiceOptions o;
    o.issuer_url = "https://zj.tongban.example/licenses";
    o.issuer_key = *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
    o.ledger_hash = crypto::HashAlgorithm::kSm3;
    o.subject_hash = [](std::string_view s) {
      return crypto::HmacDigest(crypto::HashAlgorithm::kSm3, std::string(32, 's'), s);
    };
    service_ = std::move(LicenseService::Create(**db_, clock_, std::move(o))).value();
  }

  License Issue() {
    IssueRequest r;
    r.type = "driving_licence";
    r.holder_subject = kZhangWei;
    r.fields = object{{"name", "张伟"}, {"id_number", kZhangWei}, {"licence_class", "C1"},
                      {"first_issue_date", "2010-05-04"}, {"address", "浙江省杭州市西湖区文三路 1 号"}};
    auto l = service_->Issue(r, "zj-traffic");
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? *l : License{};
  }

  void Integrate() {
    while (true) {
      auto b = sequencer_->IntegrateOnce();
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      if (b->count == 0) break;
    }
  }

  VerifyResult PresentAndVerify(const License& l) {
    auto p = service_->Present(PresentRequest{l.holder_subject, l.id, {"name"}, "杭州市西湖区行政服务中心", "办理落户"});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) return {};
    auto r = service_->Verify(VerifyRequest{p->token, "", "核验", "王芳 (杭州市西湖区行政服务中心)", 7});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyResult{};
  }

  void Exec(const std::string& sql, std::string_view id) {
    ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) { return tx.Exec(sql, {id}).status(); }).ok());
  }

  // Proves `anchor` as a verifier would: entry + proof + checkpoint + document, offline.
  Result<ledger::OfflineVerified> ProveOffline(const LedgerAnchor& anchor) {
    TB_ASSIGN_OR_RETURN(auto leaf, service_->AnchorLeaf(anchor));
    if (!leaf) return Status::NotFound("leaf", anchor.license_id);
    TB_ASSIGN_OR_RETURN(auto proof, reader_->InclusionProof(*leaf));
    TB_ASSIGN_OR_RETURN(auto entry, reader_->EntryAt(*leaf));
    TB_ASSIGN_OR_RETURN(auto cp, reader_->Checkpoint(proof.tree_size));
    std::vector<std::string> hashes;
    for (const auto& h : proof.proof) hashes.emplace_back(h.begin(), h.end());
    TB_ASSIGN_OR_RETURN(auto verifier, ledger::ParseNoteVerifier(verifier_key_));
    return ledger::VerifyOffline(crypto::HashAlgorithm::kSm3, kOrigin, verifier,
                                 ledger::OfflineProof{.entry = entry.entry,
                                                      .proof = hashes,
                                                      .checkpoint_note = cp.note,
                                                      .document = anchor.document});
  }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<ledger::NoteSigner> signer_;
  std::string verifier_key_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  std::unique_ptr<ledger::LogReader> reader_;
  std::unique_ptr<LicenseService> service_;
};

TEST_P(LedgerAnchorTest, AnIssuedLicenceIsProvenByItsIssueEntry) {
  License l = Issue();
  auto anchor = service_->Anchor(l.id);
  ASSERT_TRUE(anchor.ok()) << anchor.status().ToString();
  EXPECT_EQ(anchor->problem, "");
  EXPECT_EQ(anchor->action, "issue");
  // Queued, not yet integrated: no leaf.
  EXPECT_FALSE(service_->AnchorLeaf(*anchor)->has_value());
  Integrate();
  auto proven = ProveOffline(*anchor);
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  EXPECT_EQ(proven->entry.type, "license.issue");
  // The document names the licence and its status: what the verifier was shown.
  auto doc = boost::json::parse(anchor->document).as_object();
  EXPECT_EQ(doc.at("license_id").as_string(), l.id);
  EXPECT_EQ(doc.at("status").as_string(), "valid");
  // A verification is not a lifecycle step: the anchor stays the issue entry.
  EXPECT_EQ(PresentAndVerify(l).status, "valid");
  auto again = service_->Anchor(l.id);
  EXPECT_EQ(again->event_id, anchor->event_id);
  // The leaf found is remembered, re-checked byte for byte, and proves the same.
  ASSERT_TRUE(again->known_leaf.has_value());
  EXPECT_EQ(*service_->AnchorLeaf(*again), again->known_leaf);
  EXPECT_TRUE(ProveOffline(*again).ok());
}

TEST_P(LedgerAnchorTest, AfterARevokeTheAnchorIsTheRevokeEntry) {
  License l = Issue();
  Integrate();
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kSuspend, "核查中", "zj-traffic").ok());
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kRevoke, "违规记分满 12 分", "zj-traffic").ok());
  Integrate();
  auto anchor = service_->Anchor(l.id);
  ASSERT_TRUE(anchor.ok());
  EXPECT_EQ(anchor->problem, "");
  EXPECT_EQ(anchor->action, "revoke");
  auto proven = ProveOffline(*anchor);
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  EXPECT_EQ(proven->entry.type, "license.revoke");
  EXPECT_EQ(boost::json::parse(anchor->document).at("status").as_string(), "revoked");
  EXPECT_GE(proven->entry.index.value, anchor->hint);
}

TEST_P(LedgerAnchorTest, ASupersededLicenceIsAnchoredByItsRenewal) {
  License l = Issue();
  auto renewed = service_->Renew(l.id, std::nullopt, "zj-traffic");
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  Integrate();
  auto anchor = service_->Anchor(l.id);
  ASSERT_TRUE(anchor.ok());
  EXPECT_EQ(anchor->problem, "");
  EXPECT_EQ(anchor->action, "renew");
  EXPECT_EQ(anchor->license_id, renewed->id);
  EXPECT_EQ(boost::json::parse(anchor->document).at("previous").as_string(), l.id);
  EXPECT_TRUE(ProveOffline(*anchor).ok());
}

TEST_P(LedgerAnchorTest, AStatusAlteredBehindTheSystemsBackIsTampered) {
  License l = Issue();
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kRevoke, "吊销", "zj-traffic").ok());
  Integrate();
  Exec("UPDATE license SET status = 'valid', status_reason = '' WHERE id = ?", l.id);
  auto anchor = service_->Anchor(l.id);
  ASSERT_TRUE(anchor.ok());
  EXPECT_NE(anchor->problem.find("revoked"), std::string::npos) << anchor->problem;
  VerifyResult r = PresentAndVerify(l);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.status, "tampered");
  EXPECT_TRUE(r.disclosed.empty());
}

TEST_P(LedgerAnchorTest, FieldsAlteredBehindTheSystemsBackAreTampered) {
  License l = Issue();
  Integrate();
  Exec("UPDATE license SET fields_json = replace(fields_json, 'C1', 'A1') WHERE id = ?", l.id);
  VerifyResult r = PresentAndVerify(l);
  EXPECT_EQ(r.status, "tampered");
  EXPECT_NE(r.reason.find("fields"), std::string::npos) << r.reason;
}

TEST_P(LedgerAnchorTest, AnExpiryExtendedBehindTheSystemsBackIsTampered) {
  License l = Issue();
  Integrate();
  Exec("UPDATE license SET expires_at = expires_at + 31536000 WHERE id = ?", l.id);
  VerifyResult r = PresentAndVerify(l);
  EXPECT_EQ(r.status, "tampered");
  EXPECT_NE(r.reason.find("expiry"), std::string::npos) << r.reason;
}

TEST_P(LedgerAnchorTest, AnEventDocumentAlteredBehindTheSystemsBackMatchesNoLeaf) {
  License l = Issue();
  ASSERT_TRUE(service_->ChangeStatus(l.id, LicenseService::Action::kSuspend, "核查中", "zj-traffic").ok());
  Integrate();
  for (bool known : {false, true}) {
    SCOPED_TRACE(known ? "leaf remembered" : "leaf scanned for");
    if (known) {
      Exec("UPDATE license_event SET document = replace(document, '其他', '核查中') WHERE license_id = ?", l.id);
      ASSERT_TRUE(service_->AnchorLeaf(*service_->Anchor(l.id))->has_value());
      ASSERT_TRUE(service_->Anchor(l.id)->known_leaf.has_value());
    }
    // The row still matches the (altered) document, but the ledger holds the original's hash.
    Exec("UPDATE license_event SET document = replace(document, '核查中', '其他') WHERE license_id = ?", l.id);
    auto anchor = service_->Anchor(l.id);
    ASSERT_TRUE(anchor.ok());
    EXPECT_EQ(anchor->problem, "");
    auto leaf = service_->AnchorLeaf(*anchor);
    ASSERT_TRUE(leaf.ok());
    EXPECT_FALSE(leaf->has_value());
  }
}

TEST_P(LedgerAnchorTest, TheHolderAlteredBehindTheSystemsBackMatchesNoLeaf) {
  License l = Issue();
  Integrate();
  Exec("UPDATE license SET holder_subject = '" + SyntheticId("33042119920704128") + "' WHERE id = ?", l.id);
  auto anchor = service_->Anchor(l.id);
  ASSERT_TRUE(anchor.ok());
  EXPECT_FALSE(service_->AnchorLeaf(*anchor)->has_value());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, LedgerAnchorTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, LedgerAnchorTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::license
