// Authentication and authorisation end to end over HTTP: login, /me, refresh, logout — and, for
// EVERY non-public route in the route table, that a missing, malformed, forged or expired
// credential gets 401 and a role the route does not list gets 403.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "identity/part/auth_handlers.h"
#include "api/dispatcher.h"
#include "api/server.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::api {
namespace {

using identity::NewAccount;
using identity::Role;
using tongban::testing::HttpClient;

constexpr const char* kPassword = "password-for-tests";

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(tongban::testing::Backend::kSqlite);
    ASSERT_TRUE(db_);
    ASSERT_TRUE(store::Migrate(**db_, identity::IdentityService::Migrations()).ok());
    identity::IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<identity::IdentityService>(**db_, clock_, std::string(32, 'k'),
                                                            options);
    for (Role r : {Role::kCitizen, Role::kEnterprise, Role::kStaff, Role::kAuditor, Role::kAdmin}) {
      auto id = identity_->CreateAccount(NewAccount{.login = std::string(identity::RoleName(r)),
                                                    .role = r,
                                                    .display_name = "测试用户",
                                                    .password = kPassword});
      ASSERT_TRUE(id.ok()) << id.status().ToString();
    }
    auto system = identity_->CreateAccount(NewAccount{.login = "system",
                                                      .role = Role::kDepartmentSystem,
                                                      .display_name = "杭州市示范第一医院"});
    ASSERT_TRUE(system.ok());
    auto key = identity_->CreateApiKey(*system, {"receipt:issue"}, "test");
    ASSERT_TRUE(key.ok());
    api_key_ = *key;

    AddAuthRoutes(dispatcher_.router(), *identity_);
    // Routes standing for the kinds of access later parts declare.
    for (auto [path, access] : std::vector<std::pair<std::string, RouteAccess>>{
             {"/api/v1/test/staff-only", RouteAccess::Roles({"staff"})},
             {"/api/v1/test/citizen-or-enterprise", RouteAccess::Roles({"citizen", "enterprise"})},
             {"/api/v1/test/issue-scope", RouteAccess::Roles({"scope:receipt:issue"})},
             {"/api/v1/test/auditor", RouteAccess::Roles({"auditor", "admin"})}}) {
      dispatcher_.router().Add(Route{"GET", path, "test", "test route", access,
                                     [](const HttpRequest& r, const PathParams&) {
                                       return HttpResponse::Json(
                                           200, "{\"account\":" +
                                                    std::to_string(r.principal->account_id) + "}");
                                     }});
    }
    dispatcher_.AddSystemRoutes();
    dispatcher_.set_authoriser(MakeAuthoriser(*identity_));
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
  }

  std::string Login(std::string_view login) {
    HttpClient c(server_->port());
    auto r = c.Request("POST", "/api/v1/auth/login",
                       R"({"login":")" + std::string(login) + R"(","password":")" + kPassword + "\"}");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no response");
    if (!r || r->status != 200) return "";
    return std::string(boost::json::parse(r->body).at("access_token").as_string());
  }

  int Get(const std::string& path, const std::string& authorization) {
    HttpClient c(server_->port());
    std::map<std::string, std::string> h;
    if (!authorization.empty()) h["Authorization"] = authorization;
    auto r = c.Request("GET", path, "", h);
    return r ? r->status : -1;
  }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<identity::IdentityService> identity_;
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
  std::string api_key_;
};

TEST_F(AuthTest, LoginThenMeShowsTheAccount) {
  std::string token = Login("citizen");
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/api/v1/me", "", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto o = boost::json::parse(r->body).as_object();
  EXPECT_EQ(o["role"].as_string(), "citizen");
  EXPECT_EQ(o["display_name"].as_string(), "测试用户");
}

TEST_F(AuthTest, BadLoginBodiesGetFieldErrors) {
  HttpClient c(server_->port());
  auto r = c.Request("POST", "/api/v1/auth/login", R"({"login":"citizen"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(boost::json::parse(r->body).at("errors").at(0).at("field").as_string(), "/password");
  r = c.Request("POST", "/api/v1/auth/login", R"({"login":"citizen","password":"x","pasword":"y"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(boost::json::parse(r->body).at("errors").at(0).at("field").as_string(), "/pasword");
  r = c.Request("POST", "/api/v1/auth/login", R"({"login": 5)");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = c.Request("POST", "/api/v1/auth/login", R"({"login":"citizen","password":"wrong-password"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(AuthTest, LogoutRevokesTheTokenOverHttp) {
  std::string token = Login("staff");
  EXPECT_EQ(Get("/api/v1/me", "Bearer " + token), 200);
  HttpClient c(server_->port());
  auto r = c.Request("POST", "/api/v1/auth/logout", "", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Get("/api/v1/me", "Bearer " + token), 401);
}

TEST_F(AuthTest, EveryProtectedRouteRejectsBadCredentialsWith401) {
  std::string good = Login("admin");
  std::string forged = good;
  forged[8] = forged[8] == 'A' ? 'B' : 'A';
  identity::SessionTokenCodec codec(std::string(32, 'k'));
  std::string expired = codec.Encode({1, 1, Role::kAdmin, 0, 10});
  int checked = 0;
  for (const Route& route : dispatcher_.router().routes()) {
    if (route.access.is_public || route.method != "GET") continue;
    for (const std::string& auth :
         {std::string(), std::string("Bearer"), std::string("Basic YWRtaW46cHc="),
          "Bearer " + forged, "Bearer " + expired, std::string("Bearer tbk_000000000000_x")}) {
      EXPECT_EQ(Get(route.pattern, auth), 401) << route.pattern << " with '" << auth << "'";
    }
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST_F(AuthTest, EveryProtectedRouteRejectsUnlistedRolesWith403) {
  std::map<std::string, std::string> credentials;
  for (const char* login : {"citizen", "enterprise", "staff", "auditor", "admin"}) {
    credentials[login] = "Bearer " + Login(login);
  }
  credentials["department_system"] = "Bearer " + api_key_;
  int checked = 0;
  for (const Route& route : dispatcher_.router().routes()) {
    if (route.access.is_public || route.method != "GET") continue;
    for (const auto& [role, auth] : credentials) {
      identity::Principal p;
      p.role = *identity::ParseRole(role);
      if (role == "department_system") p.scopes = {"receipt:issue"};
      bool allowed = Authorise(p, route.access).ok();
      EXPECT_EQ(Get(route.pattern, auth), allowed ? 200 : 403) << route.pattern << " as " << role;
      ++checked;
    }
  }
  EXPECT_GE(checked, 30);
}

}  // namespace
}  // namespace tongban::api
