// AttorneyService on SQLite and PostgreSQL: powers of attorney given, listed, withdrawn; the check
// of every acting request (beyond scope, before valid_from, after expiry with a fake clock,
// withdrawn from the next request on, not the caller's); uses recorded for the principal; the
// notifications written once; enterprise agents; guardianships; field-level refusals.
#include "identity/attorney.h"

#include <gtest/gtest.h>

#include "identity/identity_service.h"
#include "notify/outbox.h"
#include "testing/databases.h"
#include "testing/synthetic_ids.h"

namespace tongban::identity {
namespace {

using tongban::testing::Backend;

constexpr int64_t kDay = 86400;

std::vector<store::Migration> AllMigrations() {
  std::vector<store::Migration> all = IdentityService::Migrations();
  for (auto& m : AttorneyService::Migrations()) all.push_back(std::move(m));
  for (auto& m : notify::Migrations()) all.push_back(std::move(m));
  return all;
}

class AttorneyServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    ASSERT_TRUE(store::Migrate(**db_, AllMigrations()).ok());
    IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<IdentityService>(**db_, clock_, std::string(32, 'k'), options);
    attorneys_ = std::make_unique<AttorneyService>(**db_, clock_);
    mother_ = Add("13800000021", Role::kCitizen, "王秀英", tongban::testing::SyntheticId("330106", "19480305", "026"));
    son_ = Add("13800000022", Role::kCitizen, "刘建国", tongban::testing::SyntheticId("330106", "19750611", "031"));
    stranger_ = Add("13800000023", Role::kCitizen, "陈静", tongban::testing::kLiNa);
    company_ = Add("enterprise-test", Role::kEnterprise, "杭州示范科技有限公司", tongban::testing::kCompany);
  }

  int64_t Add(std::string login, Role role, std::string name, std::string subject) {
    auto id = identity_->CreateAccount(NewAccount{.login = std::move(login), .role = role,
                                                  .display_name = std::move(name),
                                                  .subject_id = std::move(subject)});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  int64_t Now() const { return clock_.NowUnixMicros() / 1000000; }

  NewAttorney Give(std::vector<std::string> scopes, int64_t days = 30) {
    return NewAttorney{.kind = AttorneyKind::kAttorney, .principal_account = mother_,
                       .agent_login = "13800000022", .scopes = std::move(scopes),
                       .valid_until = Now() + days * kDay, .created_by = mother_};
  }

  int64_t Outbox(std::string_view template_id) {
    int64_t n = 0;
    EXPECT_TRUE(db_->get()->Read([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*) FROM notify_outbox WHERE template_id = ?",
                                                {template_id}));
      n = row->Int64(0);
      return Status::Ok();
    }).ok());
    return n;
  }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<IdentityService> identity_;
  std::unique_ptr<AttorneyService> attorneys_;
  int64_t mother_ = 0, son_ = 0, stranger_ = 0, company_ = 0;
};

TEST_P(AttorneyServiceTest, GivenIsListedForBothSidesAndHiddenFromOthers) {
  auto a = attorneys_->Create(Give({"receipts.view", "services.apply:senior_card"}));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->principal_name, "王秀英");
  EXPECT_EQ(a->agent_name, "刘建国");
  EXPECT_EQ(a->StateAt(Now()), "in_force");
  auto given = attorneys_->ListGiven(mother_);
  ASSERT_TRUE(given.ok());
  ASSERT_EQ(given->size(), 1u);
  auto received = attorneys_->ListReceived(son_);
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].scopes, (std::vector<std::string>{"receipts.view", "services.apply:senior_card"}));
  EXPECT_TRUE(attorneys_->Get(a->id, son_).ok());
  // Another person's power of attorney is not found, exactly like a missing one.
  EXPECT_EQ(attorneys_->Get(a->id, stranger_).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(attorneys_->Get(a->id + 100, mother_).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Outbox("attorney.created"), 1);
}

TEST_P(AttorneyServiceTest, BadInputIsRefusedFieldByField) {
  NewAttorney bad = Give({"receipts.view", "pets.feed", "receipts.view"}, 400);
  bad.agent_login = "13800000021";  // herself
  auto a = attorneys_->Create(bad);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), ErrorCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& f : a.status().fields()) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"/scopes/1", "/scopes/2", "/valid_until", "/agent_login"}));

  NewAttorney unknown = Give({"receipts.view"});
  unknown.agent_login = "13899999999";
  a = attorneys_->Create(unknown);
  ASSERT_FALSE(a.ok());
  ASSERT_EQ(a.status().fields().size(), 1u);
  EXPECT_EQ(a.status().fields()[0].field, "/agent_login");

  NewAttorney past = Give({}, 1);
  past.valid_until = Now() - 10;
  a = attorneys_->Create(past);
  ASSERT_FALSE(a.ok());
  ASSERT_EQ(a.status().fields().size(), 2u);
  EXPECT_EQ(a.status().fields()[0].field, "/scopes");
  EXPECT_EQ(a.status().fields()[1].field, "/valid_until");

  NewAttorney bad_item = Give({"services.apply:Senior Card"});
  EXPECT_EQ(attorneys_->Create(bad_item).status().code(), ErrorCode::kInvalidArgument);
  attorneys_->SetServiceItemCheck([](std::string_view item) { return item == "senior_card"; });
  EXPECT_EQ(attorneys_->Create(Give({"services.apply:driving_test"})).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(attorneys_->Create(Give({"services.apply:senior_card"})).ok());
  EXPECT_EQ(Outbox("attorney.created"), 1);
}

