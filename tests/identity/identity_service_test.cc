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

  // A department-system account (API keys only) for the key tests.
  Result<int64_t> CreateHospital() {
    return service_->CreateAccount(NewAccount{.login = "hz-first-hospital",
                                              .role = Role::kDepartmentSystem,
                                              .display_name = "杭州市第一人民医院",
                                              .department = "杭州市卫生健康委员会",
                                              .region_code = "330100"});
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
  auto hospital = CreateHospital();
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

// Issue 15, finding 9 (RFC 9700 §4.14): a rotated-away refresh token that comes back means two
// parties hold the session; the whole session ends, its newest tokens too, and says why.
TEST_P(IdentityServiceTest, ReusedRefreshTokenRevokesTheWholeSession) {
  auto pair = service_->Login("13800000001", "correct horse");
  ASSERT_TRUE(pair.ok());
  auto next = service_->Refresh(pair->refresh_token);  // the legitimate client rotates
  ASSERT_TRUE(next.ok());
  auto stolen = service_->Refresh(pair->refresh_token);  // the thief replays the old token
  ASSERT_FALSE(stolen.ok());
  EXPECT_EQ(stolen.status().code(), ErrorCode::kUnauthenticated);
  // The newest tokens of the session stop working as well.
  EXPECT_FALSE(service_->Authenticate("Bearer " + next->access_token).ok());
  EXPECT_FALSE(service_->Refresh(next->refresh_token).ok());
  // Recorded in the database, so a restarted node refuses the access token too.
  auto reason = (*db_)->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT revoked_reason FROM sessions WHERE id = ?",
                                              {pair->session_id}));
    if (!row || row->IsNull(0)) return Status::NotFound("revoked_reason");
    EXPECT_EQ(row->Text(0), "refresh_token_reuse");
    return Status::Ok();
  });
  EXPECT_TRUE(reason.ok()) << reason.ToString();
  IdentityOptions options;
  options.password = crypto::PasswordParams::ForTestsOnly();
  IdentityService restarted(**db_, clock_, std::string(32, 'k'), options);
  ASSERT_TRUE(restarted.LoadRevocations().ok());
  EXPECT_FALSE(restarted.Authenticate("Bearer " + next->access_token).ok());
  // Another session of the same person is not touched.
  auto other = service_->Login("13800000001", "correct horse");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(service_->Authenticate("Bearer " + other->access_token).ok());
}

