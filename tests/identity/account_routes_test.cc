// The one-time-code and my-sessions routes over HTTP on SQLite and PostgreSQL: the same answer
// for a login with and without an account, login with a code, password reset ending every
// session, step-up, the sessions list with the current one marked, another person's session 404,
// end-others, bad bodies as field-level problems, 429 with Retry-After.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <stdexcept>

#include "api/dispatcher.h"
#include "identity/part/account_routes.h"
#include "identity/part/auth_handlers.h"
#include "notify/outbox.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::identity {
namespace {

using tongban::testing::Backend;
using tongban::testing::HttpClient;
using tongban::testing::RawResponse;

class AccountRoutesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    auto migrations = IdentityService::Migrations();
    for (auto& m : AccountFeatures::Migrations()) migrations.push_back(m);
    for (auto& m : notify::Migrations()) migrations.push_back(m);  // the export's ready notice
    ASSERT_TRUE(store::Migrate(**db_, migrations).ok());
    IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<IdentityService>(**db_, clock_, std::string(32, 'k'), options);
    for (auto [login, name] : {std::pair{"13800000001", "张伟"}, std::pair{"13800000002", "李娜"}}) {
      ASSERT_TRUE(identity_
                      ->CreateAccount(NewAccount{.login = login,
                                                 .display_name = name,
                                                 .subject_id = "330106198503122135",
                                                 .password = "correct horse"})
                      .ok());
    }
    ASSERT_TRUE(features_
                    .Open(**db_, clock_, *identity_, std::string(32, 'k'),
                          [this](store::Tx&, const CodeDelivery& d, int64_t) -> Status {
                            codes_[d.login] = d.code;
                            return Status::Ok();
                          },
                          crypto::PasswordParams::ForTestsOnly())
                    .ok());
    api::AddAuthRoutes(dispatcher_.router(), *identity_);
    features_.AddRoutes(dispatcher_.router());
    dispatcher_.set_authoriser(features_.Track(api::MakeAuthoriser(*identity_)));
    dispatcher_.SetRateLimits({0, 0}, {0, 0});
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
  }

  RawResponse Call(const std::string& method, const std::string& path, const std::string& body,
                   const std::string& bearer = "") {
    HttpClient c(server_->port());
    std::map<std::string, std::string> headers{
        {"User-Agent", "Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile Safari/537.36"}};
    if (!bearer.empty()) headers["Authorization"] = bearer;
    auto r = c.Request(method, path, body, headers);
    EXPECT_TRUE(r) << method << " " << path;
    return r ? *r : RawResponse{};
  }
  static boost::json::object Obj(const RawResponse& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    return ec || !v.is_object() ? boost::json::object() : v.as_object();
  }
  std::string PasswordLogin(const std::string& login) {
    auto r = Call("POST", "/api/v1/auth/login",
                  R"({"login":")" + login + R"(","password":"correct horse"})");
    EXPECT_EQ(r.status, 200) << r.body;
    return "Bearer " + std::string(Obj(r)["access_token"].as_string());
  }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<IdentityService> identity_;
  AccountFeatures features_;
  std::map<std::string, std::string> codes_;  // login -> last code delivered
  api::Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
};

TEST_P(AccountRoutesTest, NoHintWhetherTheLoginHasAnAccount) {
  auto real = Call("POST", "/api/v1/auth/otp/request", R"({"login":"13800000001","purpose":"login"})");
  auto none = Call("POST", "/api/v1/auth/otp/request", R"({"login":"13899999999","purpose":"login"})");
  EXPECT_EQ(real.status, 202) << real.body;
  EXPECT_EQ(none.status, real.status);
  EXPECT_EQ(none.body, real.body);
  EXPECT_EQ(codes_.count("13899999999"), 0u);
  auto a = Call("POST", "/api/v1/auth/otp/login", R"({"login":"13800000001","code":"000000"})");
  auto b = Call("POST", "/api/v1/auth/otp/login", R"({"login":"13899999999","code":"000000"})");
  if (codes_["13800000001"] != "000000") {
    EXPECT_EQ(a.status, 401);
    EXPECT_EQ(Obj(a)["detail"], Obj(b)["detail"]);
  }
  EXPECT_EQ(b.status, 401);
}

