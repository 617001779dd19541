// OneTimeCodes on SQLite and PostgreSQL with a fake clock: a code works once, expires, is
// superseded, is stored hashed; wrong codes back off; sends are limited per person and per
// address; a login with no account gets the same answers as one with an account.
#include "identity/one_time_code.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "identity/identity_service.h"
#include "testing/databases.h"

namespace tongban::identity {
namespace {

using tongban::testing::Backend;

class OneTimeCodeTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    auto migrations = IdentityService::Migrations();
    for (auto& m : OneTimeCodes::Migrations()) migrations.push_back(m);
    ASSERT_TRUE(store::Migrate(**db_, migrations).ok());
    IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<IdentityService>(**db_, clock_, std::string(32, 'k'), options);
    auto id = identity_->CreateAccount(NewAccount{.login = "13800000001",
                                                  .role = Role::kCitizen,
                                                  .display_name = "张伟",
                                                  .subject_id = "110105194912310021",
                                                  .password = "correct horse"});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    account_ = *id;
    codes_ = std::make_unique<OneTimeCodes>(
        **db_, clock_, std::string(32, 'o'),
        [this](store::Tx&, const CodeDelivery& d, int64_t) -> Status {
          sent_.push_back(d);
          return Status::Ok();
        });
  }

  // The code of the last delivery.
  std::string LastCode() const { return sent_.empty() ? "" : sent_.back().code; }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<IdentityService> identity_;
  std::unique_ptr<OneTimeCodes> codes_;
  std::vector<CodeDelivery> sent_;
  int64_t account_ = 0;
};

TEST_P(OneTimeCodeTest, ACodeWorksOnceForItsPurpose) {
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].code.size(), 6u);
  EXPECT_EQ(sent_[0].login, "13800000001");
  EXPECT_EQ(sent_[0].subject_id, "110105194912310021");
  EXPECT_EQ(sent_[0].purpose, "login");
  // Another purpose's code does not take it.
  EXPECT_EQ(codes_->Redeem(account_, "password_reset", LastCode(), "192.0.2.7").code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(codes_->Redeem(account_, "login", LastCode(), "192.0.2.7").ok());
  // Reused: refused.
  EXPECT_EQ(codes_->Redeem(account_, "login", LastCode(), "192.0.2.7").code(),
            ErrorCode::kUnauthenticated);
}

TEST_P(OneTimeCodeTest, ACodeExpiresAfterFiveMinutes) {
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  clock_.Advance(std::chrono::seconds(301));
  Status s = codes_->Redeem(account_, "login", LastCode(), "192.0.2.7");
  EXPECT_EQ(s.code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(s.message(), "wrong or expired code");
}

TEST_P(OneTimeCodeTest, ANewCodeSupersedesTheOlder) {
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  std::string first = LastCode();
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  std::string second = LastCode();
  if (first != second) {
    EXPECT_EQ(codes_->Redeem(account_, "login", first, "192.0.2.7").code(),
              ErrorCode::kUnauthenticated);
  }
  EXPECT_TRUE(codes_->Redeem(account_, "login", second, "192.0.2.7").ok());
}

TEST_P(OneTimeCodeTest, CodesAreStoredHashedNeverInClear) {
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  std::string code = LastCode();
  Status s = (*db_)->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT code_hash, target_key, source_key FROM "
                                            "otp_codes", {}));
    EXPECT_EQ(rows.size(), 1u);
    for (const auto& r : rows) {
      for (size_t c = 0; c < 3; ++c) {
        auto b = r.Blob(c);
        std::string bytes(reinterpret_cast<const char*>(b.data()), b.size());
        EXPECT_EQ(bytes.size(), 32u);  // HMAC-SHA256
        EXPECT_EQ(bytes.find(code), std::string::npos);
        EXPECT_EQ(bytes.find("13800000001"), std::string::npos);
        EXPECT_EQ(bytes.find("192.0.2.7"), std::string::npos);
      }
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST_P(OneTimeCodeTest, WrongCodesBackOffThenAllowAgain) {
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  std::string right = LastCode();
  std::string wrong = right == "000000" ? "000001" : "000000";
  // Three free wrong answers, then a back-off of 30 s.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(codes_->Redeem(account_, "login", wrong, "192.0.2.7").code(),
              ErrorCode::kUnauthenticated);
  }
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001"), 0);
  EXPECT_EQ(codes_->Redeem(account_, "login", wrong, "192.0.2.7").code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001"), 30);
  // During the back-off even the right code is refused without being checked.
  EXPECT_EQ(codes_->Redeem(account_, "login", right, "192.0.2.7").code(),
            ErrorCode::kResourceExhausted);
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_TRUE(codes_->Redeem(account_, "login", right, "192.0.2.7").ok());
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001"), 0);
}

