// Acting for others over HTTP, on SQLite and PostgreSQL: the authoriser with X-Act-For (the
// principal handed to the handler is the person acted for, carrying the agent), 403 beyond scope,
// after expiry (fake clock), from the next request after a withdrawal, before valid_from and on a
// route that declares no act-scope; the principal's history of uses; another person's power of
// attorney 404; field-level 400s; enterprise agents and guardianships.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/dispatcher.h"
#include "identity/part/attorney_routes.h"
#include "identity/part/auth_handlers.h"
#include "notify/outbox.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/synthetic_ids.h"
#include "testing/test_server.h"

namespace tongban::api {
namespace {

using identity::NewAccount;
using identity::Role;
using tongban::testing::Backend;
using tongban::testing::HttpClient;

constexpr const char* kPassword = "password-for-tests";

class AttorneyRoutesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> all = identity::IdentityService::Migrations();
    for (auto& m : identity::AttorneyService::Migrations()) all.push_back(std::move(m));
    for (auto& m : IdempotencyStore::Migrations()) all.push_back(std::move(m));
    for (auto& m : notify::Migrations()) all.push_back(std::move(m));
    ASSERT_TRUE(store::Migrate(**db_, all).ok());
    identity::IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<identity::IdentityService>(**db_, clock_, std::string(32, 'k'), options);
    attorneys_ = std::make_unique<identity::AttorneyService>(**db_, clock_);
    using tongban::testing::SyntheticId;
    mother_ = Add("13800000021", Role::kCitizen, "王秀英", SyntheticId("330106", "19480305", "026"));
    son_ = Add("13800000022", Role::kCitizen, "刘建国", SyntheticId("330106", "19750611", "031"));
    Add("13800000023", Role::kCitizen, "陈静", tongban::testing::kLiNa);
    company_ = Add("enterprise-test", Role::kEnterprise, "杭州示范科技有限公司", tongban::testing::kCompany);
    Add("admin", Role::kAdmin, "运维管理员", "");
    Add("staff", Role::kStaff, "王芳", "");

    AddAuthRoutes(dispatcher_.router(), *identity_);
    AddAttorneyRoutes(dispatcher_.router(), *attorneys_, *identity_, nullptr);
    // Routes standing for "my receipts" (acting accepted), "my licences" and one without an act-scope.
    auto who = [](const HttpRequest& r, const PathParams&) {
      const auto& p = *r.principal;
      return HttpResponse::Json(200, "{\"account\":" + std::to_string(p.account_id) + ",\"agent\":" +
                                         std::to_string(p.agent_account_id) + ",\"attorney\":" +
                                         std::to_string(p.attorney_id) + "}");
    };
    dispatcher_.router()
        .Add(Route{"GET", "/api/v1/test/receipts", "testReceipts", "test", RouteAccess::Roles({"citizen"}), who})
        .ActsFor("receipts.view");
    dispatcher_.router()
        .Add(Route{"GET", "/api/v1/test/licenses", "testLicenses", "test",
                   RouteAccess::Roles({"citizen", "enterprise"}), who})
        .ActsFor("licenses.view");
    dispatcher_.router()
        .Add(Route{"POST", "/api/v1/test/apply", "testApply", "test", RouteAccess::Roles({"citizen"}), who,
                   "application/json", "application/json", /*idempotent=*/true})
        .ActsFor("services.apply:");
    dispatcher_.router().Add(
        Route{"GET", "/api/v1/test/no-act", "testNoAct", "test", RouteAccess::Roles({"citizen"}), who});
    dispatcher_.AddSystemRoutes();
    dispatcher_.set_authoriser(MakeAuthoriser(*identity_, attorneys_.get()));
    idempotency_ = std::make_unique<IdempotencyStore>(**db_, clock_);
    dispatcher_.set_idempotency(idempotency_.get());
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
  }

