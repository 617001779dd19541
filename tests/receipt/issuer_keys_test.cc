// Per-issuer signing keys (receipt/issuer_keys.h, custody_issuer_keys.h) on SQLite and (with
// TONGBAN_TEST_PG) PostgreSQL: each hospital signs its batches with its own key and a batch
// verifies only with its issuer's key; rotation keeps old batches verifiable; private keys are
// sealed at rest; batches signed with the old deployment-wide key are adopted at start.
#include "receipt/issuer_keys.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "crypto/aead.h"
#include "crypto/hash.h"
#include "receipt/custody_issuer_keys.h"
#include "receipt_fixture.h"

namespace tongban::receipt {
namespace {

using testing::ReceiptFixture;
using testing::SampleReceipt;
using tongban::testing::Backend;

std::string AsChars(std::span<const uint8_t> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST(IssuerKeyId, IsHexOfTheFirstEightBytesOfSha256OfTheRawKey) {
  auto key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
  ASSERT_TRUE(key.ok());
  const crypto::Digest d = crypto::Hash(crypto::HashAlgorithm::kSha256, key->public_key().raw());
  const std::string id = IssuerKeyId(key->public_key());
  EXPECT_EQ(id, crypto::ToHex(std::span<const uint8_t>(d.data(), 8)));
  EXPECT_EQ(id.size(), 16u);
  for (char c : id) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
}

class IssuerKeysTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!f_.Open(GetParam())) GTEST_SKIP() << "PostgreSQL not configured (TONGBAN_TEST_PG)";
    // A second hospital, 杭州市示范第二医院, with a range of its own.
    auto other = svc().RegisterIssuer(ReceiptFixture::kOtherHospitalAccount,
                                      testing::SyntheticUscc("12", "330100", "H0000002"),
                                      "杭州市示范第二医院", "330100");
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    other_ = *other;
    ASSERT_TRUE(svc().AssignRange(other_.id, f_.Code(), 500001, 600000).ok());
  }
  ReceiptService& svc() { return *f_.service_; }
  store::Database& db() { return **f_.db_; }

  Receipt IssueOne(int64_t account, NewReceipt in = SampleReceipt()) {
    auto r = svc().Issue(account, std::span(&in, 1), false, f_.sequencer_->size());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->front() : Receipt{};
  }
  // Online verification, by `service` (a fresh one has no cache of verified manifests).
  Integrity Check(ReceiptService& service, const Receipt& r) {
    f_.Integrate();
    auto stored = service.Get(r.code, r.number);
    EXPECT_TRUE(stored.ok());
    if (!stored.ok()) return {};
    auto leaf = service.ResolveLeaf(*stored);
    EXPECT_TRUE(leaf.ok()) << leaf.status().ToString();
    auto in =
        service.CheckIntegrity(*stored, leaf.ok() ? std::optional<uint64_t>(*leaf) : std::nullopt);
    EXPECT_TRUE(in.ok()) << in.status().ToString();
    return in.ok() ? *in : Integrity{};
  }
  // Another service over the same database and keys, as another process would be.
  std::unique_ptr<ReceiptService> FreshService() {
    ReceiptServiceOptions o = svc().options();
    return std::make_unique<ReceiptService>(db(), std::move(o));
  }
  // The private key of (issuer, key id), opened from its sealed row with the test seal key.
  std::optional<crypto::PrivateKey> OpenStoredKey(int64_t issuer, const std::string& key_id) {
    std::optional<crypto::PrivateKey> out;
    EXPECT_TRUE(
        db().Read([&](store::Tx& tx) -> Status {
              TB_ASSIGN_OR_RETURN(
                  auto row,
                  tx.QueryRow("SELECT private_sealed FROM receipt_issuer_key WHERE issuer_id = ? "
                              "AND key_id = ?",
                              {issuer, key_id}));
              if (!row) return Status::NotFound("key");
              TB_ASSIGN_OR_RETURN(std::string raw,
                                  crypto::AeadOpen(ReceiptFixture::kSealKey,
                                                   CustodyIssuerKeys::SealContext(issuer, key_id),
                                                   AsChars(row->Blob(0))));
              TB_ASSIGN_OR_RETURN(
                  auto key, crypto::PrivateKey::FromRaw(crypto::SignatureAlgorithm::kSm2, raw));
              out = key;
              return Status::Ok();
            })
            .ok());
    return out;
  }
  std::string Manifest(int64_t batch_id) {
    std::string m;
    EXPECT_TRUE(db().Read([&](store::Tx& tx) -> Status {
                      TB_ASSIGN_OR_RETURN(
                          auto row, tx.QueryRow("SELECT manifest FROM receipt_batch WHERE id = ?",
                                                {batch_id}));
                      if (row) m = std::string(row->Text(0));
                      return Status::Ok();
                    })
                    .ok());
    return m;
  }
  void RewriteBatch(int64_t batch_id, const std::string& sig,
                    const std::optional<std::string>& key_id) {
    ASSERT_TRUE(db().Transact([&](store::Tx& tx) -> Status {
                      return tx
                          .Exec(
                              "UPDATE receipt_batch SET issuer_sig = ?, issuer_key_id = ? "
                              "WHERE id = ?",
                              {store::Param::Blob(sig),
                               key_id ? store::Param(*key_id) : store::Param(nullptr), batch_id})
                          .status();
                    })
                    .ok());
  }