TEST_P(OneTimeCodeTest, TheBackOffDoubles) {
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  std::string wrong = LastCode() == "000000" ? "000001" : "000000";
  for (int i = 0; i < 4; ++i) (void)codes_->Redeem(account_, "login", wrong, "192.0.2.7");
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001"), 30);
  clock_.Advance(std::chrono::seconds(30));
  (void)codes_->Redeem(account_, "login", wrong, "192.0.2.7");  // the code is burnt now (5)
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001"), 60);
}

TEST_P(OneTimeCodeTest, ACodeAnsweredWronglyFiveTimesIsBurnt) {
  OneTimeCodeOptions options;
  options.free_wrong_codes = 100;  // no back-off, to see the burn alone
  OneTimeCodes codes(**db_, clock_, std::string(32, 'o'),
                     [this](store::Tx&, const CodeDelivery& d, int64_t) -> Status {
                       sent_.push_back(d);
                       return Status::Ok();
                     },
                     options);
  ASSERT_TRUE(codes.Send(account_, "login", "192.0.2.7").ok());
  std::string right = LastCode();
  std::string wrong = right == "000000" ? "000001" : "000000";
  for (int i = 0; i < 5; ++i) (void)codes.Redeem(account_, "login", wrong, "192.0.2.7");
  EXPECT_EQ(codes.Redeem(account_, "login", right, "192.0.2.7").code(),
            ErrorCode::kUnauthenticated);
}

TEST_P(OneTimeCodeTest, OneAddressGuessingAcrossPeopleIsStopped) {
  // 30 wrong codes from one address over ten people (three each: no person backs off), then the
  // address is refused, even with a right code; another address is not. Only wrong answers to
  // a live code count: each of the ten has one.
  for (int p = 0; p < 10; ++p) {
    ASSERT_TRUE(codes_->SendToLogin("1390000" + std::to_string(1000 + p), "login", "198.51.100.9")
                    .ok());
  }
  for (int p = 0; p < 10; ++p) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(codes_->RedeemForLogin("1390000" + std::to_string(1000 + p), "login", "000000",
                                       "203.0.113.5")
                    .status()
                    .code(),
                ErrorCode::kUnauthenticated);
    }
  }
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  EXPECT_EQ(codes_->Redeem(account_, "login", LastCode(), "203.0.113.5").code(),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001", "203.0.113.5"), 900);
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001"), 0);
  EXPECT_TRUE(codes_->Redeem(account_, "login", LastCode(), "192.0.2.7").ok());
  // The window passes: the address may try again.
  clock_.Advance(std::chrono::seconds(901));
  EXPECT_EQ(codes_->RedeemForLogin("13900001000", "login", "000000", "203.0.113.5").status().code(),
            ErrorCode::kUnauthenticated);
}

TEST_P(OneTimeCodeTest, WrongAnswersWithNoLiveCodeCountNothing) {
  // Someone who knows the phone number answers wrongly again and again while the person has no
  // code: the same refusal as a wrong code, and nothing counted — no back-off, no address limit.
  for (int i = 0; i < 40; ++i) {
    Status s = codes_->Redeem(account_, "login", "000000", "203.0.113.66");
    ASSERT_EQ(s.code(), ErrorCode::kUnauthenticated) << i;
    EXPECT_EQ(s.message(), "wrong or expired code");
  }
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001"), 0);
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001", "203.0.113.66"), 0);
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  EXPECT_TRUE(codes_->Redeem(account_, "login", LastCode(), "192.0.2.7").ok());
}

TEST_P(OneTimeCodeTest, AStrangerElsewhereDoesNotBackThePersonOff) {
  // The back-off is per (person, address): a guesser's wrong answers back off the guesser's
  // address, not the person answering from their own.
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  std::string right = LastCode();
  std::string wrong = right == "000000" ? "000001" : "000000";
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(codes_->Redeem(account_, "login", wrong, "203.0.113.66").code(),
              ErrorCode::kUnauthenticated);
  }
  EXPECT_EQ(codes_->Redeem(account_, "login", right, "203.0.113.66").code(),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001", "203.0.113.66"), 30);
  EXPECT_EQ(codes_->RetryAfterSeconds("13800000001", "192.0.2.7"), 0);
  EXPECT_TRUE(codes_->Redeem(account_, "login", right, "192.0.2.7").ok());
}

