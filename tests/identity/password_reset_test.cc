// PasswordReset on SQLite and PostgreSQL with a fake clock: the code, the new password and the
// end of every session commit together — a failure costs no code, and a login with the old
// password that verified it just before the reset keeps no session.
#include "identity/password_reset.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>

#include "identity/session_directory.h"
#include "testing/databases.h"

namespace tongban::identity {
namespace {

using tongban::testing::Backend;

class PasswordResetTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store::DatabaseOptions options;
    options.fault_hook = [this](std::string_view point) -> Status {
      if (fail_password_update_ &&
          point.find("UPDATE accounts SET password_hash = ? WHERE") != std::string_view::npos) {
        fail_password_update_ = false;
        return Status::Internal("injected");
      }
      // A login read the account's password hash: at its next transaction (the session's),
      // run `between_` first — as if the reset came while the password was being verified.
      if (between_ &&
          point.find("SELECT id, role, password_hash FROM accounts") != std::string_view::npos) {
        login_read_ = true;
      } else if (login_read_ && point == "BEGIN") {
        login_read_ = false;
        auto run = std::move(between_);
        between_ = nullptr;
        run();
      }
      return Status::Ok();
    };
    db_ = tongban::testing::OpenTestDatabase(GetParam(), options);
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    auto migrations = IdentityService::Migrations();
    for (auto& m : OneTimeCodes::Migrations()) migrations.push_back(m);
    for (auto& m : SessionDirectory::Migrations()) migrations.push_back(m);
    ASSERT_TRUE(store::Migrate(**db_, migrations).ok());
    IdentityOptions identity_options;
    identity_options.password = crypto::PasswordParams::ForTestsOnly();
    identity_ =
        std::make_unique<IdentityService>(**db_, clock_, std::string(32, 'k'), identity_options);
    ASSERT_TRUE(identity_
                    ->CreateAccount(NewAccount{.login = "13800000001",
                                               .role = Role::kCitizen,
                                               .display_name = "张伟",
                                               .password = "old password"})
                    .ok());
    codes_ = std::make_unique<OneTimeCodes>(
        **db_, clock_, std::string(32, 'o'),
        [this](store::Tx&, const CodeDelivery& d, int64_t) -> Status {
          code_ = d.code;
          return Status::Ok();
        });
    sessions_ =
        std::make_unique<SessionDirectory>(**db_, clock_, *identity_, RegionTable::Builtin());
    reset_ = std::make_unique<PasswordReset>(clock_, *identity_, *codes_, crypto::PasswordParams::ForTestsOnly());
  }

  int64_t LiveSessions() {
    return tongban::testing::CountRows(**db_,
                                       "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL");
  }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::atomic<bool> fail_password_update_{false};
  std::atomic<bool> login_read_{false};
  std::function<void()> between_;
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<IdentityService> identity_;
  std::unique_ptr<OneTimeCodes> codes_;
  std::unique_ptr<SessionDirectory> sessions_;
  std::unique_ptr<PasswordReset> reset_;
  std::string code_;
};

TEST_P(PasswordResetTest, ResetSetsThePasswordAndEndsEverySession) {
  auto before = identity_->Login("13800000001", "old password");
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(codes_->SendToLogin("13800000001", "password_reset", "192.0.2.7").ok());
  ASSERT_TRUE(reset_->Reset("13800000001", code_, "new password", "192.0.2.7").ok());
  EXPECT_EQ(LiveSessions(), 0);
  EXPECT_FALSE(identity_->Authenticate("Bearer " + before->access_token).ok());
  EXPECT_FALSE(identity_->Login("13800000001", "old password").ok());
  EXPECT_TRUE(identity_->Login("13800000001", "new password").ok());
  // The code is spent.
  EXPECT_EQ(reset_->Reset("13800000001", code_, "third password", "192.0.2.7").status().code(),
            ErrorCode::kUnauthenticated);
}

TEST_P(PasswordResetTest, AFailedUpdateCostsNoCode) {
  ASSERT_TRUE(codes_->SendToLogin("13800000001", "password_reset", "192.0.2.7").ok());
  fail_password_update_ = true;
  EXPECT_FALSE(reset_->Reset("13800000001", code_, "new password", "192.0.2.7").ok());
  EXPECT_FALSE(fail_password_update_.load());  // the update did fail
  EXPECT_TRUE(identity_->Login("13800000001", "old password").ok());
  // The same code still works.
  auto again = reset_->Reset("13800000001", code_, "new password", "192.0.2.7");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(identity_->Login("13800000001", "new password").ok());
}

TEST_P(PasswordResetTest, ALoginRacingTheResetKeepsNoSession) {
  // The login verifies the old password; before its session is stored, the reset commits.
  ASSERT_TRUE(codes_->SendToLogin("13800000001", "password_reset", "192.0.2.7").ok());
  Status reset = Status::Internal("not run");
  between_ = [&] {
    reset = reset_->Reset("13800000001", code_, "new password", "192.0.2.7").status();
  };
  auto login = identity_->Login("13800000001", "old password");
  ASSERT_TRUE(reset.ok()) << reset.ToString();
  EXPECT_EQ(login.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(LiveSessions(), 0);
  EXPECT_TRUE(identity_->Login("13800000001", "new password").ok());
}

TEST_P(PasswordResetTest, AWrongCodeChangesNothing) {
  ASSERT_TRUE(codes_->SendToLogin("13800000001", "password_reset", "192.0.2.7").ok());
  const std::string wrong = code_ == "000000" ? "000001" : "000000";
  EXPECT_EQ(reset_->Reset("13800000001", wrong, "new password", "192.0.2.7").status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(reset_->Reset("13899999999", wrong, "new password", "192.0.2.7").status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(identity_->Login("13800000001", "old password").ok());
  EXPECT_EQ(reset_->Reset("13800000001", code_, "short", "192.0.2.7").status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(reset_->Reset("13800000001", code_, "new password", "192.0.2.7").ok());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, PasswordResetTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, PasswordResetTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::identity