  ReceiptFixture f_;
  Issuer other_;
};

TEST_P(IssuerKeysTest, EachIssuerSignsWithItsOwnKey) {
  Receipt a = IssueOne(ReceiptFixture::kHospitalAccount);
  Receipt b =
      IssueOne(ReceiptFixture::kOtherHospitalAccount, SampleReceipt(testing::kLiNaId, "李娜"));
  ASSERT_EQ(a.issuer_key_id.size(), 16u);
  ASSERT_EQ(b.issuer_key_id.size(), 16u);
  EXPECT_NE(a.issuer_key_id, b.issuer_key_id);
  EXPECT_EQ(svc().Get(a.code, a.number)->issuer_key_id, a.issuer_key_id);
  auto keys = svc().IssuerPublicKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  for (const IssuerKeyInfo& k : *keys) {
    EXPECT_TRUE(k.current);
    const Receipt& r = k.issuer_id == f_.issuer_.id ? a : b;
    EXPECT_EQ(k.key_id, r.issuer_key_id);
    EXPECT_EQ(k.uscc, r.issuer_uscc);
    auto pub = crypto::PublicKey::FromRaw(crypto::SignatureAlgorithm::kSm2, k.public_raw);
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(IssuerKeyId(*pub), k.key_id);
    // A's batch verifies with A's key only.
    auto manifest = Manifest(a.batch_id);
    EXPECT_EQ(pub->Verify(manifest, a.issuer_signature), k.issuer_id == f_.issuer_.id);
  }
  EXPECT_TRUE(Check(svc(), a).intact);
  EXPECT_TRUE(Check(svc(), b).intact);
}

TEST_P(IssuerKeysTest, ABatchResignedByAnotherHospitalsKeyFails) {
  Receipt a = IssueOne(ReceiptFixture::kHospitalAccount);
  Receipt b =
      IssueOne(ReceiptFixture::kOtherHospitalAccount, SampleReceipt(testing::kLiNaId, "李娜"));
  auto b_key = OpenStoredKey(other_.id, b.issuer_key_id);
  ASSERT_TRUE(b_key);
  const std::string manifest = Manifest(a.batch_id);
  auto forged = b_key->Sign(manifest);
  ASSERT_TRUE(forged.ok());
  // B's signature over A's manifest, claiming B's key id: B's key is not among A's keys.
  RewriteBatch(a.batch_id, *forged, b.issuer_key_id);
  Integrity in = Check(*FreshService(), a);
  EXPECT_FALSE(in.intact);
  EXPECT_EQ(in.problem, "the batch signatures do not verify");
  // ... claiming A's own key id: the signature is not A's.
  RewriteBatch(a.batch_id, *forged, a.issuer_key_id);
  EXPECT_FALSE(Check(*FreshService(), a).intact);
  // A batch naming no key at all does not verify either.
  RewriteBatch(a.batch_id, a.issuer_signature, std::nullopt);
  EXPECT_FALSE(Check(*FreshService(), a).intact);
  // Restored: verifies again; B's receipt was never affected.
  RewriteBatch(a.batch_id, a.issuer_signature, a.issuer_key_id);
  EXPECT_TRUE(Check(*FreshService(), a).intact);
  EXPECT_TRUE(Check(*FreshService(), b).intact);
}