TEST_P(OneTimeCodeTest, SendsAreLimitedPerPersonAndPerAddress) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2." + std::to_string(i)).ok()) << i;
  }
  EXPECT_EQ(codes_->Send(account_, "login", "192.0.2.99").code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(codes_->SendRetryAfterSeconds("13800000001", "192.0.2.99"), 900);
  clock_.Advance(std::chrono::seconds(901));
  EXPECT_TRUE(codes_->Send(account_, "login", "192.0.2.99").ok());

  // One address asking for many people: 20 per window.
  for (int i = 0; i < 19; ++i) {
    ASSERT_TRUE(codes_->SendToLogin("1390000" + std::to_string(1000 + i), "login", "192.0.2.99")
                    .ok())
        << i;
  }
  EXPECT_EQ(codes_->SendToLogin("13912345678", "login", "192.0.2.99").code(),
            ErrorCode::kResourceExhausted);
  EXPECT_TRUE(codes_->SendToLogin("13912345678", "login", "198.51.100.1").ok());
}

TEST_P(OneTimeCodeTest, AnIpv6ClientCountsByItsSlash64) {
  // 20 codes asked from twenty addresses of one /64: its limit is full, for every address in it.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(codes_->SendToLogin("1390000" + std::to_string(1000 + i), "login",
                                    "2001:db8:0:1::" + std::to_string(i + 1))
                    .ok())
        << i;
  }
  EXPECT_EQ(codes_->SendToLogin("13912345678", "login", "2001:db8:0:1:ffff:1:2:3").code(),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(codes_->SendRetryAfterSeconds("13912345678", "2001:db8::1:abcd:0:0:9"), 900);
  EXPECT_TRUE(codes_->SendToLogin("13912345678", "login", "2001:db8:0:2::1").ok());
  // Wrong codes likewise: 30 from the /64, then refused from any address in it.
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(codes_->RedeemForLogin("1390000" + std::to_string(1000 + i % 10), "login",
                                     std::to_string(100000 + i), "2001:db8:0:1::" +
                                     std::to_string(100 + i))
                  .status()
                  .code(),
              ErrorCode::kUnauthenticated);
    clock_.Advance(std::chrono::seconds(1));
  }
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  EXPECT_EQ(codes_->Redeem(account_, "login", LastCode(), "2001:db8:0:1:9::9").code(),
            ErrorCode::kResourceExhausted);
  EXPECT_TRUE(codes_->Redeem(account_, "login", LastCode(), "2001:db8:0:3::1").ok());
}