TEST_P(AccountRoutesTest, LoginWithACodeStartsASteppedUpSession) {
  ASSERT_EQ(Call("POST", "/api/v1/auth/otp/request", R"({"login":"13800000001","purpose":"login"})")
                .status,
            202);
  auto r = Call("POST", "/api/v1/auth/otp/login",
                R"({"login":"13800000001","code":")" + codes_["13800000001"] + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string bearer = "Bearer " + std::string(Obj(r)["access_token"].as_string());
  auto list = Call("GET", "/api/v1/me/sessions", "", bearer);
  ASSERT_EQ(list.status, 200) << list.body;
  auto sessions = Obj(list)["sessions"].as_array();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions[0].at("current").as_bool());
  EXPECT_TRUE(sessions[0].at("stepped_up").as_bool());
  EXPECT_EQ(sessions[0].at("device").as_string(), "Chrome 120 · Android");
  EXPECT_EQ(sessions[0].at("region").as_string(), "本机/内网");
  // The code is single use.
  auto again = Call("POST", "/api/v1/auth/otp/login",
                    R"({"login":"13800000001","code":")" + codes_["13800000001"] + R"("})");
  EXPECT_EQ(again.status, 401);
}

TEST_P(AccountRoutesTest, PasswordResetEndsEverySession) {
  std::string before = PasswordLogin("13800000001");
  ASSERT_EQ(Call("GET", "/api/v1/me/sessions", "", before).status, 200);
  ASSERT_EQ(Call("POST", "/api/v1/auth/otp/request",
                 R"({"login":"13800000001","purpose":"password_reset"})")
                .status,
            202);
  // Too short a password: a field problem, and the code is not spent.
  auto short_pw = Call("POST", "/api/v1/auth/password/reset",
                       R"({"login":"13800000001","code":")" + codes_["13800000001"] +
                           R"(","new_password":"short"})");
  EXPECT_EQ(short_pw.status, 400);
  auto r = Call("POST", "/api/v1/auth/password/reset",
                R"({"login":"13800000001","code":")" + codes_["13800000001"] +
                    R"(","new_password":"new horse battery"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Call("GET", "/api/v1/me/sessions", "", before).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login",
                 R"({"login":"13800000001","password":"correct horse"})")
                .status,
            401);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login",
                 R"({"login":"13800000001","password":"new horse battery"})")
                .status,
            200);
}

TEST_P(AccountRoutesTest, StepUpWithACode) {
  std::string bearer = PasswordLogin("13800000001");
  ASSERT_EQ(Call("POST", "/api/v1/me/step-up/request", "", bearer).status, 202);
  auto wrong = Call("POST", "/api/v1/me/step-up",
                    codes_["13800000001"] == "111111" ? R"({"code":"222222"})"
                                                      : R"({"code":"111111"})",
                    bearer);
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  auto ok = Call("POST", "/api/v1/me/step-up", R"({"code":")" + codes_["13800000001"] + R"("})",
                 bearer);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto list = Call("GET", "/api/v1/me/sessions", "", bearer);
  EXPECT_TRUE(Obj(list)["sessions"].as_array()[0].at("stepped_up").as_bool());
}

