// Group commit of claims (ReceiptService::AddClaim / AddClaims), on SQLite and (with
// TONGBAN_TEST_PG) PostgreSQL: many concurrent claims on many receipts and on one receipt never
// exceed a total and each caller gets its own answer; claims in one group see each other in
// order; a claim that fails does not fail its group mates; with faults injected at COMMIT nobody
// is told "created" for a claim that was not committed, and a lost acknowledgement is not run
// again. Synthetic claimants only.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "receipt_fixture.h"

namespace tongban::receipt {
namespace {

using testing::ReceiptFixture;
using testing::SampleReceipt;
using tongban::testing::Backend;

class ClaimGroupTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!f_.Open(GetParam())) GTEST_SKIP() << "PostgreSQL not configured (TONGBAN_TEST_PG)";
  }
  ReceiptService& svc() { return *f_.service_; }
  std::vector<Receipt> IssueMany(int n) {
    std::vector<NewReceipt> in(static_cast<size_t>(n), SampleReceipt());
    auto r = svc().Issue(ReceiptFixture::kHospitalAccount, in, true, f_.sequencer_->size());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Receipt>{};
  }
  Receipt Reload(const Receipt& r) { return svc().Get(r.code, r.number).value(); }
  int64_t Count(std::string_view sql) {
    int64_t n = -1;
    EXPECT_TRUE(f_.db_->get()
                    ->Read([&](store::Tx& tx) -> Status {
                      TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(sql));
                      n = row->Int64(0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }
  int64_t ClaimRows() { return Count("SELECT COUNT(*) FROM receipt_claim"); }
  static ClaimRequest Request(const Receipt& r, std::string claimant, int64_t fen) {
    ClaimRequest q;
    q.code = r.code;
    q.number = r.number;
    q.claimant_account = ReceiptFixture::kInsurerAccount;
    q.claimant = std::move(claimant);
    q.amount_fen = fen;
    return q;
  }

  ReceiptFixture f_;
};

TEST_P(ClaimGroupTest, ConcurrentClaimsOnManyReceiptsNeverExceedAndEachGetsItsOwnAnswer) {
  std::vector<Receipt> receipts = IssueMany(40);
  ASSERT_EQ(receipts.size(), 40u);
  constexpr int kThreads = 48, kEach = 12;
  std::mutex mu;
  std::map<int64_t, int64_t> granted;  // receipt index -> fen granted
  std::set<int64_t> ids;
  std::atomic<int> ok{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int k = 0; k < kEach; ++k) {
        const size_t at = rng() % receipts.size();
        const int64_t fen = 1000 + static_cast<int64_t>(rng() % 3000);
        const std::string who = "保险公司" + std::to_string(t) + "-" + std::to_string(k);
        auto c = svc().AddClaim(receipts[at].code, receipts[at].number, 300 + t, who, fen,
                                "YB-" + std::to_string(t));
        if (c.ok()) {
          // The caller's own claim, not a group mate's.
          EXPECT_EQ(c->claimant, who);
          EXPECT_EQ(c->amount_fen, fen);
          EXPECT_EQ(c->claimant_account, 300 + t);
          std::lock_guard lock(mu);
          granted[static_cast<int64_t>(at)] += fen;
          EXPECT_TRUE(ids.insert(c->id).second) << "claim id handed out twice: " << c->id;
          ++ok;
        } else if (c.status().code() == ErrorCode::kConflict) {
          ++conflicts;
        } else {
          ADD_FAILURE() << c.status().ToString();
          ++other;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok + conflicts + other, kThreads * kEach);
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(conflicts.load(), 0);  // 576 claims of 1,000-3,999 fen on 40 receipts of 7,200
  EXPECT_EQ(ClaimRows(), ok.load());
  for (size_t i = 0; i < receipts.size(); ++i) {
    Receipt r = Reload(receipts[i]);
    EXPECT_LE(r.claimed_fen, r.total_fen);
    EXPECT_EQ(r.claimed_fen, granted[static_cast<int64_t>(i)]) << "receipt " << i;
  }
  // One ledger entry per granted claim (plus the 40 issues).
  f_.Integrate();
  EXPECT_EQ(f_.sequencer_->size(), 40u + static_cast<uint64_t>(ok.load()));
}

TEST_P(ClaimGroupTest, ConcurrentSmallClaimsOnOneReceiptFillItExactly) {
  Receipt a = IssueMany(1).front();
  constexpr int kThreads = 64;  // 64 x 200 fen asked, 7,200 fen there: 36 granted
  std::atomic<int> ok{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = svc().AddClaim(a.code, a.number, 300 + t, "单位" + std::to_string(t), 200, "");
      if (c.ok()) ++ok;
      else if (c.status().code() == ErrorCode::kConflict) ++conflicts;
      else ADD_FAILURE() << c.status().ToString();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 36);
  EXPECT_EQ(conflicts.load(), kThreads - 36);
  EXPECT_EQ(Reload(a).claimed_fen, 7200);
  EXPECT_EQ(ClaimRows(), 36);
}

TEST_P(ClaimGroupTest, ClaimsOfOneGroupSeeEachOtherInOrder) {
  std::vector<Receipt> rs = IssueMany(2);
  ASSERT_EQ(rs.size(), 2u);
  ClaimRequest unknown = Request(rs[0], "杭州市医疗保障局", 100);
  unknown.number = ReceiptNumber::FromInt(99999).value();
  std::vector<ClaimRequest> group = {
      Request(rs[0], "杭州市医疗保障局", 4320),
      Request(rs[0], "杭州示范科技有限公司", 2881),  // 2,880 left: 409 naming the first
      Request(rs[0], "杭州示范科技有限公司", 2880),
      unknown,                                         // 404
      Request(rs[1], "杭州市医疗保障局", 0),           // 400, checked before the transaction
      Request(rs[1], "杭州市医疗保障局", 7200),
      Request(rs[1], "李娜", 1),                      // nothing left
  };
  auto results = svc().AddClaims(group);
  ASSERT_EQ(results.size(), group.size());
  EXPECT_TRUE(results[0].ok()) << results[0].status().ToString();
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].status().code(), ErrorCode::kConflict);
  EXPECT_NE(results[1].status().message().find("杭州市医疗保障局"), std::string::npos)
      << results[1].status().message();
  EXPECT_TRUE(results[2].ok()) << results[2].status().ToString();
  EXPECT_EQ(results[3].status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(results[4].status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(results[5].ok());
  EXPECT_EQ(results[6].status().code(), ErrorCode::kConflict);
  EXPECT_EQ(Reload(rs[0]).claimed_fen, 7200);
  EXPECT_EQ(Reload(rs[1]).claimed_fen, 7200);
  EXPECT_EQ(ClaimRows(), 3);
  EXPECT_LT(results[0]->id, results[2]->id);
}

TEST_P(ClaimGroupTest, AFailingStatementFailsOnlyItsOwnClaim) {
  std::vector<Receipt> rs = IssueMany(5);
  ASSERT_EQ(rs.size(), 5u);
  std::vector<ClaimRequest> group;
  for (int i = 0; i < 5; ++i) group.push_back(Request(rs[i], "杭州市医疗保障局", 1000));
  // The group's third claim row fails (not retryable): the group is rolled back and its claims
  // run one by one, where the third fails again (the 6th claim insert overall).
  std::atomic<int> inserts{0};
  f_.SetFault([&](std::string_view point) -> Status {
    if (point.starts_with("INSERT INTO receipt_claim")) {
      int n = ++inserts;
      if (n == 3 || n == 6) return Status::Internal("injected: claim row rejected");
    }
    return Status::Ok();
  });
  auto results = svc().AddClaims(group);
  f_.SetFault(nullptr);
  ASSERT_EQ(results.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    if (i == 2) {
      EXPECT_FALSE(results[i].ok());
    } else {
      EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].status().ToString();
    }
    EXPECT_EQ(Reload(rs[i]).claimed_fen, i == 2 ? 0 : 1000) << i;
  }
  EXPECT_EQ(ClaimRows(), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger_queue"), 5 + 4);
}

TEST_P(ClaimGroupTest, FailedCommitAcknowledgesNoClaim) {
  std::vector<Receipt> rs = IssueMany(16);
  ASSERT_EQ(rs.size(), 16u);
  f_.SetFault([](std::string_view point) -> Status {
    if (point == "COMMIT") return Status::Internal("injected: disk full at COMMIT");
    return Status::Ok();
  });
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      auto c = svc().AddClaim(rs[t].code, rs[t].number, 300 + t, "单位" + std::to_string(t),
                              7200, "");
      if (c.ok()) ++created;
    });
  }
  for (auto& th : threads) th.join();
  f_.SetFault(nullptr);
  EXPECT_EQ(created.load(), 0);
  EXPECT_EQ(ClaimRows(), 0);
  for (const Receipt& r : rs) EXPECT_EQ(Reload(r).claimed_fen, 0);
  // Once the disk is back, the same claims go through, once each.
  std::vector<ClaimRequest> again;
  for (int t = 0; t < 16; ++t) again.push_back(Request(rs[t], "单位" + std::to_string(t), 7200));
  for (auto& r : svc().AddClaims(again)) EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ClaimRows(), 16);
}