  int64_t Add(std::string login, Role role, std::string name, std::string subject) {
    auto id = identity_->CreateAccount(NewAccount{.login = std::move(login), .role = role,
                                                  .display_name = std::move(name),
                                                  .subject_id = std::move(subject), .password = kPassword});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  std::string Login(std::string_view login) {
    auto pair = identity_->Login(login, kPassword);
    EXPECT_TRUE(pair.ok()) << pair.status().ToString();
    return pair.ok() ? "Bearer " + pair->access_token : "";
  }

  struct Answer {
    int status = -1;
    boost::json::value body;
  };
  Answer Call(std::string method, std::string path, const std::string& auth, std::string body = "",
              std::optional<int64_t> act_for = {}, std::string raw_act_for = "",
              std::string idempotency_key = "") {
    HttpClient c(server_->port());
    std::map<std::string, std::string> h{{"Authorization", auth}};
    if (!idempotency_key.empty()) h["Idempotency-Key"] = idempotency_key;
    if (act_for) h["X-Act-For"] = std::to_string(*act_for);
    if (!raw_act_for.empty()) h["X-Act-For"] = raw_act_for;
    if (!body.empty()) h["Content-Type"] = "application/json";
    auto r = c.Request(method, path, body, h);
    if (!r) return {};
    Answer a{r->status, nullptr};
    boost::system::error_code ec;
    a.body = boost::json::parse(r->body, ec);
    return a;
  }

  // 王秀英 gives her son a power of attorney for her receipts and one service, from today.
  int64_t GiveReceipts(std::string extra_fields = "") {
    Answer a = Call("POST", "/api/v1/me/attorneys", Login("13800000021"),
                    R"({"agent_login":"13800000022","scopes":["receipts.view","services.apply:senior_card"],)"
                    R"("valid_until":")" + Date(30) + "\"" + extra_fields + "}");
    EXPECT_EQ(a.status, 201) << boost::json::serialize(a.body);
    return a.status == 201 ? a.body.at("id").as_int64() : 0;
  }

  // The China date `days` from now.
  std::string Date(int64_t days) {
    return ChinaDate(FromUnixMicros(clock_.NowUnixMicros() + days * 86400 * 1000000)).ToString();
  }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<identity::AttorneyService> attorneys_;
  std::unique_ptr<IdempotencyStore> idempotency_;
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
  int64_t mother_ = 0, son_ = 0, company_ = 0;
};

TEST_P(AttorneyRoutesTest, TheAgentActsAsThePrincipalAndThePrincipalSeesIt) {
  int64_t id = GiveReceipts();
  std::string son = Login("13800000022");
  Answer a = Call("GET", "/api/v1/test/receipts", son, "", id);
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body.at("account").as_int64(), mother_);
  EXPECT_EQ(a.body.at("agent").as_int64(), son_);
  EXPECT_EQ(a.body.at("attorney").as_int64(), id);
  // Without the header the son is himself.
  a = Call("GET", "/api/v1/test/receipts", son);
  EXPECT_EQ(a.body.at("account").as_int64(), son_);
  EXPECT_EQ(Call("POST", "/api/v1/test/apply", son, "{}", id).status, 200);

  Answer uses = Call("GET", "/api/v1/me/attorneys/uses", Login("13800000021"));
  ASSERT_EQ(uses.status, 200);
  const auto& items = uses.body.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("operation").as_string(), "testApply");
  EXPECT_EQ(items[1].at("agent_name").as_string(), "刘建国");
  EXPECT_EQ(items[1].at("zh").as_string(), "查看我的电子票据");

  Answer whom = Call("GET", "/api/v1/me/acting-for", son);
  ASSERT_EQ(whom.status, 200);
  ASSERT_EQ(whom.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(whom.body.at("items").at(0).at("principal_name").as_string(), "王秀英");
  EXPECT_EQ(whom.body.at("items").at(0).at("as").as_string(), "agent");
  Answer mine = Call("GET", "/api/v1/me/attorneys", Login("13800000021"));
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body.at("given").as_array().size(), 1u);
  EXPECT_EQ(mine.body.at("given").at(0).at("agent_login_masked").as_string(), "138****0022");
}

TEST_P(AttorneyRoutesTest, AnAgentsIdempotencyKeyIsItsOwn) {
  const int64_t id = GiveReceipts();
  const std::string body = R"({"bundle":"senior_card"})";
  // 王秀英 applies with a key; her son, acting for her, sends the same request with the same key:
  // he is not handed her stored answer (the handler runs for him, as her agent), and his own
  // repeat is his replay.
  Answer hers = Call("POST", "/api/v1/test/apply", Login("13800000021"), body, {}, "", "apply-0001");
  ASSERT_EQ(hers.status, 200);
  EXPECT_EQ(hers.body.at("agent").as_int64(), 0);
  Answer his = Call("POST", "/api/v1/test/apply", Login("13800000022"), body, id, "", "apply-0001");
  ASSERT_EQ(his.status, 200) << boost::json::serialize(his.body);
  EXPECT_EQ(his.body.at("account").as_int64(), mother_);
  EXPECT_EQ(his.body.at("agent").as_int64(), son_);
  Answer again = Call("POST", "/api/v1/test/apply", Login("13800000022"), body, id, "", "apply-0001");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body.at("agent").as_int64(), son_);
}