TEST_P(AccountRoutesTest, AnotherPersonsSessionIs404AndEndOthersKeepsMine) {
  std::string zhang1 = PasswordLogin("13800000001");
  std::string zhang2 = PasswordLogin("13800000001");
  std::string li = PasswordLogin("13800000002");
  auto li_sessions = Obj(Call("GET", "/api/v1/me/sessions", "", li))["sessions"].as_array();
  std::string li_id = std::to_string(li_sessions[0].at("id").to_number<int64_t>());
  auto r = Call("POST", "/api/v1/me/sessions/" + li_id + "/end", "", zhang1);
  EXPECT_EQ(r.status, 404) << r.body;
  auto missing = Call("POST", "/api/v1/me/sessions/999999/end", "", zhang1);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Obj(r)["title"], Obj(missing)["title"]);
  EXPECT_EQ(Obj(r)["detail"].as_string(), "session not found: " + li_id);
  EXPECT_EQ(Call("POST", "/api/v1/me/sessions/abc/end", "", zhang1).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/me/sessions", "", li).status, 200);

  auto mine = Obj(Call("GET", "/api/v1/me/sessions", "", zhang1))["sessions"].as_array();
  ASSERT_EQ(mine.size(), 2u);
  auto ended = Call("POST", "/api/v1/me/sessions/end-others", "", zhang1);
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(Obj(ended)["ended"].to_number<int64_t>(), 1);
  EXPECT_EQ(Call("GET", "/api/v1/me/sessions", "", zhang2).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/me/sessions", "", zhang1).status, 200);
  // Ending my own current session works like a logout.
  int64_t own = mine[0].at("current").as_bool() ? mine[0].at("id").to_number<int64_t>()
                                                : mine[1].at("id").to_number<int64_t>();
  EXPECT_EQ(Call("POST", "/api/v1/me/sessions/" + std::to_string(own) + "/end", "", zhang1).status,
            200);
  EXPECT_EQ(Call("GET", "/api/v1/me/sessions", "", zhang1).status, 401);
}

TEST_P(AccountRoutesTest, BadInputIsAFieldProblem) {
  auto r = Call("POST", "/api/v1/auth/otp/request", R"({"login":"13800000001","purpose":"admin"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Obj(r)["errors"].as_array()[0].at("field").as_string().find("purpose") !=
                std::string::npos,
            true)
      << r.body;
  r = Call("POST", "/api/v1/auth/otp/login", R"({"login":"13800000001","code":"12ab56"})");
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/api/v1/auth/otp/login", R"({"login":"13800000001","code":"123456","x":1})");
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/api/v1/auth/otp/request", R"({"login":"13800000001"})");
  EXPECT_EQ(r.status, 400);
}

TEST_P(AccountRoutesTest, TooManyRequestsSayWhenToComeBack) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Call("POST", "/api/v1/auth/otp/request",
                   R"({"login":"13800000001","purpose":"login"})")
                  .status,
              202);
  }
  auto r = Call("POST", "/api/v1/auth/otp/request", R"({"login":"13800000001","purpose":"login"})");
  EXPECT_EQ(r.status, 429);
  bool retry_after = false;
  for (const auto& [name, value] : r.headers) {
    if (name == "retry-after" || name == "Retry-After") retry_after = value == "900";
  }
  EXPECT_TRUE(retry_after) << r.body;
  auto none = Call("POST", "/api/v1/auth/otp/request", R"({"login":"13899999999","purpose":"login"})");
  EXPECT_EQ(none.status, 202);  // another person: not limited by this one's sends
}

TEST_P(AccountRoutesTest, MyDataExportIsMineAndDownloadedOnce) {
  std::string zhang = PasswordLogin("13800000001");
  std::string li = PasswordLogin("13800000002");
  auto requested = Call("POST", "/api/v1/me/data-export", "", zhang);
  ASSERT_EQ(requested.status, 202) << requested.body;
  std::string id = std::to_string(Obj(requested)["id"].to_number<int64_t>());
  EXPECT_EQ(Obj(requested)["status"].as_string(), "queued");
  // One at a time: asking again answers the same job.
  EXPECT_EQ(Obj(Call("POST", "/api/v1/me/data-export", "", zhang))["id"], Obj(requested)["id"]);
  // Not ready yet: 409.
  EXPECT_EQ(Call("GET", "/api/v1/me/data-export/" + id + "/download", "", zhang).status, 409);
  auto built = features_.data_export().RunQueued();
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(*built, 1);
  auto status = Call("GET", "/api/v1/me/data-export/" + id, "", zhang);
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(Obj(status)["status"].as_string(), "ready");
  EXPECT_EQ(Obj(status)["progress"].to_number<int64_t>(), 100);
  // Another person's export: 404 for its status and its download, as a missing one.
  auto other = Call("GET", "/api/v1/me/data-export/" + id, "", li);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/me/data-export/" + id + "/download", "", li).status, 404);
  EXPECT_EQ(Obj(other)["title"],
            Obj(Call("GET", "/api/v1/me/data-export/999999", "", li))["title"]);
  EXPECT_EQ(Obj(other)["detail"].as_string(), "data export not found: " + id);
  // Mine, once.
  auto copy = Call("GET", "/api/v1/me/data-export/" + id + "/download", "", zhang);
  ASSERT_EQ(copy.status, 200) << copy.body;
  auto doc = Obj(copy);
  EXPECT_EQ(doc["format"].as_string(), "tongban.my-data.v1");
  EXPECT_EQ(doc["account"].at("display_name").as_string(), "张伟");
  bool saw_sessions = false;
  for (const auto& section : doc["sections"].as_array()) {
    for (const auto& part : section.at("parts").as_array()) {
      if (part.at("route").as_string() == "/api/v1/me/sessions") {
        saw_sessions = true;
        EXPECT_EQ(part.at("status").to_number<int64_t>(), 200);
      }
    }
  }
  EXPECT_TRUE(saw_sessions) << copy.body;
  EXPECT_EQ(copy.body.find("李娜"), std::string::npos);
  auto again = Call("GET", "/api/v1/me/data-export/" + id + "/download", "", zhang);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(Obj(Call("GET", "/api/v1/me/data-export/" + id, "", zhang))["status"].as_string(),
            "downloaded");
  // The content is erased from the table.
  Status s = (*db_)->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*) FROM data_exports WHERE content "
                                              "IS NOT NULL", {}));
    EXPECT_EQ(row->Int64(0), 0);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok());
}

