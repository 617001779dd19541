// IdentityService on SQLite and PostgreSQL: accounts, login, refresh rotation, logout revocation,
// API keys, and every way a credential can be missing, malformed, forged, expired or revoked.
#include "identity/identity_service.h"

#include <gtest/gtest.h>

#include "testing/databases.h"

namespace tongban::identity {
namespace {

using tongban::testing::Backend;

class IdentityServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    ASSERT_TRUE(store::Migrate(**db_, IdentityService::Migrations()).ok());
    IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    service_ = std::make_unique<IdentityService>(**db_, clock_, std::string(32, 'k'), options);
    auto id = service_->CreateAccount(NewAccount{.login = "13800000001",
                                                 .role = Role::kCitizen,
                                                 .display_name = "张伟",
                                                 .subject_id = "110105194912310021",
                                                 .region_code = "110105",
                                                 .password = "correct horse"});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    citizen_id_ = *id;
  }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<IdentityService> service_;
  int64_t citizen_id_ = 0;
};

TEST_P(IdentityServiceTest, LoginIssuesATokenThatAuthenticates) {
  auto pair = service_->Login("13800000001", "correct horse");
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  auto p = service_->Authenticate("Bearer " + pair->access_token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->account_id, citizen_id_);
  EXPECT_EQ(p->role, Role::kCitizen);
  auto account = service_->GetAccount(p->account_id);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->display_name, "张伟");
}

TEST_P(IdentityServiceTest, WrongPasswordAndUnknownLoginLookAlike) {
  auto a = service_->Login("13800000001", "wrong password");
  auto b = service_->Login("13899999999", "correct horse");
  ASSERT_FALSE(a.ok());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(a.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(a.status().message(), b.status().message());
}

TEST_P(IdentityServiceTest, DuplicateLoginIsAlreadyExists) {
  auto id = service_->CreateAccount(
      NewAccount{.login = "13800000001", .display_name = "李娜", .password = "another pw"});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), ErrorCode::kAlreadyExists);
}

TEST_P(IdentityServiceTest, ExpiredTokenIsRejected) {
  auto pair = service_->Login("13800000001", "correct horse");
  ASSERT_TRUE(pair.ok());
  clock_.Advance(std::chrono::minutes(16));
  auto p = service_->Authenticate("Bearer " + pair->access_token);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(p.status().message().find("expired"), std::string::npos);
}

TEST_P(IdentityServiceTest, ForgedOrMalformedTokensAreRejected) {
  auto pair = service_->Login("13800000001", "correct horse");
  ASSERT_TRUE(pair.ok());
  std::string t = pair->access_token;
  std::string flipped = t;
  flipped[6] = flipped[6] == 'A' ? 'B' : 'A';  // payload changed, MAC kept
  SessionTokenCodec other_key(std::string(32, 'x'));
  std::string other = other_key.Encode(SessionClaims{citizen_id_, pair->session_id, Role::kAdmin,
                                                     0, int64_t{1} << 40});
  for (const std::string& bad :
       {std::string(""), std::string("Bearer"), std::string("Basic abc"), "Bearer " + flipped,
        "Bearer " + other, std::string("Bearer tb1.x.y"), "Bearer " + t.substr(0, t.size() - 2),
        std::string("Bearer tbk_short"), std::string("Bearer tbk_000000000000_nope")}) {
    auto p = service_->Authenticate(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), ErrorCode::kUnauthenticated) << bad;
  }
}

TEST_P(IdentityServiceTest, LogoutRevokesAccessAndRefresh) {
  auto pair = service_->Login("13800000001", "correct horse");
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(service_->Logout(pair->session_id).ok());
  EXPECT_FALSE(service_->Authenticate("Bearer " + pair->access_token).ok());
  EXPECT_FALSE(service_->Refresh(pair->refresh_token).ok());
  // A restarted service learns the revocation from the database.
  IdentityOptions options;
  options.password = crypto::PasswordParams::ForTestsOnly();
  IdentityService restarted(**db_, clock_, std::string(32, 'k'), options);
  ASSERT_TRUE(restarted.LoadRevocations().ok());
  EXPECT_FALSE(restarted.Authenticate("Bearer " + pair->access_token).ok());
}

TEST_P(IdentityServiceTest, RefreshRotatesAndOldRefreshTokenStopsWorking) {
  auto pair = service_->Login("13800000001", "correct horse");
  ASSERT_TRUE(pair.ok());
  auto next = service_->Refresh(pair->refresh_token);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_NE(next->refresh_token, pair->refresh_token);
  EXPECT_TRUE(service_->Authenticate("Bearer " + next->access_token).ok());
  auto again = service_->Refresh(pair->refresh_token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(IdentityServiceTest, ApiKeysAuthenticateWithScopesAndCanBeRevoked) {
  auto hospital = service_->CreateAccount(NewAccount{.login = "hz-first-hospital",
                                                     .role = Role::kDepartmentSystem,
                                                     .display_name = "杭州市第一人民医院",
                                                     .department = "杭州市卫生健康委员会",
                                                     .region_code = "330100"});
  ASSERT_TRUE(hospital.ok());
  auto key = service_->CreateApiKey(*hospital, {"receipt:issue"}, "HIS");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->starts_with("tbk_"));
  auto p = service_->Authenticate("Bearer " + *key);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->role, Role::kDepartmentSystem);
  EXPECT_TRUE(p->HasScope("receipt:issue"));
  EXPECT_FALSE(p->HasScope("receipt:reimburse"));
  std::string wrong = *key;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(service_->Authenticate("Bearer " + wrong).ok());
  ASSERT_TRUE(service_->RevokeApiKey(p->api_key_id).ok());
  EXPECT_FALSE(service_->Authenticate("Bearer " + *key).ok());
  EXPECT_FALSE(service_->CreateApiKey(*hospital, {"Bad Scope"}, "x").ok());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, IdentityServiceTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, IdentityServiceTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::identity