TEST(OneTimeCodeAddress, LimitKey) {
  EXPECT_EQ(AddressLimitKey("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(AddressLimitKey("2001:db8:0:1::1"), "2001:db8:0:1::/64");
  EXPECT_EQ(AddressLimitKey("2001:DB8:0:1:ffff:ffff:ffff:ffff"), "2001:db8:0:1::/64");
  EXPECT_EQ(AddressLimitKey("[2001:db8:aa:bb::7]"), "2001:db8:aa:bb::/64");
  EXPECT_EQ(AddressLimitKey("fe80::1%eth0"), "fe80:0:0:0::/64");
  EXPECT_EQ(AddressLimitKey("::ffff:192.0.2.9"), "192.0.2.9");
  EXPECT_EQ(AddressLimitKey("::1"), "0:0:0:0::/64");
  EXPECT_EQ(AddressLimitKey("not an address"), "not an address");
  EXPECT_EQ(AddressLimitKey(""), "");
}

TEST_P(OneTimeCodeTest, NoHintWhetherAnAccountExists) {
  // The same answers, the same limits, nothing delivered for the login with no account.
  for (int i = 0; i < 5; ++i) {
    Status real = codes_->SendToLogin("13800000001", "password_reset", "192.0.2.1");
    Status none = codes_->SendToLogin("13899999999", "password_reset", "192.0.2.2");
    EXPECT_EQ(real.code(), none.code());
    EXPECT_TRUE(none.ok());
  }
  Status real = codes_->SendToLogin("13800000001", "password_reset", "192.0.2.1");
  Status none = codes_->SendToLogin("13899999999", "password_reset", "192.0.2.2");
  EXPECT_EQ(real.code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(real.code(), none.code());
  EXPECT_EQ(real.message(), none.message());
  EXPECT_EQ(sent_.size(), 5u);
  for (const auto& d : sent_) EXPECT_EQ(d.account_id, account_);
  auto a = codes_->RedeemForLogin("13800000001", "password_reset", "123456", "192.0.2.1");
  auto b = codes_->RedeemForLogin("13899999999", "password_reset", "123456", "192.0.2.2");
  if (LastCode() != "123456") {
    EXPECT_EQ(a.status().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(a.status().message(), b.status().message());
  }
  EXPECT_EQ(b.status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(OneTimeCodeTest, ADecoySendWritesARowAsARealOneDoes) {
  // The real send writes its notice (here: the test's sender); the decoy writes a row of the
  // same shape of its own, with no login in clear, delivered nowhere.
  ASSERT_TRUE(codes_->SendToLogin("13800000001", "login", "192.0.2.1").ok());
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_EQ(tongban::testing::CountRows(**db_, "SELECT COUNT(*) FROM otp_decoy_sends"), 0);
  ASSERT_TRUE(codes_->SendToLogin("13899999999", "login", "192.0.2.1").ok());
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_EQ(tongban::testing::CountRows(**db_, "SELECT COUNT(*) FROM otp_decoy_sends"), 1);
  EXPECT_EQ(tongban::testing::CountRows(**db_, "SELECT COUNT(*) FROM otp_decoy_sends WHERE "
                                               "recipient LIKE '%13899999999%' OR address <> ''"),
            0);
}

TEST_P(OneTimeCodeTest, PurgeRemovesRowsThatNoLongerCount) {
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  ASSERT_TRUE(codes_->SendToLogin("13899999999", "login", "192.0.2.7").ok());  // a decoy
  const std::string wrong = LastCode() == "000000" ? "000001" : "000000";
  for (int i = 0; i < 4; ++i) (void)codes_->Redeem(account_, "login", wrong, "203.0.113.9");
  auto rows = [&] {
    return tongban::testing::CountRows(
        **db_,
        "SELECT (SELECT COUNT(*) FROM otp_codes) + (SELECT COUNT(*) FROM otp_decoy_sends) + "
        "(SELECT COUNT(*) FROM otp_send_locks) + (SELECT COUNT(*) FROM otp_failures) + "
        "(SELECT COUNT(*) FROM otp_address_failures)");
  };
  EXPECT_EQ(rows(), 2 + 1 + 3 + 1 + 1);  // send locks: the two logins and the address
  auto purged = codes_->Purge();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 0);  // all still count
  clock_.Advance(std::chrono::seconds(3601));
  purged = codes_->Purge();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 8);
  EXPECT_EQ(rows(), 0);
  ASSERT_TRUE(codes_->Send(account_, "login", "192.0.2.7").ok());
  EXPECT_TRUE(codes_->Redeem(account_, "login", LastCode(), "203.0.113.9").ok());
}

TEST_P(OneTimeCodeTest, RedeemForLoginAnswersTheAccount) {
  ASSERT_TRUE(codes_->SendToLogin("13800000001", "login", "192.0.2.1").ok());
  auto id = codes_->RedeemForLogin("13800000001", "login", LastCode(), "192.0.2.1");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, account_);
}

TEST_P(OneTimeCodeTest, BadInputIsAFieldProblem) {
  Status s = codes_->Send(account_, "Login!", "192.0.2.1");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  s = codes_->Redeem(account_, "login", "12345", "192.0.2.1");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  s = codes_->Redeem(account_, "login", "12a456", "192.0.2.1");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(codes_->Send(987654, "login", "192.0.2.1").code(), ErrorCode::kNotFound);
}

TEST_P(OneTimeCodeTest, AFailedDeliveryKeepsNoCode) {
  OneTimeCodes codes(**db_, clock_, std::string(32, 'o'),
                     [](store::Tx&, const CodeDelivery&, int64_t) -> Status {
                       return Status::Unavailable("outbox down");
                     });
  EXPECT_EQ(codes.Send(account_, "login", "192.0.2.1").code(), ErrorCode::kUnavailable);
  Status s = (*db_)->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*) FROM otp_codes", {}));
    EXPECT_EQ(row->Int64(0), 0);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok());
}

// The databases the concurrency tests run on: the test's own (SQLite; PostgreSQL serializable)
// and, on PostgreSQL, a second connection at read committed (`?isolation=read_committed`).
std::vector<std::unique_ptr<store::Database>> ConcurrentDatabases(
    const tongban::testing::TestDatabase& test_db, Backend backend) {
  std::vector<std::unique_ptr<store::Database>> out;
  out.push_back(nullptr);  // the test's own
  if (backend == Backend::kPostgres) {
    auto db = store::Database::Open(test_db.url_ + "&isolation=read_committed");
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (db.ok()) out.push_back(std::move(db).value());
  }
  return out;
}

TEST_P(OneTimeCodeTest, ParallelRightAndWrongAnswersRedeemOnce) {
  OneTimeCodeOptions options;
  options.free_wrong_codes = 1000;    // no back-off and no burn: every right answer could win
  options.max_wrong_per_code = 1000;
  options.max_wrong_per_address = 1000;
  options.max_sends_per_target = 100;
  for (auto& extra : ConcurrentDatabases(*db_, GetParam())) {
    store::Database& db = extra ? *extra : **db_;
    for (int round = 0; round < 3; ++round) {
      OneTimeCodes codes(db, clock_, std::string(32, 'o'),
                         [this](store::Tx&, const CodeDelivery& d, int64_t) -> Status {
                           sent_.push_back(d);
                           return Status::Ok();
                         },
                         options);
      ASSERT_TRUE(codes.Send(account_, "login", "192.0.2.7").ok());
      const std::string right = LastCode();
      const std::string wrong = right == "000000" ? "000001" : "000000";
      std::atomic<int> ok{0}, refused{0}, other{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < 6; ++i) {
            Status s = codes.Redeem(account_, "login", (t + i) % 2 == 0 ? right : wrong,
                                    "192.0.2.7");
            if (s.ok()) {
              ++ok;
            } else if (s.code() == ErrorCode::kUnauthenticated) {
              ++refused;
            } else {
              ++other;
              ADD_FAILURE() << s.ToString();
            }
          }
        });
      }
      for (auto& t : threads) t.join();
      EXPECT_EQ(ok.load(), 1) << "round " << round;
      EXPECT_EQ(refused.load(), 47);
      EXPECT_EQ(other.load(), 0);
    }
  }
}