TEST_P(AccountRoutesTest, AnExportNotDownloadedIsErasedAfterADay) {
  std::string zhang = PasswordLogin("13800000001");
  auto requested = Call("POST", "/api/v1/me/data-export", "", zhang);
  ASSERT_EQ(requested.status, 202);
  std::string id = std::to_string(Obj(requested)["id"].to_number<int64_t>());
  ASSERT_TRUE(features_.data_export().RunQueued().ok());
  clock_.Advance(std::chrono::hours(24) + std::chrono::seconds(1));
  auto expired = features_.data_export().exports().ExpireOld();
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, 1);
  zhang = PasswordLogin("13800000001");  // the first token expired meanwhile
  EXPECT_EQ(Obj(Call("GET", "/api/v1/me/data-export/" + id, "", zhang))["status"].as_string(),
            "expired");
  EXPECT_EQ(Call("GET", "/api/v1/me/data-export/" + id + "/download", "", zhang).status, 409);
}

TEST_P(AccountRoutesTest, AnExportSurvivesARouteThatThrowsAndSkipsRoutesNotForThePerson) {
  // Routes of a section: one throws, one answers "items" that is not a list (as_array() would
  // throw), one is for admins only (never called for a citizen).
  auto& router = dispatcher_.router();
  router.Add(api::Route{"GET", "/api/v1/me/test-throws", "testThrows", "test",
                        api::RouteAccess::Roles({"citizen"}),
                        [](const api::HttpRequest&, const api::PathParams&) -> api::HttpResponse {
                          throw std::runtime_error("boom");
                        }});
  router.Add(api::Route{"GET", "/api/v1/me/test-odd-items", "testOddItems", "test",
                        api::RouteAccess::Roles({"citizen"}),
                        [](const api::HttpRequest&, const api::PathParams&) {
                          return api::HttpResponse::Json(200, R"({"items":5})");
                        }});
  bool admin_route_called = false;
  router.Add(api::Route{"GET", "/api/v1/me/test-admin-only", "testAdminOnly", "test",
                        api::RouteAccess::Roles({"admin"}),
                        [&](const api::HttpRequest&, const api::PathParams&) {
                          admin_route_called = true;
                          return api::HttpResponse::Json(200, R"({"items":["secret"]})");
                        }});
  identity_->my_data().Add({.name = "test",
                            .title_zh = "测试",
                            .title_en = "Test",
                            .routes = {"/api/v1/me/test-throws", "/api/v1/me/test-odd-items",
                                       "/api/v1/me/test-admin-only"}});
  std::string zhang = PasswordLogin("13800000001");
  auto requested = Call("POST", "/api/v1/me/data-export", "", zhang);
  ASSERT_EQ(requested.status, 202);
  std::string id = std::to_string(Obj(requested)["id"].to_number<int64_t>());
  auto built = features_.data_export().RunQueued();
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(*built, 1);
  EXPECT_FALSE(admin_route_called);
  auto copy = Call("GET", "/api/v1/me/data-export/" + id + "/download", "", zhang);
  ASSERT_EQ(copy.status, 200) << copy.body;
  std::map<std::string, int64_t> statuses;
  auto doc = Obj(copy);
  for (const auto& section : doc["sections"].as_array()) {
    for (const auto& part : section.at("parts").as_array()) {
      statuses[std::string(part.at("route").as_string())] = part.at("status").to_number<int64_t>();
    }
  }
  EXPECT_EQ(statuses["/api/v1/me/test-throws"], 500);
  EXPECT_EQ(statuses["/api/v1/me/test-odd-items"], 200);
  EXPECT_EQ(statuses["/api/v1/me/test-admin-only"], 403);
  EXPECT_EQ(statuses["/api/v1/me/sessions"], 200);
  EXPECT_EQ(copy.body.find("secret"), std::string::npos);
}