// Issue 15, finding 2: guessing one account's password is slowed down per account.
TEST_P(IdentityServiceTest, FailedLoginsBackOffPerAccountWithoutLockingOut) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(service_->Login("13800000001", "guess " + std::to_string(i)).status().code(),
              ErrorCode::kUnauthenticated);
  }
  // The sixth failure starts a 1 s wait; during it even the right password is not checked.
  EXPECT_EQ(service_->Login("13800000001", "guess 5").status().code(), ErrorCode::kUnauthenticated);
  auto refused = service_->Login("13800000001", "correct horse");
  EXPECT_EQ(refused.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(service_->login_guard().RetryAfterSeconds("13800000001"), 1);
  // The wait doubles with each further failure ...
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(service_->Login("13800000001", "guess 6").status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(service_->login_guard().RetryAfterSeconds("13800000001"), 2);
  // ... but is bounded (300 s by default): no lock-out.
  for (int i = 0; i < 20; ++i) {
    clock_.Advance(std::chrono::seconds(300));
    EXPECT_EQ(service_->Login("13800000001", "guess").status().code(), ErrorCode::kUnauthenticated);
  }
  EXPECT_EQ(service_->login_guard().RetryAfterSeconds("13800000001"), 300);
  clock_.Advance(std::chrono::seconds(300));
  // Other accounts, and unknown logins, are not affected by this account's back-off.
  EXPECT_EQ(service_->Login("13899999999", "x").status().code(), ErrorCode::kUnauthenticated);
  // After the wait the right password works, and success clears the count.
  ASSERT_TRUE(service_->Login("13800000001", "correct horse").ok());
  EXPECT_EQ(service_->login_guard().RetryAfterSeconds("13800000001"), 0);
  EXPECT_EQ(service_->Login("13800000001", "one typo").status().code(), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(service_->Login("13800000001", "correct horse").ok());
}

// Review finding: "13800000001\0<n>" was looked up as "13800000001" on PostgreSQL, each <n> with
// a back-off counter of its own. A login name with a control byte names no account.
TEST_P(IdentityServiceTest, LoginNamesWithControlBytesNameNoAccount) {
  for (int i = 0; i < 20; ++i) {
    std::string login = std::string("13800000001") + '\0' + std::to_string(i);
    EXPECT_EQ(service_->Login(login, "correct horse").status().code(), ErrorCode::kUnauthenticated);
  }
  EXPECT_EQ(service_->Login("13800000001\n", "correct horse").status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(service_->Login("13800000001", "correct horse").ok());
}

// Review finding: a key in its overlap window could be rotated again (a thief with the old key
// minting a key that never expires). Once rotated, only the successor can be rotated.
TEST_P(IdentityServiceTest, ARotatedKeyCannotBeRotatedAgain) {
  auto hospital = CreateHospital();
  ASSERT_TRUE(hospital.ok());
  auto key = service_->CreateApiKey(*hospital, {"receipt:issue"}, "HIS");
  ASSERT_TRUE(key.ok());
  auto fresh = service_->RotateApiKey(key->substr(4, 12), 3600);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(service_->Authenticate("Bearer " + *key).ok());  // inside its overlap
  EXPECT_EQ(service_->RotateApiKey(key->substr(4, 12), 3600).status().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(service_->RotateApiKey(fresh->substr(4, 12), 60).ok());
}

TEST_P(IdentityServiceTest, UnknownLoginsBackOffLikeRealOnes) {
  // Otherwise a guesser could tell accounts from non-accounts by which ones answer 429.
  for (int i = 0; i < 6; ++i) (void)service_->Login("13899999999", "guess");
  EXPECT_EQ(service_->Login("13899999999", "guess").status().code(), ErrorCode::kResourceExhausted);
}

// Issue 15, finding 8: one answer for every bad API key, so key ids cannot be probed.
TEST_P(IdentityServiceTest, EveryBadApiKeyGetsTheSameAnswer) {
  auto hospital = CreateHospital();
  ASSERT_TRUE(hospital.ok());
  auto key = service_->CreateApiKey(*hospital, {"receipt:issue"}, "HIS");
  ASSERT_TRUE(key.ok());
  std::string wrong_secret = *key;
  wrong_secret.back() = wrong_secret.back() == 'a' ? 'b' : 'a';
  std::string revoked = *service_->CreateApiKey(*hospital, {"receipt:issue"}, "old HIS");
  ASSERT_TRUE(service_->RevokeApiKey(revoked.substr(4, 12)).ok());
  std::vector<std::string> bad = {"tbk_000000000000_secret", wrong_secret, revoked, "tbk_short"};
  for (const std::string& k : bad) {
    auto p = service_->Authenticate("Bearer " + k);
    ASSERT_FALSE(p.ok()) << k;
    EXPECT_EQ(p.status().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(p.status().message(), "invalid API key") << k;
  }
}

// Issue 15, finding 4: keys are listed, rotated with an overlap, and revoked — at once on the
// node that revokes, within api_key_cache_seconds on another node (a second service here).
TEST_P(IdentityServiceTest, ApiKeysRotateWithOverlapAndRevokeAcrossNodes) {
  auto hospital = CreateHospital();
  ASSERT_TRUE(hospital.ok());
  auto key = service_->CreateApiKey(*hospital, {"receipt:issue", "license:issue"}, "HIS");
  ASSERT_TRUE(key.ok());
  std::string key_id = key->substr(4, 12);
  IdentityOptions options;
  options.password = crypto::PasswordParams::ForTestsOnly();
  options.api_key_cache_seconds = 5;
  IdentityService other_node(**db_, clock_, std::string(32, 'k'), options);
  ASSERT_TRUE(other_node.Authenticate("Bearer " + *key).ok());  // now cached there

  // Rotation: the new key has the same scopes; the old one works until the overlap ends.
  auto fresh = service_->RotateApiKey(key_id, 3600);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  auto p = service_->Authenticate("Bearer " + *fresh);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->HasScope("license:issue"));
  EXPECT_TRUE(service_->Authenticate("Bearer " + *key).ok());
  auto listed = service_->ListApiKeys(*hospital);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  for (const auto& k : *listed) {
    EXPECT_EQ(k.account_login, "hz-first-hospital");
    EXPECT_TRUE(k.active);
    if (k.key_id == key_id) {
      ASSERT_TRUE(k.expires_at.has_value());
      EXPECT_EQ(*k.expires_at, 1'790'000'000 + 3600);
    }
  }
  clock_.Advance(std::chrono::seconds(3600));
  EXPECT_FALSE(service_->Authenticate("Bearer " + *key).ok());
  EXPECT_FALSE(other_node.Authenticate("Bearer " + *key).ok());
  EXPECT_EQ(service_->RotateApiKey(key_id, 60).status().code(), ErrorCode::kFailedPrecondition);

  // Revocation: at once here; the other node refuses it once its cached row is older than 5 s.
  ASSERT_TRUE(other_node.Authenticate("Bearer " + *fresh).ok());
  ASSERT_TRUE(service_->RevokeApiKey(fresh->substr(4, 12)).ok());
  EXPECT_FALSE(service_->Authenticate("Bearer " + *fresh).ok());
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_FALSE(other_node.Authenticate("Bearer " + *fresh).ok());
  EXPECT_EQ(service_->RevokeApiKey("0123456789ab").code(), ErrorCode::kNotFound);
  EXPECT_EQ(service_->RotateApiKey("0123456789ab", 60).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(service_->RotateApiKey(key_id, 8 * 86400).status().code(), ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, IdentityServiceTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, IdentityServiceTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::identity
