// The notification hub's routes over HTTP on SQLite and PostgreSQL: my inbox (paged, newest first,
// unread count, in my language), marking an item read (another person's item 404 exactly as a
// missing one), my preferences (a mobile login becomes the phone on file; field-level reasons for
// bad values), the admin delivery list (masked recipient, never a variable; a bad status 400), and
// 401 / 403 for callers the routes do not list. Every JSON answer is logged by TestServer and
// validated against the served document (api_answers_test).
#include "notify/part/notify_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/dispatcher.h"
#include "identity/part/auth_handlers.h"
#include "notify/outbox.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/synthetic_ids.h"
#include "testing/test_server.h"

namespace tongban::notify {
namespace {

using boost::json::value;
using identity::NewAccount;
using identity::Role;
using tongban::testing::Backend;
using tongban::testing::HttpClient;
using tongban::testing::kLiNa;
using tongban::testing::kZhangWei;

constexpr const char* kPassword = "password-for-tests";

class NullGateway : public Gateway {
 public:
  Status Send(std::span<const Message>) override { return Status::Ok(); }
};

class NotifyRoutesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = identity::IdentityService::Migrations();
    for (auto& x : Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    identity::IdentityOptions io;
    io.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<identity::IdentityService>(**db_, clock_, std::string(32, 'k'), io);
    for (NewAccount a : {NewAccount{.login = "13800138001", .role = Role::kCitizen, .display_name = "张伟",
                                    .subject_id = kZhangWei},
                         NewAccount{.login = "lina", .role = Role::kCitizen, .display_name = "李娜", .subject_id = kLiNa},
                         NewAccount{.login = "window", .role = Role::kStaff, .display_name = "王芳",
                                    .department = "杭州市西湖区行政服务中心"},
                         NewAccount{.login = "admin", .role = Role::kAdmin, .display_name = "运维管理员"}}) {
      a.password = kPassword;
      ASSERT_TRUE(identity_->CreateAccount(a).ok());
    }
    service_ = std::make_unique<NotifyService>(**db_, clock_, NotifyOptions{});
    AddNotifyRoutes(dispatcher_.router(), *service_, *identity_);
    api::AddAuthRoutes(dispatcher_.router(), *identity_);
    dispatcher_.AddSystemRoutes();
    dispatcher_.set_authoriser(api::MakeAuthoriser(*identity_));
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
    for (const char* login : {"13800138001", "lina", "window", "admin"}) tokens_[login] = "Bearer " + Login(login);
  }
  void TearDown() override { server_.reset(); }

