// The notification hub on SQLite and PostgreSQL with a FakeClock and a recording gateway: Enqueue
// idempotent and bound to its transaction, templates in zh and en, routing by preference, retries
// with back-off up to failure, sensitive notices (never in the inbox, variables erased), another
// person's inbox item, and a resend after a crash between send and mark carrying the same id.
#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>

#include "core/clock.h"
#include "notify/notify_service.h"
#include "notify/outbox.h"
#include "notify/templates.h"
#include "store/migration.h"
#include "testing/databases.h"

namespace tongban::notify {
namespace {

using tongban::testing::Backend;

constexpr char kLiNa[] = "330106199001011234";    // synthetic
constexpr char kWangFang[] = "330106198502023456";  // synthetic

class RecordingGateway : public Gateway {
 public:
  Status Send(std::span<const Message> messages) override {
    std::lock_guard lock(mu);
    ++calls;
    if (fail) return Status::Unavailable("gateway down (test)");
    for (const Message& m : messages) sent.push_back(m);
    return Status::Ok();
  }
  std::mutex mu;
  bool fail = false;
  int calls = 0;
  std::vector<Message> sent;
};

class NotifyServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "no PostgreSQL configured";
    ASSERT_TRUE(store::Migrate(**db_, Migrations()).ok());
    clock_.SetUnixMicros(1'796'000'000LL * 1'000'000);
  }
  std::unique_ptr<NotifyService> Service(NotifyOptions o = {}) {
    return std::make_unique<NotifyService>(**db_, clock_, std::move(o));
  }
  int64_t Now() const { return clock_.NowUnixMicros() / 1'000'000; }
  Status EnqueueOne(const Notice& n) {
    return (*db_)->Transact([&](store::Tx& tx) { return Enqueue(tx, n, Now()); });
  }
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE((*db_)->Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(sql));
      n = row->Int64(0);
      return Status::Ok();
    }).ok());
    return n;
  }
  static Notice Receipt(std::string code, std::string to = kLiNa) {
    return {.event_id = "receipt.issued:" + code,
            .recipient = std::move(to),
            .template_id = "receipt.issued",
            .vars = {{"issuer", "杭州市第一人民医院"}, {"amount", "128.50"}, {"code", code}}};
  }

  std::unique_ptr<tongban::testing::TestDatabase> db_;
  FakeClock clock_;
  RecordingGateway gateway_;
};

TEST_P(NotifyServiceTest, EnqueueIsIdempotentByEventAndRecipient) {
  ASSERT_TRUE(EnqueueOne(Receipt("33040126-0000000001")).ok());
  ASSERT_TRUE(EnqueueOne(Receipt("33040126-0000000001")).ok());  // a repeat: ignored
  ASSERT_TRUE(EnqueueOne(Receipt("33040126-0000000001", kWangFang)).ok());  // another person
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notify_outbox"), 2);
  auto service = Service();
  auto pass = service->RunOnce(gateway_);
  ASSERT_TRUE(pass.ok()) << pass.status().ToString();
  EXPECT_EQ(pass->routed, 2);
  EXPECT_EQ(pass->claimed, 0);  // receipt.issued goes to the inbox only by default
  auto inbox = service->Inbox(kLiNa, "zh", 0, 10);
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->items.size(), 1u);
  EXPECT_EQ(inbox->unread, 1);
  EXPECT_EQ(inbox->items[0].body,
            "杭州市第一人民医院为您开具了电子票据，金额128.50元，票据代码33040126-0000000001。可在“我的票据”中查看。");
  // Routed once: another pass and another node route nothing more.
  EXPECT_EQ(service->RunOnce(gateway_)->routed, 0);
  EXPECT_EQ(Service()->RunOnce(gateway_)->routed, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notify_inbox"), 2);
}

