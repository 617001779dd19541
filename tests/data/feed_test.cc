// The change feed (data/feed.h) on SQLite and PostgreSQL: a consumer with an approved agreement
// gets every new version of the dataset, only the covered elements, in commit order; one that
// stops mid-stream and resumes from its cursor loses nothing and gets nothing twice; a second
// feed on another connection to the same database (another process) delivers too, by its poll;
// concurrent pushers cannot make a consumer skip a version (numbers commit in order); every
// delivery is traced (a row and a ledger entry) and found by the subject; a revoked agreement
// ends the feed; a waiter with nothing new is answered empty at its deadline.
#include "data/feed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "core/citizen_id.h"
#include "crypto/hmac.h"
#include "ledger/log_storage.h"
#include "testing/databases.h"
#include "testing/ledger_queue.h"
#include "testing/subject_hash.h"

namespace tongban::data {
namespace {

using boost::json::object;
using tongban::testing::Backend;
using namespace std::chrono_literals;

constexpr int64_t kStart = 1'796'601'600;  // 2026-12-07T00:00:00Z

std::string PersonId(int n) {
  // 330106 (Xihu), born 1980-01-01 + n days within a year, sequence varying: synthetic only.
  const unsigned u = static_cast<unsigned>(n);
  char first17[32];
  std::snprintf(first17, sizeof first17, "3301061980%02u%02u%03u", 1 + (u / 28) % 12, 1 + u % 28, 100 + u % 800);
  return std::string(first17) + CitizenId::ComputeCheckChar(first17);
}

std::string Household(const std::string& id, int n, int version = 1) {
  return boost::json::serialize(object{
      {"subject", id},
      {"key", "HJ-330106-" + std::to_string(100000 + n)},
      {"version", version},
      {"fields", object{{"name", version == 1 ? "陈静" : "陈婧"}, {"sex", "女"}, {"ethnicity", "汉"},
                        {"birth_date", "1980-0" + std::to_string(1 + (n / 28) % 9) + "-1" + std::to_string(n % 9)},
                        {"household_address", "浙江省杭州市西湖区古墩路 " + std::to_string(n) + " 号"},
                        {"household_head_id", id}, {"relation_to_head", "户主"}}}});
}

class FeedTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = ledger::LogStorageMigrations();
    for (auto& x : DataService::Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    feed_ = MakeFeed(**db_, 20ms);
    service_ = MakeService(**db_, feed_.get());
    ASSERT_TRUE(feed_->Start().ok());
    // The service center follows household registrations: name and address only.
    auto a = service_->RequestAgreement({center_, "household_registration", {"name", "household_address"},
                                         "一证通办：窗口核验户籍信息", "《浙江省公共数据条例》第二十八条",
                                         kStart + 365 * 86400});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE(service_->DecideAgreement(police_, a->id, true, "").ok());
    agreement_ = a->id;
  }
  void TearDown() override {
    if (feed_) feed_->Stop();
  }

  static inline const auto SubjectHash =
      tongban::testing::TestSubjectHash(crypto::HashAlgorithm::kSha256, 'k');
  std::unique_ptr<DataFeed> MakeFeed(store::Database& db, std::chrono::milliseconds poll) {
    FeedOptions o;
    o.hash = crypto::HashAlgorithm::kSha256;
    o.subject_hash = SubjectHash;
    o.poll_interval = poll;
    return std::make_unique<DataFeed>(db, clock_, Catalogue::Builtin(), std::move(o));
  }
  std::unique_ptr<DataService> MakeService(store::Database& db, DataFeed* feed) {
    DataServiceOptions o;
    o.hash = crypto::HashAlgorithm::kSha256;
    o.subject_hash = SubjectHash;
    if (feed != nullptr) o.on_feed = [feed](int64_t head) { feed->Notify(head); };
    return std::make_unique<DataService>(db, clock_, Catalogue::Builtin(), std::move(o));
  }