TEST_P(AttorneyRoutesTest, BeyondScopeOrOnARouteWithoutAnActScopeIs403) {
  int64_t id = GiveReceipts();
  std::string son = Login("13800000022");
  Answer a = Call("GET", "/api/v1/test/licenses", son, "", id);
  EXPECT_EQ(a.status, 403);
  EXPECT_NE(std::string(a.body.at("detail").as_string()).find("does not cover licenses.view"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/test/no-act", son, "", id).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/me", son, "", id).status, 403);
  // Acting cannot give or withdraw powers of attorney in the principal's name.
  EXPECT_EQ(Call("GET", "/api/v1/me/attorneys", son, "", id).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/me/attorneys/" + std::to_string(id) + "/revoke", son, "", id).status, 403);
  // Someone else's attorney id, or a made-up one: 403 all the same; a malformed header 400.
  EXPECT_EQ(Call("GET", "/api/v1/test/receipts", Login("13800000023"), "", id).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/test/receipts", son, "", id + 1000).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/test/receipts", son, "", {}, "abc").status, 400);
  // Nothing was done for her.
  Answer uses = Call("GET", "/api/v1/me/attorneys/uses", Login("13800000021"));
  EXPECT_TRUE(uses.body.at("items").as_array().empty());
}

TEST_P(AttorneyRoutesTest, WithdrawnIsRefusedFromTheNextRequestOn) {
  int64_t id = GiveReceipts();
  std::string son = Login("13800000022");
  ASSERT_EQ(Call("GET", "/api/v1/test/receipts", son, "", id).status, 200);
  Answer r = Call("POST", "/api/v1/me/attorneys/" + std::to_string(id) + "/revoke", Login("13800000021"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("state").as_string(), "revoked");
  Answer a = Call("GET", "/api/v1/test/receipts", son, "", id);  // the same token, the next request
  EXPECT_EQ(a.status, 403);
  EXPECT_NE(std::string(a.body.at("detail").as_string()).find("withdrawn"), std::string::npos);
  EXPECT_EQ(Call("POST", "/api/v1/me/attorneys/" + std::to_string(id) + "/revoke", Login("13800000021")).status,
            409);
}

TEST_P(AttorneyRoutesTest, ExpiredOrNotYetInForceIs403) {
  int64_t id = GiveReceipts();
  int64_t later = GiveReceipts(R"(,"valid_from":")" + Date(5) + "\"");
  ASSERT_EQ(Call("GET", "/api/v1/test/receipts", Login("13800000022"), "", later).status, 403);
  clock_.Advance(std::chrono::hours(24 * 6));
  EXPECT_EQ(Call("GET", "/api/v1/test/receipts", Login("13800000022"), "", later).status, 200);
  clock_.Advance(std::chrono::hours(24 * 30));
  Answer a = Call("GET", "/api/v1/test/receipts", Login("13800000022"), "", id);
  EXPECT_EQ(a.status, 403);
  EXPECT_NE(std::string(a.body.at("detail").as_string()).find("expired"), std::string::npos);
}

TEST_P(AttorneyRoutesTest, AnotherPersonsPowerOfAttorneyIs404) {
  int64_t id = GiveReceipts();
  std::string stranger = Login("13800000023");
  const std::string path = "/api/v1/me/attorneys/" + std::to_string(id);
  EXPECT_EQ(Call("GET", path, stranger).status, 404);
  EXPECT_EQ(Call("POST", path + "/revoke", stranger).status, 404);
  // The agent sees it but cannot withdraw it (only the principal can).
  EXPECT_EQ(Call("GET", path, Login("13800000022")).status, 200);
  EXPECT_EQ(Call("POST", path + "/revoke", Login("13800000022")).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/me/enterprise/agents/" + std::to_string(id) + "/revoke",
                 Login("enterprise-test"))
                .status,
            404);
}