TEST_P(NotifyServiceTest, RollbackLeavesNoNotice) {
  Status s = (*db_)->Transact([&](store::Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(Enqueue(tx, Receipt("33040126-0000000002"), Now()));
    return Status::Conflict("the event failed after the notice was written");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notify_outbox"), 0);
  EXPECT_EQ(Service()->RunOnce(gateway_)->routed, 0);
}

TEST_P(NotifyServiceTest, EnqueueRefusesBadNotices) {
  Notice n = Receipt("x");
  n.vars.pop_back();  // no {code}
  EXPECT_EQ(EnqueueOne(n).code(), ErrorCode::kInvalidArgument);
  n = Receipt("x");
  n.template_id = "no.such";
  EXPECT_EQ(EnqueueOne(n).code(), ErrorCode::kInvalidArgument);
  n = Receipt("x");
  n.channels = {"fax"};
  EXPECT_EQ(EnqueueOne(n).code(), ErrorCode::kInvalidArgument);
  Notice otp{.event_id = "otp:1", .recipient = kLiNa, .template_id = "otp.code",
             .vars = {{"code", "123456"}, {"minutes", "5"}}, .channels = {"inbox"}};
  EXPECT_EQ(EnqueueOne(otp).code(), ErrorCode::kInvalidArgument);  // codes never in the inbox
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notify_outbox"), 0);
}

TEST(NotifyTemplatesTest, RenderZhAndEnWithVariables) {
  const Templates& t = Templates::Builtin();
  for (const char* id : {"receipt.issued", "license.verified", "license.expiring", "attorney.used",
                         "attorney.created", "otp.code", "data.export.ready"}) {
    EXPECT_NE(t.Find(id), nullptr) << id;
  }
  Vars vars = {{"license", "居民身份证"}, {"verifier", "王芳 (西湖区行政服务中心)"}, {"purpose", "办理社保"}};
  auto zh = t.Render("license.verified", "zh", vars);
  ASSERT_TRUE(zh.ok());
  EXPECT_EQ(zh->body, "王芳 (西湖区行政服务中心)核验了您的居民身份证，用途：办理社保。如非您本人授权，请联系12345。");
  auto en = t.Render("license.verified", "en", vars);
  ASSERT_TRUE(en.ok());
  EXPECT_EQ(en->title, "Your licence was verified");
  EXPECT_NE(en->body.find("for: 办理社保"), std::string::npos);
  vars.pop_back();
  EXPECT_EQ(t.Render("license.verified", "zh", vars).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Fill("{a}{b}{", {{"a", "1"}}), "1{b}{");
  EXPECT_FALSE(Templates::Parse("[\"x\"]\nvars = []\n").ok());  // no zh / en
  EXPECT_FALSE(Templates::Parse("[\"x\"]\nzh.title = \"办件 {case}\"\nzh.body = \"b\"\nen.title = \"t\"\nen.body = \"b\"\n").ok());
}

TEST_P(NotifyServiceTest, RetriesWithBackoffThenFails) {
  auto service = Service(NotifyOptions{.max_attempts = 3, .backoff_s = 5, .max_backoff_s = 3600});
  ASSERT_TRUE(service->PutPreferences(kLiNa, {.language = "zh", .phone = "13800138000"}).ok());
  Notice n = Receipt("33040126-0000000003");
  n.channels = {"sms"};
  ASSERT_TRUE(EnqueueOne(n).ok());
  gateway_.fail = true;
  auto p1 = service->RunOnce(gateway_);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->claimed, 1);
  EXPECT_EQ(p1->retried, 1);
  EXPECT_EQ(service->RunOnce(gateway_)->claimed, 0);  // not due yet
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(service->RunOnce(gateway_)->claimed, 1);  // attempt 2, after 5 s
  clock_.Advance(std::chrono::seconds(9));
  EXPECT_EQ(service->RunOnce(gateway_)->claimed, 0);  // the next wait is 10 s
  clock_.Advance(std::chrono::seconds(1));
  auto p3 = service->RunOnce(gateway_);
  EXPECT_EQ(p3->claimed, 1);
  EXPECT_EQ(p3->failed, 1);  // attempt 3 of 3
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(service->RunOnce(gateway_)->claimed, 0);
  auto failed = service->Deliveries("failed", 0, 10);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].attempts, 3);
  EXPECT_EQ((*failed)[0].channel, "sms");
  EXPECT_EQ((*failed)[0].recipient.find("199001011"), std::string::npos);  // masked
  EXPECT_EQ(gateway_.calls, 3);
}