  PushResult Push(DataService& s, int from, int count, int version = 1) {
    std::string body;
    for (int n = from; n < from + count; ++n) body += Household(PersonId(n), n, version) + "\n";
    auto r = s.Push(police_, "household_registration", body, true);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->rejected.empty()) << r->rejected.front().element << " " << r->rejected.front().reason;
    return *r;
  }
  // Waits for the next batch after `after` (at most `limit`), up to `wait`.
  FeedBatch Take(DataFeed& feed, int64_t after, int limit = 1000, std::chrono::milliseconds wait = 5s,
                 const Actor* who = nullptr) {
    std::promise<Result<FeedBatch>> p;
    auto f = p.get_future();
    feed.Wait(who ? *who : center_, agreement_, after, limit, std::chrono::steady_clock::now() + wait,
              [&p](Result<FeedBatch> b) { p.set_value(std::move(b)); });
    EXPECT_EQ(f.wait_for(wait + 5s), std::future_status::ready);
    auto b = f.get();
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? *b : FeedBatch{};
  }
  int64_t Count(std::string_view table) {
    return tongban::testing::CountRows(**db_, "SELECT COUNT(*) FROM " + std::string(table));
  }
  int64_t QueuedEntries() { return tongban::testing::QueueDepth(**db_); }

  FakeClock clock_{kStart * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<DataFeed> feed_;
  std::unique_ptr<DataService> service_;
  const Actor police_{11, "hz-police"};
  const Actor center_{12, "xihu-service-center"};
  int64_t agreement_ = 0;
};

TEST_P(FeedTest, DeliversOnlyCoveredElementsInOrderAndTracesTheDelivery) {
  Push(*service_, 0, 3);
  const int64_t queued = QueuedEntries();
  FeedBatch b = Take(*feed_, 0);
  ASSERT_EQ(b.changes().size(), 3u);
  EXPECT_TRUE(b.ended.empty());
  EXPECT_FALSE(b.more);
  for (size_t i = 0; i < 3; ++i) {
    const FeedChange& c = b.changes()[i];
    EXPECT_EQ(c.subject_id, PersonId(static_cast<int>(i)));
    EXPECT_EQ(c.version, 1);
    EXPECT_EQ(c.source, "hz-police");
    // Only what the agreement covers: name and address, not sex, birth date or the head's ID.
    EXPECT_EQ(c.fields.size(), 2u);
    EXPECT_EQ(c.fields.at("name").as_string(), "陈静");
    EXPECT_TRUE(c.fields.contains("household_address"));
    if (i > 0) {
      EXPECT_GT(c.seq, b.changes()[i - 1].seq);
    }
  }
  EXPECT_EQ(b.next, b.changes().back().seq);
  EXPECT_GT(b.delivery_id, 0);
  // One delivery row and one ledger entry for the batch, written before it was answered.
  EXPECT_EQ(Count("data_feed_delivery"), 1);
  EXPECT_EQ(QueuedEntries(), queued + 1);
  // The subject finds the delivery of their version, as an access under the agreement.
  auto seen = feed_->Deliveries(PersonId(1));
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_TRUE((*seen)[0].via_feed);
  EXPECT_EQ((*seen)[0].reader_department, "xihu-service-center");
  EXPECT_EQ((*seen)[0].purpose_ref, std::to_string(agreement_));
  EXPECT_EQ((*seen)[0].elements, (std::vector<std::string>{"name", "household_address"}));
  // Someone whose versions were not delivered sees none.
  auto other = feed_->Deliveries(PersonId(500));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

TEST_P(FeedTest, AWaiterIsWokenByTheNextPushAndAResumedConsumerLosesNothing) {
  Push(*service_, 0, 5);
  // Takes 2 of 5, then "dies" (the connection drops after the batch was written).
  FeedBatch first = Take(*feed_, 0, 2);
  ASSERT_EQ(first.changes().size(), 2u);
  EXPECT_TRUE(first.more);
  // Resumes from its last cursor: exactly the other three.
  FeedBatch rest = Take(*feed_, first.next);
  ASSERT_EQ(rest.changes().size(), 3u);
  EXPECT_EQ(rest.changes().front().subject_id, PersonId(2));
  // Waits with nothing new; a push (a new version too) wakes it well before the deadline.
  auto started = std::chrono::steady_clock::now();
  auto later = std::async(std::launch::async, [&] { return Take(*feed_, rest.next, 1000, 10s); });
  std::this_thread::sleep_for(100ms);
  Push(*service_, 3, 1, 2);  // version 2 of record 3: a change like any other
  FeedBatch woken = later.get();
  ASSERT_EQ(woken.changes().size(), 1u);
  EXPECT_EQ(woken.changes()[0].version, 2);
  EXPECT_EQ(woken.changes()[0].fields.at("name").as_string(), "陈婧");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  // A retry of the same push is unchanged: nothing new for the feed.
  Push(*service_, 3, 1, 2);
  FeedBatch none = Take(*feed_, woken.next, 1000, 300ms);
  EXPECT_TRUE(none.changes().empty());
  EXPECT_EQ(none.next, woken.next);
}

TEST_P(FeedTest, OtherDatasetsDoNotWakeAWaiterIntoAnEmptyAnswer) {
  Push(*service_, 0, 1);
  FeedBatch b = Take(*feed_, 0);
  ASSERT_EQ(b.changes().size(), 1u);
  // A marriage record moves the head, not this dataset: the waiter keeps waiting to its deadline.
  auto r = service_->Push({13, "hz-civil-affairs"}, "marriage_registration",
                          boost::json::serialize(object{
                              {"subject", PersonId(7)}, {"key", "J330106-2020-000001"}, {"version", 1},
                              {"fields", object{{"marital_status", "已婚"}, {"spouse_name", "刘洋"},
                                                {"spouse_id", PersonId(8)}, {"registration_date", "2020-05-20"},
                                                {"certificate_number", "J330106-2020-000001"},
                                                {"registry_office", "杭州市西湖区民政局婚姻登记处"}}}}),
                          false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->accepted, 1) << (r->rejected.empty() ? "" : r->rejected.front().reason);
  auto started = std::chrono::steady_clock::now();
  FeedBatch none = Take(*feed_, b.next, 1000, 400ms);
  EXPECT_TRUE(none.changes().empty());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 350ms);
}

TEST_P(FeedTest, AFeedOnAnotherConnectionDeliversByItsPoll) {
  // "Another process": its own connection, its own feed, never notified by this process's pushes.
  auto other_db = db_->OpenAnotherConnection();
  ASSERT_NE(other_db, nullptr);
  auto other_feed = MakeFeed(*other_db, 25ms);
  ASSERT_TRUE(other_feed->Start().ok());
  auto waiting = std::async(std::launch::async, [&] { return Take(*other_feed, 0, 1000, 10s); });
  std::this_thread::sleep_for(100ms);
  auto pushed_at = std::chrono::steady_clock::now();
  Push(*service_, 0, 4);
  FeedBatch b = waiting.get();
  EXPECT_EQ(b.changes().size(), 4u);
  EXPECT_LT(std::chrono::steady_clock::now() - pushed_at, 3s);
  other_feed->Stop();
}

TEST_P(FeedTest, ConcurrentPushersNeverMakeTheConsumerSkipAVersion) {
  // Four pushers on their own connections commit while a consumer follows: it must see every
  // version exactly once (numbers are taken under the head row's lock, so they commit in order).
  constexpr int kPushers = 4, kBatches = 15, kPerBatch = 10;
  std::vector<std::thread> pushers;
  std::vector<std::unique_ptr<store::Database>> dbs;
  std::vector<std::unique_ptr<DataService>> services;
  for (int p = 0; p < kPushers; ++p) {
    dbs.push_back(db_->OpenAnotherConnection());
    ASSERT_NE(dbs.back(), nullptr);
    services.push_back(MakeService(*dbs.back(), feed_.get()));
  }
  std::atomic<bool> done{false};
  for (int p = 0; p < kPushers; ++p) {
    pushers.emplace_back([&, p] {
      for (int b = 0; b < kBatches; ++b) Push(*services[p], (p * kBatches + b) * kPerBatch, kPerBatch);
    });
  }
  std::thread finisher([&] {
    for (auto& t : pushers) t.join();
    done = true;
  });
  std::set<std::string> seen;
  int64_t cursor = 0, last_seq = 0;
  const size_t total = kPushers * kBatches * kPerBatch;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (seen.size() < total && std::chrono::steady_clock::now() < deadline) {
    FeedBatch b = Take(*feed_, cursor, 37, 2s);
    for (const auto& c : b.changes()) {
      EXPECT_GT(c.seq, last_seq);
      last_seq = c.seq;
      EXPECT_TRUE(seen.insert(c.subject_id).second) << "delivered twice";
    }
    cursor = b.next;
  }
  finisher.join();
  EXPECT_TRUE(done);
  EXPECT_EQ(seen.size(), total);
}

TEST_P(FeedTest, ARevokedOrExpiredAgreementEndsTheFeed) {
  Push(*service_, 0, 2);
  ASSERT_TRUE(feed_->CheckSubscription(center_, agreement_).ok());
  // Another department cannot follow this agreement: 404 as for a missing one.
  const Actor other{14, "hz-civil-affairs"};
  EXPECT_EQ(feed_->CheckSubscription(other, agreement_).status().code(), ErrorCode::kNotFound);
  FeedBatch stranger = Take(*feed_, 0, 10, 2s, &other);
  EXPECT_TRUE(stranger.changes().empty());
  EXPECT_FALSE(stranger.ended.empty());

  ASSERT_TRUE(service_->RevokeAgreement(police_, agreement_, "数据共享协议到期未续签").ok());
  EXPECT_EQ(feed_->CheckSubscription(center_, agreement_).status().code(), ErrorCode::kPermissionDenied);
  FeedBatch b = Take(*feed_, 0);
  EXPECT_TRUE(b.changes().empty());
  EXPECT_EQ(b.ended, "the agreement is revoked");
  EXPECT_EQ(Count("data_feed_delivery"), 0);
}

TEST_P(FeedTest, ExpiryIsCheckedAtDeliveryTime) {
  Push(*service_, 0, 1);
  clock_.Advance(std::chrono::seconds(366LL * 86400));
  FeedBatch b = Take(*feed_, 0);
  EXPECT_TRUE(b.changes().empty());
  EXPECT_EQ(b.ended, "the agreement has expired");
}

TEST_P(FeedTest, AWaitersDeadlineIsKeptWhenThePollIsSlow) {
  // A feed polling every 5 s must still answer a 200 ms wait (a long poll with wait=0, an SSE
  // heartbeat) at its deadline, not at the next poll.
  feed_->Stop();
  feed_ = MakeFeed(**db_, 5s);
  ASSERT_TRUE(feed_->Start().ok());
  std::this_thread::sleep_for(50ms);  // the feed's thread is asleep until its next poll
  auto started = std::chrono::steady_clock::now();
  FeedBatch none = Take(*feed_, 0, 10, 200ms);
  EXPECT_TRUE(none.changes().empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_P(FeedTest, CancelAndStopAnswerWaitersAtOnce) {
  std::promise<FeedBatch> p;
  uint64_t id = feed_->Wait(center_, agreement_, 0, 10, std::chrono::steady_clock::now() + 30s,
                            [&p](Result<FeedBatch> b) { p.set_value(*b); });
  feed_->Cancel(id);
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(f.get().ended, "cancelled");

  std::promise<FeedBatch> q;
  feed_->Wait(center_, agreement_, 0, 10, std::chrono::steady_clock::now() + 30s,
              [&q](Result<FeedBatch> b) { q.set_value(*b); });
  EXPECT_EQ(feed_->waiting(), 1);
  feed_->Stop();
  auto g = q.get_future();
  ASSERT_EQ(g.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(g.get().ended, "stopping");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, FeedTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, FeedTest, ::testing::Values(Backend::kPostgres), tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::data
