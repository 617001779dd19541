// The senders wired to the notification hub, on SQLite and PostgreSQL: a receipt batch tells each
// payer in the issuing transaction (a batch that fails to commit tells nobody; the notices reach
// the inbox rendered); a licence verification tells the holder who verified it and why, an
// authorised use too; the expiry sweep tells a holder once per licence and expiry date however
// often it runs. docs/notifications.md "The interface for other parts".
#include <gtest/gtest.h>

#include "core/citizen_id.h"
#include "crypto/hmac.h"
#include "ledger/log_storage.h"
#include "license/license_service.h"
#include "notify/notify_service.h"
#include "notify/outbox.h"
#include "receipt/receipt_fixture.h"
#include "store/migration.h"
#include "testing/databases.h"

namespace tongban::notify {
namespace {

using tongban::testing::Backend;

class NullGateway : public Gateway {
 public:
  Status Send(std::span<const Message>) override { return Status::Ok(); }
};

int64_t Count(store::Database& db, const std::string& sql) {
  int64_t n = -1;
  EXPECT_TRUE(db.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(sql));
    n = row->Int64(0);
    return Status::Ok();
  }).ok());
  return n;
}

std::string SyntheticId(std::string first17) { return first17 + CitizenId::ComputeCheckChar(first17); }

class SendersTest : public ::testing::TestWithParam<Backend> {};

TEST_P(SendersTest, AReceiptBatchTellsEachPayerInItsTransaction) {
  receipt::testing::ReceiptFixture f;
  f.notify_payers = true;
  if (!f.Open(GetParam())) GTEST_SKIP() << "no PostgreSQL configured";
  const std::string li_na = SyntheticId("33042119920704128");
  std::vector<receipt::NewReceipt> batch = {receipt::testing::SampleReceipt(),
                                            receipt::testing::SampleReceipt(li_na, "李娜"),
                                            receipt::testing::SampleReceipt()};
  auto issued = f.service_->Issue(receipt::testing::ReceiptFixture::kHospitalAccount, batch, true, 0);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(Count(**f.db_, "SELECT COUNT(*) FROM notify_outbox WHERE template_id = 'receipt.issued'"), 3);
  EXPECT_EQ(Count(**f.db_, "SELECT COUNT(*) FROM notify_outbox WHERE recipient = '" + li_na + "'"), 1);

  // A batch whose commit fails writes no notice.
  f.SetFault([](std::string_view point) {
    return point == "COMMIT" ? Status::Internal("injected commit failure") : Status::Ok();
  });
  EXPECT_FALSE(f.service_->Issue(receipt::testing::ReceiptFixture::kHospitalAccount, batch, true, 0).ok());
  f.SetFault(nullptr);
  EXPECT_EQ(Count(**f.db_, "SELECT COUNT(*) FROM notify_outbox"), 3);

  NotifyService notify(**f.db_, f.clock_, {});
  NullGateway gateway;
  ASSERT_TRUE(notify.RunOnce(gateway).ok());
  auto inbox = notify.Inbox(li_na, "zh", 0, 10);
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->items.size(), 1u);
  const receipt::Receipt& hers = (*issued)[1];
  EXPECT_EQ(inbox->items[0].body, "杭州市示范第一医院为您开具了电子票据，金额72.00元，票据代码" + hers.code.str() + "-" +
                                      hers.number.ToString() + "。可在“我的票据”中查看。");
}

class LicenseSendersTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "no PostgreSQL configured";
    std::vector<store::Migration> m = ledger::LogStorageMigrations();
    for (auto& x : license::LicenseService::Migrations()) m.push_back(x);
    for (auto& x : Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    license::LicenseServiceOptions o;
    o.issuer_url = "https://zj.tongban.example/licenses";
    o.issuer_key = *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEs256);
    o.ledger_hash = crypto::HashAlgorithm::kSha256;
    o.subject_hash = [](std::string_view s) {
      return crypto::HmacDigest(crypto::HashAlgorithm::kSha256, std::string(32, 's'), s);
    };
    o.notify_holders = true;
    auto s = license::LicenseService::Create(**db_, clock_, std::move(o));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    service_ = std::move(s).value();
  }
  license::License Issue(int64_t expires_at = 0) {
    license::IssueRequest r;
    r.type = "driving_licence";
    r.holder_subject = kZhangWei;
    r.fields = boost::json::object{{"name", "张伟"}, {"id_number", kZhangWei}, {"licence_class", "C1"},
                                   {"first_issue_date", "2010-05-04"}, {"address", "浙江省杭州市西湖区文三路 1 号"}};
    if (expires_at != 0) r.expires_at = expires_at;
    auto l = service_->Issue(r, "zj-traffic");
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return *l;
  }

  const std::string kZhangWei = SyntheticId("33010619850312213");
  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<license::LicenseService> service_;
};

TEST_P(LicenseSendersTest, AVerificationTellsTheHolderWhoAndWhy) {
  license::License l = Issue();
  auto p = service_->Present({kZhangWei, l.id, {"name", "licence_class"}, "杭州市西湖区行政服务中心", "办理落户"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto v = service_->Verify({p->token, "", "办理落户", "王芳 (杭州市西湖区行政服务中心)", 7});
  ASSERT_TRUE(v.ok() && v->valid) << v.status().ToString();
  EXPECT_EQ(Count(**db_, "SELECT COUNT(*) FROM notify_outbox WHERE template_id = 'license.verified' AND "
                         "event_id = 'license.verified:" + std::to_string(v->verification_id) + "'"),
            1);
  NotifyService notify(**db_, clock_, {});
  NullGateway gateway;
  ASSERT_TRUE(notify.RunOnce(gateway).ok());
  auto inbox = notify.Inbox(kZhangWei, "zh", 0, 10);
  ASSERT_EQ(inbox->items.size(), 1u);
  EXPECT_NE(inbox->items[0].body.find("王芳 (杭州市西湖区行政服务中心)核验了您的"), std::string::npos) << inbox->items[0].body;
  EXPECT_NE(inbox->items[0].body.find("用途：办理落户"), std::string::npos);
}

TEST_P(LicenseSendersTest, TheExpirySweepTellsOncePerLicenceAndDate) {
  const int64_t now = clock_.NowUnixMicros() / 1'000'000;
  Issue(now + 10 * 86400);   // expires in 10 days: told
  Issue(now + 90 * 86400);   // in 90 days: not yet
  auto n = service_->NotifyExpiring(30);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  ASSERT_TRUE(service_->NotifyExpiring(30).ok());  // the next day's run, another node: no repeat
  EXPECT_EQ(Count(**db_, "SELECT COUNT(*) FROM notify_outbox WHERE template_id = 'license.expiring'"), 1);
  clock_.Advance(std::chrono::hours(24 * 61));     // the second licence's turn
  ASSERT_TRUE(service_->NotifyExpiring(30).ok());
  EXPECT_EQ(Count(**db_, "SELECT COUNT(*) FROM notify_outbox WHERE template_id = 'license.expiring'"), 2);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SendersTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, SendersTest, ::testing::Values(Backend::kPostgres), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Sqlite, LicenseSendersTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, LicenseSendersTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::notify