TEST_P(NotifyServiceTest, RetryThenDeliverOnceWithTheSameId) {
  auto service = Service(NotifyOptions{.max_attempts = 5, .backoff_s = 5});
  ASSERT_TRUE(service->PutPreferences(kLiNa, {.language = "en", .phone = "13800138000"}).ok());
  Notice n = Receipt("33040126-0000000004");
  n.channels = {"sms", "inbox"};
  ASSERT_TRUE(EnqueueOne(n).ok());
  gateway_.fail = true;
  ASSERT_TRUE(service->RunOnce(gateway_).ok());
  gateway_.fail = false;
  clock_.Advance(std::chrono::seconds(5));
  auto p = service->RunOnce(gateway_);
  EXPECT_EQ(p->delivered, 1);
  ASSERT_EQ(gateway_.sent.size(), 1u);
  EXPECT_EQ(gateway_.sent[0].to, "13800138000");
  EXPECT_EQ(gateway_.sent[0].language, "en");
  EXPECT_EQ(gateway_.sent[0].body.rfind("杭州市第一人民医院 issued you", 0), 0u);
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(service->RunOnce(gateway_)->claimed, 0);
  EXPECT_EQ(gateway_.sent.size(), 1u);
  EXPECT_EQ(service->CountByStatus()->at("delivered"), 2);  // sms + inbox
}

TEST_P(NotifyServiceTest, CrashBetweenSendAndMarkResendsTheSameIdAfterTheLease) {
  NotifyOptions crashing{.lease_s = 60};
  crashing.after_send = [] { throw std::runtime_error("crash after send (test)"); };
  auto first = Service(crashing);
  Notice n = Receipt("33040126-0000000005");
  n.channels = {"email"};
  n.address = "lina@example.cn";
  ASSERT_TRUE(EnqueueOne(n).ok());
  EXPECT_THROW((void)first->RunOnce(gateway_), std::runtime_error);
  ASSERT_EQ(gateway_.sent.size(), 1u);
  auto restarted = Service(NotifyOptions{.lease_s = 60});
  EXPECT_EQ(restarted->RunOnce(gateway_)->claimed, 0);  // still leased to the crashed worker
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(restarted->RunOnce(gateway_)->delivered, 1);
  ASSERT_EQ(gateway_.sent.size(), 2u);
  EXPECT_EQ(gateway_.sent[0].id, gateway_.sent[1].id);  // the receiver drops the repeat
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(restarted->RunOnce(gateway_)->claimed, 0);
}