TEST_P(IssuerKeysTest, RotationKeepsEarlierBatchesVerifiable) {
  Receipt before = IssueOne(ReceiptFixture::kHospitalAccount);
  auto rotated = svc().RotateIssuerKey(f_.issuer_.id);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_TRUE(rotated->current);
  EXPECT_EQ(rotated->uscc, f_.issuer_.uscc);
  EXPECT_NE(rotated->key_id, before.issuer_key_id);
  Receipt after =
      IssueOne(ReceiptFixture::kHospitalAccount, SampleReceipt(testing::kLiNaId, "李娜"));
  EXPECT_EQ(after.issuer_key_id, rotated->key_id);
  // Another process (its own CustodyIssuerKeys) that signed before the rotation keeps the key it
  // read as current for at most kCurrentKeyTtl, then signs with the new one; either way the
  // batch verifies (the retired key stays published).
  ReceiptServiceOptions o = svc().options();
  o.issuer_keys = std::make_shared<CustodyIssuerKeys>(db(), crypto::SignatureAlgorithm::kSm2,
                                                      ReceiptFixture::kSealKey, f_.clock_);
  ReceiptService other_process(db(), std::move(o));
  auto rotate_again = [&] { return svc().RotateIssuerKey(f_.issuer_.id); };
  NewReceipt third = SampleReceipt();
  auto issued = other_process.Issue(ReceiptFixture::kHospitalAccount, std::span(&third, 1), false,
                                    f_.sequencer_->size());
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->front().issuer_key_id, rotated->key_id);
  auto newest = rotate_again();
  ASSERT_TRUE(newest.ok());
  issued = other_process.Issue(ReceiptFixture::kHospitalAccount, std::span(&third, 1), false,
                               f_.sequencer_->size());
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->front().issuer_key_id, rotated->key_id);  // within the TTL: the one it read
  EXPECT_TRUE(Check(other_process, issued->front()).intact);
  f_.clock_.Advance(std::chrono::microseconds(CustodyIssuerKeys::kCurrentKeyTtlMicros));
  issued = other_process.Issue(ReceiptFixture::kHospitalAccount, std::span(&third, 1), false,
                               f_.sequencer_->size());
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->front().issuer_key_id, newest->key_id);
  // This process signs with the newest key at once.
  Receipt latest = IssueOne(ReceiptFixture::kHospitalAccount);
  EXPECT_EQ(latest.issuer_key_id, newest->key_id);
  EXPECT_TRUE(Check(svc(), before).intact);
  EXPECT_TRUE(Check(svc(), after).intact);
  EXPECT_TRUE(Check(*FreshService(), before).intact);
  auto keys = svc().IssuerPublicKeys();
  ASSERT_TRUE(keys.ok());
  std::map<std::string, IssuerKeyInfo> mine;
  for (const auto& k : *keys) {
    if (k.issuer_id == f_.issuer_.id) mine[k.key_id] = k;
  }
  ASSERT_EQ(mine.size(), 3u);
  EXPECT_FALSE(mine.at(before.issuer_key_id).current);
  EXPECT_TRUE(mine.at(before.issuer_key_id).retired_micros.has_value());
  EXPECT_FALSE(mine.at(after.issuer_key_id).current);
  EXPECT_TRUE(mine.at(newest->key_id).current);
  // Rotating an unknown issuer.
  auto unknown = svc().RotateIssuerKey(999999);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::kNotFound);
}