  std::string Login(const std::string& login) {
    auto r = Call("POST", "/api/v1/auth/login", R"({"login":")" + login + R"(","password":")" + kPassword + "\"}", "");
    return r.status == 200 ? std::string(boost::json::parse(r.body).at("access_token").as_string()) : "";
  }
  tongban::testing::RawResponse Call(const std::string& method, const std::string& path, const std::string& body,
                                     const std::string& auth) {
    HttpClient c(server_->port());
    std::map<std::string, std::string> h;
    if (!auth.empty()) h["Authorization"] = auth;
    auto r = c.Request(method, path, body, h);
    EXPECT_TRUE(r.has_value());
    return r ? *r : tongban::testing::RawResponse{};
  }
  value Json(const tongban::testing::RawResponse& r) {
    boost::system::error_code ec;
    value v = boost::json::parse(r.body, ec);
    return ec ? value() : v;
  }
  void Tell(const std::string& to, int n) {
    ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) -> Status {
      for (int i = 0; i < n; ++i) {
        const std::string code = "33040126-00000000" + std::to_string(10 + i) + to.substr(14);
        TB_RETURN_IF_ERROR(Enqueue(tx, {.event_id = "receipt.issued:" + code, .recipient = to,
                                        .template_id = "receipt.issued",
                                        .vars = {{"issuer", "杭州市示范第一医院"}, {"amount", "72.00"}, {"code", code}}},
                                   clock_.NowUnixMicros() / 1'000'000));
      }
      return Status::Ok();
    }).ok());
    NullGateway gateway;
    ASSERT_TRUE(service_->RunOnce(gateway).ok());
  }

  SystemClock clock_;
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<NotifyService> service_;
  api::Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(NotifyRoutesTest, MyInboxPagesAndReads) {
  Tell(kZhangWei, 3);
  Tell(kLiNa, 1);
  const std::string zhang = tokens_["13800138001"];
  auto r = Call("GET", "/api/v1/me/inbox?limit=2", "", zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  value v = Json(r);
  EXPECT_EQ(v.at("total").as_int64(), 3);
  EXPECT_EQ(v.at("unread").as_int64(), 3);
  ASSERT_EQ(v.at("items").as_array().size(), 2u);
  EXPECT_EQ(v.at("items").at(0).at("title").as_string(), "您收到一张电子票据");
  const int64_t newest = v.at("items").at(0).at("id").as_int64();
  const int64_t next = v.at("next_before").as_int64();
  r = Call("GET", "/api/v1/me/inbox?limit=2&lang=en&before=" + std::to_string(next), "", zhang);
  ASSERT_EQ(r.status, 200);
  v = Json(r);
  ASSERT_EQ(v.at("items").as_array().size(), 1u);
  EXPECT_EQ(v.at("items").at(0).at("title").as_string(), "You received an e-receipt");
  EXPECT_TRUE(v.at("next_before").is_null());
  EXPECT_EQ(Call("GET", "/api/v1/me/inbox?limit=0", "", zhang).status, 400);

  // Read: mine 200 (and again); another person's exactly as a missing one.
  const std::string path = "/api/v1/me/inbox/" + std::to_string(newest) + "/read";
  auto lina = Call("POST", path, "{}", tokens_["lina"]);
  auto missing = Call("POST", "/api/v1/me/inbox/999999/read", "{}", tokens_["lina"]);
  EXPECT_EQ(lina.status, 404);
  EXPECT_EQ(missing.status, 404);
  value a = Json(lina), b = Json(missing);
  a.as_object().erase("instance");
  b.as_object().erase("instance");
  EXPECT_EQ(a.at("title"), b.at("title"));
  EXPECT_EQ(a.at("type"), b.at("type"));
  r = Call("POST", path, "", zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r).at("unread").as_int64(), 2);
  EXPECT_EQ(Call("POST", path, "{}", zhang).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/me/inbox/abc/read", "{}", zhang).status, 400);

  EXPECT_EQ(Call("GET", "/api/v1/me/inbox", "", "").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/me/inbox", "", tokens_["window"]).status, 403);
}

TEST_P(NotifyRoutesTest, MyPreferences) {
  const std::string zhang = tokens_["13800138001"];
  auto r = Call("GET", "/api/v1/me/notification-preferences", "", zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  value v = Json(r);
  EXPECT_EQ(v.at("phone").as_string(), "13800138001");  // the mobile login, on file
  EXPECT_EQ(v.at("channels").at("receipt.issued").as_array().size(), 1u);
  r = Call("PUT", "/api/v1/me/notification-preferences",
           R"({"language":"en","phone":"13900139000","email":"zhangwei@example.cn","channels":{"receipt.issued":["inbox","email"]}})",
           zhang);
  ASSERT_EQ(r.status, 200) << r.body;
  v = Json(r);
  EXPECT_EQ(v.at("language").as_string(), "en");
  EXPECT_EQ(v.at("channels").at("receipt.issued").as_array().size(), 2u);
  r = Call("PUT", "/api/v1/me/notification-preferences",
           R"({"language":"fr","phone":"123","channels":{"otp.code":["inbox"]}})", zhang);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json(r).at("errors").as_array().size(), 3u);
  EXPECT_EQ(Call("PUT", "/api/v1/me/notification-preferences", R"({"colour":"red"})", zhang).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/me/notification-preferences", "", tokens_["admin"]).status, 403);
}

TEST_P(NotifyRoutesTest, AdminSeesDeliveriesNeverVariables) {
  ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) {
    return Enqueue(tx, {.event_id = "otp.code:login:1", .recipient = kLiNa, .template_id = "otp.code",
                        .vars = {{"code", "493817"}, {"minutes", "5"}}},
                   clock_.NowUnixMicros() / 1'000'000);
  }).ok());
  Tell(kZhangWei, 1);
  auto r = Call("GET", "/api/v1/admin/notifications?limit=10", "", tokens_["admin"]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("493817"), std::string::npos);
  EXPECT_EQ(r.body.find(kZhangWei), std::string::npos);
  value v = Json(r);
  EXPECT_EQ(v.at("counts").at("skipped").as_int64(), 1);  // 李娜 has no phone on file
  r = Call("GET", "/api/v1/admin/notifications?status=skipped", "", tokens_["admin"]);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(Json(r).at("items").as_array().size(), 1u);
  EXPECT_EQ(Json(r).at("items").at(0).at("last_error").as_string(), "no mobile number on file");
  EXPECT_EQ(Call("GET", "/api/v1/admin/notifications?status=lost", "", tokens_["admin"]).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/admin/notifications", "", tokens_["13800138001"]).status, 403);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, NotifyRoutesTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, NotifyRoutesTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::notify
