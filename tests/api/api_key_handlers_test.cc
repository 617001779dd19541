// The API-key routes over HTTP on SQLite and PostgreSQL (issue 15, finding 4): the operator
// creates a key for a department system (shown once, never listed), rotates it with an overlap,
// revokes it; a system lists its own keys and rotates the key it calls with; bad bodies and ids
// get field-level problems; other roles get 403 (and the route-policy walk covers every role).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "identity/part/api_key_handlers.h"
#include "identity/part/auth_handlers.h"
#include "api/dispatcher.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::api {
namespace {

using identity::NewAccount;
using identity::Role;
using tongban::testing::Backend;
using tongban::testing::HttpClient;
using tongban::testing::RawResponse;

class ApiKeyRoutesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    ASSERT_TRUE(store::Migrate(**db_, identity::IdentityService::Migrations()).ok());
    identity::IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<identity::IdentityService>(**db_, clock_, std::string(32, 'k'), options);
    ASSERT_TRUE(identity_->CreateAccount(NewAccount{.login = "admin", .role = Role::kAdmin,
                                                    .display_name = "运维管理员", .password = "pw-for-tests"})
                    .ok());
    ASSERT_TRUE(identity_->CreateAccount(NewAccount{.login = "staff", .role = Role::kStaff,
                                                    .display_name = "王芳", .password = "pw-for-tests"})
                    .ok());
    ASSERT_TRUE(identity_->CreateAccount(NewAccount{.login = "hospital-hz-demo",
                                                    .role = Role::kDepartmentSystem,
                                                    .display_name = "杭州市示范第一医院"})
                    .ok());
    AddAuthRoutes(dispatcher_.router(), *identity_);
    AddApiKeyRoutes(dispatcher_.router(), *identity_);
    dispatcher_.set_authoriser(MakeAuthoriser(*identity_));
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
    admin_ = "Bearer " + identity_->Login("admin", "pw-for-tests")->access_token;
    staff_ = "Bearer " + identity_->Login("staff", "pw-for-tests")->access_token;
  }

  RawResponse Call(const std::string& method, const std::string& path, const std::string& bearer,
                   const std::string& body = "") {
    HttpClient c(server_->port());
    auto r = c.Request(method, path, body, {{"Authorization", bearer}});
    EXPECT_TRUE(r) << method << " " << path;
    return r ? *r : RawResponse{};
  }
  static boost::json::object Obj(const RawResponse& r) { return boost::json::parse(r.body).as_object(); }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<identity::IdentityService> identity_;
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
  std::string admin_, staff_;
};

TEST_P(ApiKeyRoutesTest, CreateUseRotateRevoke) {
  auto created = Call("POST", "/api/v1/admin/api-keys", admin_,
                      R"({"account":"hospital-hz-demo","scopes":["receipt:issue"],"label":"HIS 收费系统"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string key(Obj(created)["api_key"].as_string());
  std::string key_id(Obj(created)["key_id"].as_string());
  EXPECT_EQ(key.substr(4, 12), key_id);
  EXPECT_EQ(Obj(created)["label"].as_string(), "HIS 收费系统");
  EXPECT_EQ(Call("GET", "/api/v1/me", "Bearer " + key).status, 200);

  // Listed without the secret, for the operator and for the system itself.
  auto listed = Call("GET", "/api/v1/admin/api-keys?account=hospital-hz-demo", admin_);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(key.substr(17)), std::string::npos);
  EXPECT_EQ(Obj(listed)["items"].as_array().size(), 1u);
  auto mine = Call("GET", "/api/v1/me/api-keys", "Bearer " + key);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.body.find(key.substr(17)), std::string::npos);

  // The system rotates its own key: both work during the overlap, then only the new one.
  auto rotated = Call("POST", "/api/v1/me/api-keys/rotate", "Bearer " + key, R"({"overlap_s":60})");
  ASSERT_EQ(rotated.status, 201) << rotated.body;
  std::string fresh(Obj(rotated)["api_key"].as_string());
  EXPECT_EQ(Call("GET", "/api/v1/me", "Bearer " + key).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/me", "Bearer " + fresh).status, 200);
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_EQ(Call("GET", "/api/v1/me", "Bearer " + key).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/me", "Bearer " + fresh).status, 200);

  // The operator revokes the new key: refused at once on this node.
  std::string fresh_id = fresh.substr(4, 12);
  auto revoked = Call("POST", "/api/v1/admin/api-keys/" + fresh_id + "/revoke", admin_);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_FALSE(Obj(revoked)["active"].as_bool());
  EXPECT_EQ(Call("GET", "/api/v1/me", "Bearer " + fresh).status, 401);
  // Rotating a revoked key is refused.
  EXPECT_EQ(Call("POST", "/api/v1/admin/api-keys/" + fresh_id + "/rotate", admin_).status, 409);
}

TEST_P(ApiKeyRoutesTest, BadInputGetsFieldErrorsAndUnknownKeys404) {
  struct Case {
    std::string body, field;
  } cases[] = {
      {R"({"account":"hospital-hz-demo","scopes":[],"label":"x"})", "/scopes"},
      {R"({"account":"hospital-hz-demo","scopes":"receipt:issue","label":"x"})", "/scopes"},
      {R"({"account":"hospital-hz-demo","scopes":[1],"label":"x"})", "/scopes/0"},
      {R"({"account":"hospital-hz-demo","scopes":["Bad Scope"],"label":"x"})", "scopes"},
      {R"({"account":"staff","scopes":["receipt:issue"],"label":"x"})", "/account"},
      {R"({"account":"hospital-hz-demo","scopes":["receipt:issue"]})", "/label"},
      {R"({"account":"hospital-hz-demo","scopes":["receipt:issue"],"label":"x","extra":1})", "extra"},
  };
  for (const Case& c : cases) {
    auto r = Call("POST", "/api/v1/admin/api-keys", admin_, c.body);
    EXPECT_EQ(r.status, 400) << c.body << ": " << r.body;
    EXPECT_NE(r.body.find(c.field), std::string::npos) << c.body << ": " << r.body;
  }
  EXPECT_EQ(Call("POST", "/api/v1/admin/api-keys", admin_,
                 R"({"account":"nobody","scopes":["receipt:issue"],"label":"x"})")
                .status,
            404);
  EXPECT_EQ(Call("POST", "/api/v1/admin/api-keys/0123456789ab/revoke", admin_).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/admin/api-keys/not-a-key-id/revoke", admin_).status, 404);
  auto created = Call("POST", "/api/v1/admin/api-keys", admin_,
                      R"({"account":"hospital-hz-demo","scopes":["receipt:issue"],"label":"x"})");
  ASSERT_EQ(created.status, 201);
  std::string key_id(Obj(created)["key_id"].as_string());
  for (const std::string body : {R"({"overlap_s":-1})", R"({"overlap_s":604801})", R"({"overlap_s":"1"})"}) {
    auto r = Call("POST", "/api/v1/admin/api-keys/" + key_id + "/rotate", admin_, body);
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
    EXPECT_NE(r.body.find("overlap_s"), std::string::npos) << r.body;
  }
}

TEST_P(ApiKeyRoutesTest, OnlyTheOperatorManagesKeysAndOnlyKeysRotateThemselves) {
  EXPECT_EQ(Call("GET", "/api/v1/admin/api-keys", staff_).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/admin/api-keys", staff_, "{}").status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/admin/api-keys", "").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/me/api-keys", admin_).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/me/api-keys/rotate", staff_, "{}").status, 403);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ApiKeyRoutesTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, ApiKeyRoutesTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::api