TEST_P(OneTimeCodeTest, ParallelWrongAnswersAreAllCounted) {
  OneTimeCodeOptions options;
  options.free_wrong_codes = 1000;
  options.max_wrong_per_code = 1000;
  options.max_wrong_per_address = 1000;
  options.max_sends_per_target = 100;
  int64_t expected = 0;
  for (auto& extra : ConcurrentDatabases(*db_, GetParam())) {
    store::Database& db = extra ? *extra : **db_;
    OneTimeCodes codes(db, clock_, std::string(32, 'o'),
                       [this](store::Tx&, const CodeDelivery& d, int64_t) -> Status {
                         sent_.push_back(d);
                         return Status::Ok();
                       },
                       options);
    ASSERT_TRUE(codes.Send(account_, "login", "192.0.2.7").ok());
    const std::string wrong = LastCode() == "000000" ? "000001" : "000000";
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 5; ++i) {
          Status s = codes.Redeem(account_, "login", wrong, "203.0.113.8");
          EXPECT_EQ(s.code(), ErrorCode::kUnauthenticated) << s.ToString();
        }
      });
    }
    for (auto& t : threads) t.join();
    expected += 40;
    // Every wrong answer counted once: on the code, for the address, for the person there.
    EXPECT_EQ(tongban::testing::CountRows(
                  **db_, "SELECT wrong_count FROM otp_codes WHERE used_at IS NULL"),
              40);
    EXPECT_EQ(tongban::testing::CountRows(**db_, "SELECT failures FROM otp_address_failures"),
              expected);
    EXPECT_EQ(tongban::testing::CountRows(**db_, "SELECT failures FROM otp_failures"), expected);
  }
}

TEST_P(OneTimeCodeTest, ParallelSendsKeepTheLimit) {
  for (auto& extra : ConcurrentDatabases(*db_, GetParam())) {
    store::Database& db = extra ? *extra : **db_;
    OneTimeCodes codes(db, clock_, std::string(32, 'o'), nullptr);
    std::atomic<int> ok{0}, limited{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 3; ++i) {
          Status s = codes.SendToLogin("13800000001", "step_up",
                                       "192.0.2." + std::to_string(10 + t * 3 + i));
          if (s.ok()) {
            ++ok;
          } else {
            EXPECT_EQ(s.code(), ErrorCode::kResourceExhausted) << s.ToString();
            ++limited;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 5);  // max_sends_per_target
    EXPECT_EQ(limited.load(), 19);
    clock_.Advance(std::chrono::seconds(901));  // a fresh window for the next database
  }
}

TEST(OneTimeCodePurpose, Valid) {
  EXPECT_TRUE(ValidCodePurpose("attorney_confirm"));
  EXPECT_FALSE(ValidCodePurpose(""));
  EXPECT_FALSE(ValidCodePurpose("Login"));
  EXPECT_FALSE(ValidCodePurpose(std::string(33, 'a')));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, OneTimeCodeTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, OneTimeCodeTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::identity