TEST_P(AttorneyServiceTest, ActingWithinScopeRecordsTheUseAndNotifiesOncePerDay) {
  auto a = attorneys_->Create(Give({"receipts.view", "services.apply:senior_card"}));
  ASSERT_TRUE(a.ok());
  auto acting = attorneys_->Act(a->id, son_, "receipts.view", "listMyReceipts", "GET");
  ASSERT_TRUE(acting.ok()) << acting.status().ToString();
  EXPECT_EQ(acting->principal_account, mother_);
  EXPECT_EQ(acting->principal_role, Role::kCitizen);
  // A route taking any service item ("services.apply:") is covered by a named item.
  EXPECT_TRUE(attorneys_->Act(a->id, son_, "services.apply:", "startCase", "POST").ok());
  EXPECT_EQ(Outbox("attorney.used"), 1);  // twice today, told once
  clock_.Advance(std::chrono::hours(24));
  EXPECT_TRUE(attorneys_->Act(a->id, son_, "receipts.view", "getReceipt", "GET").ok());
  EXPECT_EQ(Outbox("attorney.used"), 2);

  auto uses = attorneys_->Uses(mother_);
  ASSERT_TRUE(uses.ok());
  ASSERT_EQ(uses->size(), 3u);
  EXPECT_EQ((*uses)[0].operation, "getReceipt");
  EXPECT_EQ((*uses)[0].agent_name, "刘建国");
  EXPECT_EQ((*uses)[2].operation, "listMyReceipts");
  EXPECT_TRUE(attorneys_->Uses(son_)->empty());
}

TEST_P(AttorneyServiceTest, BeyondScopeOrSomeoneElsesIsForbidden) {
  auto a = attorneys_->Create(Give({"receipts.view"}));
  ASSERT_TRUE(a.ok());
  auto r = attorneys_->Act(a->id, son_, "licenses.view", "listMyLicenses", "GET");
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("does not cover licenses.view"), std::string::npos);
  EXPECT_EQ(attorneys_->Act(a->id, son_, "services.apply:", "startCase", "POST").status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(attorneys_->Act(a->id, stranger_, "receipts.view", "listMyReceipts", "GET").status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(attorneys_->Act(a->id + 7, son_, "receipts.view", "listMyReceipts", "GET").status().code(),
            ErrorCode::kPermissionDenied);
  // A route the principal's role may not call.
  EXPECT_EQ(attorneys_->Act(a->id, son_, "receipts.view", "x", "GET", [](Role r) { return r == Role::kStaff; })
                .status()
                .code(),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(attorneys_->Uses(mother_)->empty());
}

TEST_P(AttorneyServiceTest, NotBeforeValidFromNorAfterValidUntil) {
  NewAttorney later = Give({"receipts.view"}, 30);
  later.valid_from = Now() + 10 * kDay;
  auto a = attorneys_->Create(later);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->StateAt(Now()), "not_yet");
  auto r = attorneys_->Act(a->id, son_, "receipts.view", "listMyReceipts", "GET");
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("in force from"), std::string::npos);
  clock_.Advance(std::chrono::seconds(10 * kDay));
  EXPECT_TRUE(attorneys_->Act(a->id, son_, "receipts.view", "listMyReceipts", "GET").ok());
  clock_.Advance(std::chrono::seconds(20 * kDay));  // valid_until is exclusive
  r = attorneys_->Act(a->id, son_, "receipts.view", "listMyReceipts", "GET");
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("expired"), std::string::npos);
}

TEST_P(AttorneyServiceTest, WithdrawnStopsTheNextRequest) {
  auto a = attorneys_->Create(Give({"receipts.view"}));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(attorneys_->Act(a->id, son_, "receipts.view", "listMyReceipts", "GET").ok());
  // Only the principal withdraws it; to anyone else it does not exist.
  EXPECT_EQ(attorneys_->Revoke(a->id, son_, son_).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(attorneys_->Revoke(a->id, mother_, mother_, AttorneyKind::kEnterpriseAgent).status().code(),
            ErrorCode::kNotFound);
  auto revoked = attorneys_->Revoke(a->id, mother_, mother_);
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(revoked->StateAt(Now()), "revoked");
  auto r = attorneys_->Act(a->id, son_, "receipts.view", "listMyReceipts", "GET");
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("withdrawn"), std::string::npos);
  EXPECT_EQ(attorneys_->Revoke(a->id, mother_, mother_).status().code(), ErrorCode::kFailedPrecondition);
}