TEST_P(IssuerKeysTest, PrivateKeysAreSealedAtRest) {
  (void)IssueOne(ReceiptFixture::kHospitalAccount);
  ASSERT_TRUE(svc().RotateIssuerKey(other_.id).ok());
  std::vector<store::Row> rows;
  ASSERT_TRUE(
      db().Read([&](store::Tx& tx) -> Status {
            TB_ASSIGN_OR_RETURN(
                rows, tx.Query("SELECT issuer_id, key_id, public_key, private_sealed, is_current, "
                               "created_micros, retired_micros, id FROM receipt_issuer_key"));
            return Status::Ok();
          })
          .ok());
  ASSERT_EQ(rows.size(), 3u);
  // Everything stored about the keys, as bytes.
  std::string stored;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      switch (r.kind(i)) {
        case store::Row::Kind::kBlob:
          stored += AsChars(r.Blob(i));
          break;
        case store::Row::Kind::kText:
          stored += std::string(r.Text(i));
          break;
        case store::Row::Kind::kInt64:
          stored += std::to_string(r.Int64(i));
          break;
        case store::Row::Kind::kNull:
          break;
      }
      stored += '\n';
    }
  }
  for (const auto& r : rows) {
    const int64_t issuer = r.Int64(0);
    const std::string key_id(r.Text(1));
    auto key = OpenStoredKey(issuer, key_id);
    ASSERT_TRUE(key);
    // It is the key published beside it ...
    EXPECT_EQ(key->public_key().raw(), AsChars(r.Blob(2)));
    const std::string raw = key->ToRaw();
    const std::string hex =
        crypto::ToHex(std::span(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
    // ... and neither its raw bytes nor their hex are anywhere in the table.
    EXPECT_EQ(stored.find(raw), std::string::npos);
    EXPECT_EQ(stored.find(hex), std::string::npos);
    // The sealed bytes open only with the deployment's seal key and only in their own row.
    const std::string sealed = AsChars(r.Blob(3));
    EXPECT_FALSE(crypto::AeadOpen(std::string(32, 'x'),
                                  CustodyIssuerKeys::SealContext(issuer, key_id), sealed)
                     .ok());
    EXPECT_FALSE(crypto::AeadOpen(ReceiptFixture::kSealKey,
                                  CustodyIssuerKeys::SealContext(issuer + 1, key_id), sealed)
                     .ok());
  }
  // A platform opened with another seal key (a changed secret) cannot sign: a clear error.
  ReceiptServiceOptions o = svc().options();
  o.issuer_keys = std::make_shared<CustodyIssuerKeys>(db(), crypto::SignatureAlgorithm::kSm2,
                                                      std::string(32, 'x'), f_.clock_);
  ReceiptService wrong(db(), std::move(o));
  NewReceipt in = SampleReceipt();
  auto r = wrong.Issue(ReceiptFixture::kHospitalAccount, std::span(&in, 1), false, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kDataLoss);
}

// A deployment from before per-issuer keys: its batches were signed by one deployment key and
// name no key id. At start the old key is published as a retired key of each issuer with such
// batches, the batches name it, and every issuer gets a key of its own.
TEST_P(IssuerKeysTest, BatchesOfTheOldDeploymentKeyAreAdoptedAtStart) {
  Receipt a = IssueOne(ReceiptFixture::kHospitalAccount);
  auto legacy = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
  ASSERT_TRUE(legacy.ok());
  auto legacy_sig = legacy->Sign(Manifest(a.batch_id));
  ASSERT_TRUE(legacy_sig.ok());
  RewriteBatch(a.batch_id, *legacy_sig, std::nullopt);
  // A third issuer registered before keys existed: no key row.
  auto third = svc().RegisterIssuer(303, testing::SyntheticUscc("12", "330100", "H0000003"),
                                    "杭州市示范第三医院", "330100");
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(db().Transact([&](store::Tx& tx) -> Status {
                    return tx
                        .Exec("DELETE FROM receipt_issuer_key WHERE issuer_id = ?", {third->id})
                        .status();
                  })
                  .ok());
  // Without the old key file the batches could not be verified: refuse to start.
  Status s = ProvisionIssuerKeys(db(), *f_.issuer_keys_, std::nullopt, f_.clock_);
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition) << s.ToString();
  ASSERT_TRUE(ProvisionIssuerKeys(db(), *f_.issuer_keys_, legacy->public_key(), f_.clock_).ok());
  ASSERT_TRUE(ProvisionIssuerKeys(db(), *f_.issuer_keys_, legacy->public_key(), f_.clock_)
                  .ok());  // idempotent
  const std::string legacy_id = IssuerKeyId(legacy->public_key());
  EXPECT_EQ(svc().Get(a.code, a.number)->issuer_key_id, legacy_id);
  EXPECT_TRUE(Check(*FreshService(), a).intact);
  auto keys = svc().IssuerPublicKeys();
  ASSERT_TRUE(keys.ok());
  int legacy_rows = 0, third_current = 0;
  for (const auto& k : *keys) {
    if (k.key_id == legacy_id) {
      ++legacy_rows;
      EXPECT_EQ(k.issuer_id, f_.issuer_.id);  // only the issuer that had such batches
      EXPECT_FALSE(k.current);
    }
    if (k.issuer_id == third->id && k.current) ++third_current;
  }
  EXPECT_EQ(legacy_rows, 1);
  EXPECT_EQ(third_current, 1);
  // New batches of the adopting issuer are signed with its own current key, not the old one.
  Receipt next =
      IssueOne(ReceiptFixture::kHospitalAccount, SampleReceipt(testing::kLiNaId, "李娜"));
  EXPECT_NE(next.issuer_key_id, legacy_id);
  EXPECT_TRUE(Check(svc(), next).intact);
}