TEST_P(NotifyServiceTest, SensitiveNoticesNeverInTheInboxAndVarsErased) {
  auto service = Service();
  Notice otp{.event_id = "otp.code:login:77", .recipient = kLiNa, .template_id = "otp.code",
             .vars = {{"code", "493817"}, {"minutes", "5"}}, .address = "13900139000"};
  ASSERT_TRUE(EnqueueOne(otp).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notify_outbox WHERE vars LIKE '%493817%'"), 1);
  auto p = service->RunOnce(gateway_);
  EXPECT_EQ(p->delivered, 1);
  ASSERT_EQ(gateway_.sent.size(), 1u);
  EXPECT_NE(gateway_.sent[0].body.find("493817"), std::string::npos);
  EXPECT_EQ(gateway_.sent[0].to, "13900139000");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notify_outbox WHERE vars LIKE '%493817%'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notify_outbox WHERE sensitive = 1 AND vars = '{}'"), 1);
  EXPECT_EQ(service->Inbox(kLiNa, "zh", 0, 10)->total, 0);
  // Even a preference naming the inbox for codes is refused.
  Preferences pref{.language = "zh"};
  pref.channels["otp.code"] = {"inbox"};
  EXPECT_EQ(service->PutPreferences(kLiNa, pref).code(), ErrorCode::kInvalidArgument);
}

TEST_P(NotifyServiceTest, SensitiveNoticeWithNoAddressIsSkippedAndErased) {
  auto service = Service();
  ASSERT_TRUE(EnqueueOne({.event_id = "otp.code:reset:1", .recipient = kWangFang, .template_id = "otp.code",
                          .vars = {{"code", "111222"}, {"minutes", "5"}}})
                  .ok());
  EXPECT_EQ(service->RunOnce(gateway_)->claimed, 0);
  EXPECT_EQ(service->CountByStatus()->at("skipped"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notify_outbox WHERE vars LIKE '%111222%'"), 0);
}

TEST_P(NotifyServiceTest, PreferencesChooseChannelsAndAreValidated) {
  auto service = Service();
  auto none = service->GetPreferences(kLiNa);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->stored);
  EXPECT_EQ(none->language, "zh");
  Preferences bad{.language = "fr", .phone = "12345", .email = "not-an-address"};
  bad.channels["no.such"] = {"sms"};
  Status s = service->PutPreferences(kLiNa, bad);
  ASSERT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.fields().size(), 4u);
  Preferences good{.language = "zh", .phone = "13800138000", .email = "lina@example.cn"};
  good.channels["receipt.issued"] = {"inbox", "email"};
  ASSERT_TRUE(service->PutPreferences(kLiNa, good).ok());
  auto back = service->GetPreferences(kLiNa);
  EXPECT_TRUE(back->stored);
  EXPECT_EQ(back->channels.at("receipt.issued"), (std::vector<std::string>{"inbox", "email"}));
  ASSERT_TRUE(EnqueueOne(Receipt("33040126-0000000006")).ok());
  auto p = service->RunOnce(gateway_);
  EXPECT_EQ(p->delivered, 1);
  ASSERT_EQ(gateway_.sent.size(), 1u);
  EXPECT_EQ(gateway_.sent[0].channel, "email");
  EXPECT_EQ(gateway_.sent[0].to, "lina@example.cn");
  EXPECT_EQ(gateway_.sent[0].title, "您收到一张电子票据");
  EXPECT_EQ(service->Inbox(kLiNa, "en", 0, 10)->items.at(0).title, "You received an e-receipt");
}

TEST_P(NotifyServiceTest, LoginAsMobileNumberBecomesThePhoneOnFile) {
  auto service = Service();
  ASSERT_TRUE(service->RememberLogin(kLiNa, "13700137000").ok());
  ASSERT_TRUE(service->RememberLogin(kWangFang, "wangfang").ok());
  EXPECT_EQ(service->GetPreferences(kLiNa)->phone, "13700137000");
  EXPECT_FALSE(service->GetPreferences(kWangFang)->stored);
  // A phone set by the person is kept.
  ASSERT_TRUE(service->PutPreferences(kLiNa, {.language = "zh", .phone = "13800138000"}).ok());
  auto other = Service();
  ASSERT_TRUE(other->RememberLogin(kLiNa, "13700137000").ok());
  EXPECT_EQ(other->GetPreferences(kLiNa)->phone, "13800138000");
}

TEST_P(NotifyServiceTest, InboxPagesNewestFirstAndAnotherPersonsItemIsNotFound) {
  auto service = Service();
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(EnqueueOne(Receipt("33040126-000000001" + std::to_string(i))).ok());
  ASSERT_TRUE(EnqueueOne(Receipt("33040126-0000000099", kWangFang)).ok());
  ASSERT_TRUE(service->RunOnce(gateway_).ok());
  auto page1 = service->Inbox(kLiNa, "zh", 0, 2);
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->items.size(), 2u);
  EXPECT_GT(page1->items[0].id, page1->items[1].id);
  EXPECT_EQ(page1->total, 5);
  ASSERT_TRUE(page1->next_before.has_value());
  auto page3 = service->Inbox(kLiNa, "zh", *service->Inbox(kLiNa, "zh", *page1->next_before, 2)->next_before, 2);
  EXPECT_EQ(page3->items.size(), 1u);
  EXPECT_FALSE(page3->next_before.has_value());
  const int64_t mine = page1->items[0].id;
  EXPECT_EQ(service->MarkRead(kWangFang, mine).code(), ErrorCode::kNotFound);
  EXPECT_EQ(service->MarkRead(kLiNa, 999999).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(service->MarkRead(kLiNa, mine).ok());
  ASSERT_TRUE(service->MarkRead(kLiNa, mine).ok());  // again: no change
  EXPECT_EQ(service->Inbox(kLiNa, "zh", 0, 2)->unread, 4);
  EXPECT_EQ(service->Inbox(kWangFang, "zh", 0, 2)->unread, 1);
}

TEST_P(NotifyServiceTest, WorkerDeliversInTheBackgroundAndStops) {
  SystemClock system;
  NotifyService service(**db_, system, NotifyOptions{.poll = std::chrono::milliseconds(50)});
  service.Start(gateway_);
  Notice n = Receipt("33040126-0000000007");
  n.channels = {"sms"};
  n.address = "13800138000";
  ASSERT_TRUE(EnqueueOne(n).ok());
  for (int i = 0; i < 200 && service.delivered_total() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  service.Stop();
  EXPECT_EQ(service.delivered_total(), 1);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, NotifyServiceTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, NotifyServiceTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::notify