TEST_P(AttorneyRoutesTest, BadInputIsAFieldLevelProblem) {
  Answer a = Call("POST", "/api/v1/me/attorneys", Login("13800000021"),
                  R"({"agent_login":"13800000021","scopes":["receipts.view","x"],"valid_until":"2026-02-30"})");
  ASSERT_EQ(a.status, 400);
  std::vector<std::string> fields;
  for (const auto& e : a.body.at("errors").as_array()) fields.emplace_back(e.at("field").as_string());
  EXPECT_EQ(fields, (std::vector<std::string>{"/valid_until"}));
  a = Call("POST", "/api/v1/me/attorneys", Login("13800000021"),
           R"({"agent_login":"13800000021","scopes":["receipts.view","x"],"valid_until":")" + Date(500) + "\"}");
  ASSERT_EQ(a.status, 400);
  fields.clear();
  for (const auto& e : a.body.at("errors").as_array()) fields.emplace_back(e.at("field").as_string());
  EXPECT_EQ(fields, (std::vector<std::string>{"/scopes/1", "/valid_until", "/agent_login"}));
  a = Call("POST", "/api/v1/me/attorneys", Login("13800000021"), R"({"agent_login":"13800000022","scope":[]})");
  EXPECT_EQ(a.status, 400);
}

TEST_P(AttorneyRoutesTest, AnEnterpriseAuthorisesAnEmployee) {
  std::string company = Login("enterprise-test");
  Answer a = Call("POST", "/api/v1/me/enterprise/agents", company,
                  R"({"agent_login":"13800000022","scopes":["licenses.view"],"valid_until":")" + Date(700) + "\"}");
  ASSERT_EQ(a.status, 201) << boost::json::serialize(a.body);
  int64_t id = a.body.at("id").as_int64();
  EXPECT_EQ(a.body.at("kind").as_string(), "enterprise_agent");
  Answer acted = Call("GET", "/api/v1/test/licenses", Login("13800000022"), "", id);
  ASSERT_EQ(acted.status, 200);
  EXPECT_EQ(acted.body.at("account").as_int64(), company_);
  // A citizen-only route is not the enterprise's, whatever the scope.
  EXPECT_EQ(Call("GET", "/api/v1/test/receipts", Login("13800000022"), "", id).status, 403);
  Answer list = Call("GET", "/api/v1/me/enterprise/agents", company);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(Call("POST", "/api/v1/me/enterprise/agents/" + std::to_string(id) + "/revoke", company).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/test/licenses", Login("13800000022"), "", id).status, 403);
}

TEST_P(AttorneyRoutesTest, AnAdminRecordsAGuardianship) {
  const std::string child = tongban::testing::SyntheticId("330106", "20150601", "044");
  Answer a = Call("POST", "/api/v1/admin/guardianships", Login("admin"),
                  R"({"guardian_login":"13800000022","child_id":")" + child +
                      R"(","child_name":"刘小雨","relation":"parent","evidence":"出生医学证明 O330000001"})");
  ASSERT_EQ(a.status, 201) << boost::json::serialize(a.body);
  EXPECT_EQ(a.body.at("child_id_masked").as_string().find(child), std::string::npos);
  int64_t attorney = a.body.at("attorney_id").as_int64();
  Answer acted = Call("GET", "/api/v1/test/receipts", Login("13800000022"), "", attorney);
  EXPECT_EQ(acted.status, 200);
  Answer list = Call("GET", "/api/v1/admin/guardianships", Login("admin"));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.at("items").as_array().size(), 1u);
  // Ended: the guardian's next request for the child is refused; ending it again is 409.
  const std::string end = "/api/v1/admin/guardianships/" + std::to_string(a.body.at("id").as_int64()) + "/end";
  Answer ended = Call("POST", end, Login("admin"));
  ASSERT_EQ(ended.status, 200) << boost::json::serialize(ended.body);
  EXPECT_EQ(ended.body.at("state").as_string(), "revoked");
  EXPECT_EQ(Call("GET", "/api/v1/test/receipts", Login("13800000022"), "", attorney).status, 403);
  EXPECT_EQ(Call("POST", end, Login("admin")).status, 409);
  EXPECT_EQ(Call("POST", "/api/v1/admin/guardianships/999/end", Login("admin")).status, 404);
  // Assisted creation needs one-time codes (not wired in this test): 503, not a silent success.
  EXPECT_EQ(Call("POST", "/api/v1/staff/attorneys/codes", Login("staff"), R"({"principal_login":"13800000021"})")
                .status,
            503);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AttorneyRoutesTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, AttorneyRoutesTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::api