TEST_P(ClaimGroupTest, RetryableCommitFailureRerunsTheGroupOnce) {
  std::vector<Receipt> rs = IssueMany(4);
  ASSERT_EQ(rs.size(), 4u);
  std::atomic<int> commits{0};
  f_.SetFault([&](std::string_view point) -> Status {
    if (point == "COMMIT" && ++commits == 1) return Status::Unavailable("injected: busy");
    return Status::Ok();
  });
  std::vector<ClaimRequest> group;
  for (const Receipt& r : rs) group.push_back(Request(r, "杭州市医疗保障局", 7200));
  auto results = svc().AddClaims(group);
  f_.SetFault(nullptr);
  for (auto& r : results) EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(commits.load(), 2);
  EXPECT_EQ(ClaimRows(), 4);
  for (const Receipt& r : rs) EXPECT_EQ(Reload(r).claimed_fen, 7200);
}

TEST_P(ClaimGroupTest, LostAcknowledgementIsNotRunAgain) {
  std::vector<Receipt> rs = IssueMany(3);
  ASSERT_EQ(rs.size(), 3u);
  std::atomic<bool> once{false};
  f_.SetFault([&](std::string_view point) -> Status {
    if (point == "COMMITTED" && !once.exchange(true)) {
      return Status::Internal("injected: connection lost after COMMIT");
    }
    return Status::Ok();
  });
  std::vector<ClaimRequest> group;
  for (const Receipt& r : rs) group.push_back(Request(r, "杭州市医疗保障局", 1000));
  auto results = svc().AddClaims(group);
  f_.SetFault(nullptr);
  // The outcome was unknown to the service: every claim reports the error, and none was run a
  // second time (the committed group holds each claim once).
  for (auto& r : results) EXPECT_FALSE(r.ok());
  EXPECT_EQ(ClaimRows(), 3);
  for (const Receipt& r : rs) EXPECT_EQ(Reload(r).claimed_fen, 1000);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ClaimGroupTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, ClaimGroupTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::receipt
