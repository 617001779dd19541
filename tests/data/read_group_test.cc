// Purpose-bound reads under load, on SQLite and PostgreSQL: concurrent reads are decided and
// traced in shared transactions (store/group_commit.h), and still each read has exactly its own
// access record and ledger entry; a refused read in the same group is refused alone, writes
// nothing, and is counted; the others are answered.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/citizen_id.h"
#include "crypto/hmac.h"
#include "data/data_service.h"
#include "ledger/log_storage.h"
#include "testing/databases.h"
#include "testing/subject_hash.h"

namespace tongban::data {
namespace {

using boost::json::object;
using tongban::testing::Backend;

constexpr int64_t kStart = 1'796'601'600;  // 2026-12-07T00:00:00Z

std::string PersonId(int n) {
  const unsigned u = static_cast<unsigned>(n);
  char first17[32];
  std::snprintf(first17, sizeof first17, "3301021979%02u%02u%03u", 1 + u % 12, 1 + (u / 12) % 28, 200 + u % 700);
  return std::string(first17) + CitizenId::ComputeCheckChar(first17);
}

class ReadGroupTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = ledger::LogStorageMigrations();
    for (auto& x : DataService::Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    DataServiceOptions o;
    o.hash = crypto::HashAlgorithm::kSha256;
    o.subject_hash = tongban::testing::TestSubjectHash(crypto::HashAlgorithm::kSha256, 'k');
    o.read_group_max = 16;
    service_ = std::make_unique<DataService>(**db_, clock_, Catalogue::Builtin(), std::move(o));
    std::string body;
    for (int n = 0; n < kPeople; ++n) {
      body += boost::json::serialize(object{
                  {"subject", PersonId(n)}, {"key", "HJ-330102-" + std::to_string(200000 + n)}, {"version", 1},
                  {"fields", object{{"name", "孙丽"}, {"sex", "女"}, {"ethnicity", "汉"}, {"birth_date", "1979-03-08"},
                                    {"household_address", "浙江省杭州市上城区清泰街 " + std::to_string(n) + " 号"},
                                    {"household_head_id", PersonId(n)}, {"relation_to_head", "户主"}}}}) +
              "\n";
    }
    auto pushed = service_->Push(police_, "household_registration", body, true);
    ASSERT_TRUE(pushed.ok());
    ASSERT_EQ(pushed->accepted, kPeople);
    auto a = service_->RequestAgreement({center_, "household_registration", {"name", "household_address"},
                                         "一证通办：窗口核验户籍信息", "《浙江省公共数据条例》第二十八条",
                                         kStart + 365 * 86400});
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(service_->DecideAgreement(police_, a->id, true, "").ok());
    agreement_ = std::to_string(a->id);
  }
  int64_t Count(std::string_view sql) { return tongban::testing::CountRows(**db_, sql); }

  static constexpr int kPeople = 40;
  FakeClock clock_{kStart * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<DataService> service_;
  const Actor police_{11, "hz-police"};
  const Actor center_{12, "xihu-service-center"};
  std::string agreement_;
};

TEST_P(ReadGroupTest, ConcurrentReadsEachGetTheirOwnTraceAndRefusalsStayAlone) {
  const int64_t queued_before = Count("SELECT COUNT(*) FROM ledger_queue");
  constexpr int kThreads = 8, kReadsEach = 25;
  std::atomic<int> answered{0}, refused{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kReadsEach; ++i) {
        const int n = (t * kReadsEach + i) % kPeople;
        // Every fifth read asks for an element the agreement does not cover: refused.
        const bool bad = i % 5 == 4;
        auto r = service_->Read({center_, PersonId(n), "household_registration",
                                 bad ? std::vector<std::string>{"sex"} : std::vector<std::string>{},
                                 PurposeKind::kAgreement, agreement_});
        if (bad) {
          if (!r.ok() && r.status().code() == ErrorCode::kPermissionDenied) ++refused;
          continue;
        }
        if (!r.ok()) {
          ADD_FAILURE() << r.status().ToString();
          continue;
        }
        ++answered;
        // Only this person's covered elements.
        if (r->values.size() != 2 || r->values[0].record_key != "HJ-330102-" + std::to_string(200000 + n)) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.load(), kThreads * kReadsEach * 4 / 5);
  EXPECT_EQ(refused.load(), kThreads * kReadsEach / 5);
  EXPECT_EQ(wrong.load(), 0);
  // Exactly one access record and one ledger entry per answered read; none for a refusal.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM data_access"), answered.load());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger_queue") - queued_before, answered.load());
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT id) FROM data_access"), answered.load());
  EXPECT_EQ(service_->refused_reads(), refused.load());
  // Each subject's log holds exactly the reads of them.
  int64_t logged = 0;
  for (int n = 0; n < kPeople; ++n) {
    auto log = service_->AccessLog(PersonId(n), 0, 200);
    ASSERT_TRUE(log.ok());
    logged += static_cast<int64_t>(log->size());
  }
  EXPECT_EQ(logged, answered.load());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ReadGroupTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, ReadGroupTest, ::testing::Values(Backend::kPostgres), tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::data