TEST_P(AccountRoutesTest, AJobLeftRunningIsQueuedAgainAndAFailureEndsIt) {
  std::string zhang = PasswordLogin("13800000001");
  auto requested = Call("POST", "/api/v1/me/data-export", "", zhang);
  ASSERT_EQ(requested.status, 202);
  const int64_t id = Obj(requested)["id"].to_number<int64_t>();
  // A builder claims it and dies.
  auto claimed = features_.data_export().exports().ClaimNext();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  auto stale = features_.data_export().exports().RequeueStale(300);
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(*stale, 0);  // still fresh
  clock_.Advance(std::chrono::seconds(301));
  ASSERT_TRUE(features_.data_export().Start(3'600'000).ok());  // re-queues at start
  ASSERT_TRUE(features_.data_export().Stop().ok());
  auto job = features_.data_export().exports().Get(claimed->value().account_id, id);
  ASSERT_TRUE(job.ok());
  EXPECT_NE(job->status, "running");
  auto built = features_.data_export().RunQueued();
  ASSERT_TRUE(built.ok());
  job = features_.data_export().exports().Get(claimed->value().account_id, id);
  EXPECT_EQ(job->status, "ready");

  // A build that cannot be finished (the notice's outbox is gone) ends as failed, not left
  // running, so the person may ask again at once.
  ASSERT_TRUE(features_.data_export().exports().Download(claimed->value().account_id, id).ok());
  auto again = Call("POST", "/api/v1/me/data-export", "", zhang);
  const int64_t id2 = Obj(again)["id"].to_number<int64_t>();
  ASSERT_TRUE((*db_)->Transact([](store::Tx& tx) {
                      return tx.ExecScript("DROP TABLE notify_outbox");
                    }).ok());
  built = features_.data_export().RunQueued();
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(*built, 0);
  auto failed = features_.data_export().exports().Get(claimed->value().account_id, id2);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, "failed");
  auto third = Call("POST", "/api/v1/me/data-export", "", zhang);
  EXPECT_NE(Obj(third)["id"].to_number<int64_t>(), id2);
}

TEST_P(AccountRoutesTest, AReadyExportNotDownloadedIsAnsweredInsteadOfANewOne) {
  std::string zhang = PasswordLogin("13800000001");
  auto first = Call("POST", "/api/v1/me/data-export", "", zhang);
  ASSERT_EQ(first.status, 202);
  ASSERT_TRUE(features_.data_export().RunQueued().ok());
  auto again = Call("POST", "/api/v1/me/data-export", "", zhang);
  EXPECT_EQ(Obj(again)["id"], Obj(first)["id"]);
  EXPECT_EQ(Obj(again)["status"].as_string(), "ready");
  const std::string id = std::to_string(Obj(first)["id"].to_number<int64_t>());
  ASSERT_EQ(Call("GET", "/api/v1/me/data-export/" + id + "/download", "", zhang).status, 200);
  auto fresh = Call("POST", "/api/v1/me/data-export", "", zhang);
  EXPECT_NE(Obj(fresh)["id"], Obj(first)["id"]);
  EXPECT_EQ(Obj(fresh)["status"].as_string(), "queued");
}

TEST_P(AccountRoutesTest, AJobNoLongerRunningIsNotFinishedAndSendsNoNotice) {
  DataExports& exports = features_.data_export().exports();
  auto requested = exports.Request(1);
  ASSERT_TRUE(requested.ok());
  auto claimed = exports.ClaimNext();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  clock_.Advance(std::chrono::hours(24) + std::chrono::seconds(1));
  ASSERT_TRUE(exports.ExpireOld().ok());  // expired while being built
  bool noticed = false;
  Status s = exports.Finish(requested->id, "{}", [&](store::Tx&, const DataExport&) -> Status {
    noticed = true;
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_FALSE(noticed);
  ASSERT_TRUE(exports.Fail(requested->id, "late").ok());
  auto job = exports.Get(1, requested->id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->status, "expired");
  EXPECT_EQ(tongban::testing::CountRows(**db_, "SELECT COUNT(*) FROM data_exports WHERE "
                                               "content IS NOT NULL"),
            0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AccountRoutesTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, AccountRoutesTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::identity