TEST_P(AttorneyServiceTest, EnterpriseAgentsAreTheEnterprisesToGive) {
  NewAttorney agent{.kind = AttorneyKind::kEnterpriseAgent, .principal_account = company_,
                    .agent_login = "13800000022", .scopes = {"licenses.view", "licenses.present"},
                    .valid_until = Now() + 2 * 365 * kDay, .created_by = company_};
  auto a = attorneys_->Create(agent);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto acting = attorneys_->Act(a->id, son_, "licenses.view", "listMyLicenses", "GET");
  ASSERT_TRUE(acting.ok());
  EXPECT_EQ(acting->principal_role, Role::kEnterprise);
  EXPECT_EQ(acting->principal_account, company_);
  agent.valid_until = Now() + 4 * 365 * kDay;
  auto too_long = attorneys_->Create(agent);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().fields().at(0).field, "/valid_until");
  // A citizen has no enterprise agents; an enterprise gives no citizen's power of attorney.
  agent.principal_account = mother_;
  agent.valid_until = Now() + 30 * kDay;
  EXPECT_EQ(attorneys_->Create(agent).status().code(), ErrorCode::kPermissionDenied);
  NewAttorney wrong = Give({"receipts.view"});
  wrong.principal_account = company_;
  EXPECT_EQ(attorneys_->Create(wrong).status().code(), ErrorCode::kPermissionDenied);
  auto list = attorneys_->ListGiven(company_, AttorneyKind::kEnterpriseAgent);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TEST_P(AttorneyServiceTest, AGuardianActsForAMinorWithoutAnAccountUntilEighteen) {
  const std::string child = tongban::testing::SyntheticId("330106", "20150601", "044");
  auto g = attorneys_->RecordGuardianship(
      NewGuardianship{.guardian_login = "13800000022", .child_subject = child, .child_name = "刘小雨",
                      .relation = "parent", .evidence = "出生医学证明 O330000001"},
      stranger_);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_NE(g->child_account, 0);
  auto account = identity_->GetAccount(g->child_account);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->display_name, "刘小雨");
  EXPECT_EQ(account->login.find(child), std::string::npos);  // no ID number in a login
  auto a = attorneys_->Get(g->attorney_id, son_);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kind, AttorneyKind::kGuardian);
  EXPECT_EQ(a->valid_until, ChinaDayStartUnix(CivilDate{2033, 6, 1}));
  auto acting = attorneys_->Act(g->attorney_id, son_, "receipts.view", "listMyReceipts", "GET");
  ASSERT_TRUE(acting.ok());
  EXPECT_EQ(acting->principal_account, g->child_account);
  // The same record twice, an adult "child", bad fields: refused.
  auto again = attorneys_->RecordGuardianship(
      NewGuardianship{.guardian_login = "13800000022", .child_subject = child, .child_name = "刘小雨",
                      .evidence = "出生医学证明 O330000001"},
      stranger_);
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  auto adult = attorneys_->RecordGuardianship(
      NewGuardianship{.guardian_login = "13800000099", .child_subject = tongban::testing::kZhangWei,
                      .child_name = "", .relation = "uncle", .evidence = ""},
      stranger_);
  ASSERT_FALSE(adult.ok());
  std::vector<std::string> fields;
  for (const auto& f : adult.status().fields()) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"/child_id", "/child_name", "/relation", "/evidence",
                                              "/guardian_login"}));
  auto list = attorneys_->ListGuardianships();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TEST(AttorneyScopesTest, TheClosedSet) {
  EXPECT_TRUE(KnownActScope("receipts.view"));
  EXPECT_TRUE(KnownActScope("services.apply:senior_card"));
  EXPECT_FALSE(KnownActScope("services.apply:"));
  EXPECT_FALSE(KnownActScope("services.apply"));
  EXPECT_FALSE(KnownActScope("admin"));
  EXPECT_TRUE(ScopeCovers("services.apply:senior_card", "services.apply:"));
  EXPECT_FALSE(ScopeCovers("services.view", "services.apply:"));
  EXPECT_FALSE(ScopeCovers("receipts.view", ""));
  for (const ActScope& s : ActScopes()) {
    EXPECT_FALSE(s.zh.empty());
    EXPECT_FALSE(s.en.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AttorneyServiceTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, AttorneyServiceTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::identity