// The seam: another IssuerKeys (standing in for an HSM or a hospital-held key) that keeps its
// private keys out of the database and only writes the public record. Receipts it signs verify
// through the ordinary service, which reads nothing but the public registry.
class HeldElsewhereIssuerKeys final : public IssuerKeys {
 public:
  crypto::SignatureAlgorithm algorithm() const override { return crypto::SignatureAlgorithm::kSm2; }
  Result<std::string> EnsureKey(store::Tx& tx, int64_t issuer_id) override {
    TB_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                        crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2));
    const std::string id = IssuerKeyId(key.public_key());
    TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO receipt_issuer_key (issuer_id, key_id, public_key, "
                               "is_current, created_micros) VALUES (?, ?, ?, 1, 0)",
                               {issuer_id, id, store::Param::Blob(key.public_key().raw())})
                           .status());
    std::lock_guard lock(mu_);
    keys_.insert_or_assign(issuer_id, std::move(key));
    return id;
  }
  Result<IssuerSignature> Sign(store::Tx&, int64_t issuer_id, std::string_view bytes) override {
    std::lock_guard lock(mu_);
    auto it = keys_.find(issuer_id);
    if (it == keys_.end()) return Status::FailedPrecondition("no key held for this issuer");
    TB_ASSIGN_OR_RETURN(std::string sig, it->second.Sign(bytes));
    return IssuerSignature{IssuerKeyId(it->second.public_key()), std::move(sig)};
  }
  Result<IssuerKeyInfo> Rotate(int64_t) override {
    return Status::FailedPrecondition("rotate at the HSM");
  }
  Result<std::vector<IssuerKeyInfo>> PublicKeys() override { return std::vector<IssuerKeyInfo>(); }

 private:
  std::mutex mu_;
  std::map<int64_t, crypto::PrivateKey> keys_;
};

TEST_P(IssuerKeysTest, AnotherKeyHolderPlugsIntoTheSeam) {
  ReceiptServiceOptions o = svc().options();
  o.issuer_keys = std::make_shared<HeldElsewhereIssuerKeys>();
  ReceiptService elsewhere(db(), std::move(o));
  auto issuer = elsewhere.RegisterIssuer(303, testing::SyntheticUscc("12", "330100", "H0000003"),
                                         "杭州市示范第三医院", "330100");
  ASSERT_TRUE(issuer.ok()) << issuer.status().ToString();
  ASSERT_TRUE(elsewhere.AssignRange(issuer->id, f_.Code(), 700001, 800000).ok());
  NewReceipt in = SampleReceipt(testing::kLiNaId, "李娜");
  auto issued = elsewhere.Issue(303, std::span(&in, 1), false, f_.sequencer_->size());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  // Verified by the platform's ordinary service (custody keys), from the public record alone.
  EXPECT_TRUE(Check(svc(), issued->front()).intact);
  auto published = svc().IssuerPublicKeys();
  ASSERT_TRUE(published.ok());
  int listed = 0;
  for (const auto& k : *published) listed += k.issuer_id == issuer->id && k.current;
  EXPECT_EQ(listed, 1);
  ASSERT_TRUE(db().Read([&](store::Tx& tx) -> Status {
                    TB_ASSIGN_OR_RETURN(auto row,
                                        tx.QueryRow("SELECT private_sealed FROM "
                                                    "receipt_issuer_key WHERE issuer_id = ?",
                                                    {issuer->id}));
                    EXPECT_TRUE(row && row->IsNull(0));  // no private key in the database at all
                    return Status::Ok();
                  })
                  .ok());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, IssuerKeysTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, IssuerKeysTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::receipt
