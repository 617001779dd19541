// Review routes (好差评) over HTTP on SQLite and PostgreSQL: 张伟 rates a decided task badly with a
// Chinese comment, the police work the ticket step by step (out of order 409, another
// department 404 as for a missing ticket), he reads the answer in his ratings and inbox and rates
// once more; bad bodies answer 400 naming the field (missing, malformed, unknown members, levels,
// long comments, path ids, filters); staff and auditors cannot rate (403); the figures for staff,
// auditors and the operator. Every JSON answer is logged by TestServer and validated against the
// served document (api_answers_test).
#include "service/part/review_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/dispatcher.h"
#include "identity/part/auth_handlers.h"
#include "service/part/service_routes.h"
#include "service_test_base.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/synthetic_ids.h"
#include "testing/test_server.h"

namespace tongban::api {
namespace {

using boost::json::object;
using boost::json::value;
using identity::NewAccount;
using identity::Role;
using tongban::testing::Backend;
using tongban::testing::HttpClient;
using tongban::testing::kLiNa;
using tongban::testing::kZhangWei;

constexpr const char* kPassword = "password-for-tests";
constexpr int64_t kFriday = 1'796'954'400;  // 2026-12-11 10:00 in Hangzhou

// The services' world (ServiceTestBase) with identity and the case and review routes over HTTP.
class ReviewRoutesTest : public service::ServiceTestBase {
 protected:
  void SetUp() override {
    if (!OpenWorld(kFriday, {}, identity::IdentityService::Migrations())) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    identity::IdentityOptions io;
    io.password = crypto::PasswordParams::ForTestsOnly();
    identity_ = std::make_unique<identity::IdentityService>(**db_, wall_clock_, std::string(32, 'k'), io);
    auto add = [&](NewAccount a) {
      a.password = kPassword;
      auto id = identity_->CreateAccount(a);
      EXPECT_TRUE(id.ok()) << id.status().ToString();
      return id.ok() ? *id : 0;
    };
    zw_ = {add({.login = "zhangwei", .role = Role::kCitizen, .display_name = "张伟", .subject_id = kZhangWei}),
           kZhangWei, "张伟"};
    add({.login = "lina", .role = Role::kCitizen, .display_name = "李娜", .subject_id = kLiNa});
    police_ = {add({.login = "police", .role = Role::kStaff, .display_name = "王芳", .department = "杭州市公安局"}),
               "hz-police", "王芳"};
    add({.login = "tax", .role = Role::kStaff, .display_name = "孙磊", .department = "国家税务总局杭州市税务局"});
    add({.login = "auditor", .role = Role::kAuditor, .display_name = "赵敏"});
    add({.login = "admin", .role = Role::kAdmin, .display_name = "运维管理员"});

    service::ReviewServiceOptions r;
    r.hash = crypto::HashAlgorithm::kSha256;
    r.subject_hash = SubjectHash;
    reviews_ = std::make_unique<service::ReviewService>(**db_, clock_, service::ServiceCatalogue::Builtin(), r);

    AddAuthRoutes(dispatcher_.router(), *identity_);
    AddServiceRoutes(dispatcher_.router(), {.service = cases_.get(), .identity = identity_.get(),
                                            .licenses = licenses_.get(), .data_catalogue = &data::Catalogue::Builtin()});
    AddReviewRoutes(dispatcher_.router(), {.reviews = reviews_.get(), .identity = identity_.get(),
                                           .data_catalogue = &data::Catalogue::Builtin()});
    dispatcher_.AddSystemRoutes();
    dispatcher_.set_authoriser(MakeAuthoriser(*identity_));
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
    for (const char* login : {"zhangwei", "lina", "police", "tax", "auditor", "admin"}) {
      tokens_[login] = "Bearer " + Login(login);
    }
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

  std::string FirstField(const tongban::testing::RawResponse& r) {
    value v = Json(r);
    if (!v.is_object() || !v.as_object().contains("errors")) return "no errors: " + r.body;
    return std::string(v.at("errors").at(0).at("field").as_string());
  }

  // 公章刻制备案 of 张伟, approved by 王芳 of the police: the case and task ids.
  std::pair<int64_t, int64_t> DecidedSeal() {
    auto started = cases_->Start(zw_, "company_seal_engraving");
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    service::SubmitRequest req;
    req.answers.fields = object{{"applicant_name", "张伟"}, {"company_name", "杭州通办科技有限公司"},
                                {"seal_set", "公章、财务专用章、发票专用章"}};
    auto submitted = cases_->Submit(zw_, started->id, req);
    EXPECT_TRUE(submitted.ok()) << submitted.status().ToString();
    const int64_t task = submitted->tasks.at(0).id;
    auto approved = cases_->Approve(police_, task, {});
    EXPECT_TRUE(approved.ok()) << approved.status().ToString();
    return {started->id, task};
  }

  SystemClock wall_clock_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<service::ReviewService> reviews_;
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
  std::map<std::string, std::string> tokens_;
  service::Person zw_;
  service::Staff police_;
};

TEST_P(ReviewRoutesTest, ABadRatingIsCalledBackAnsweredAndRatedAgain) {
  auto [case_id, task_id] = DecidedSeal();
  const std::string ratings = "/api/v1/me/cases/" + std::to_string(case_id) + "/ratings";
  auto body = [&](int level, const std::string& comment) {
    return boost::json::serialize(object{{"task_id", task_id}, {"level", level}, {"comment", comment}});
  };
  // Staff and auditors cannot rate, not even the department that decided (403 by role).
  EXPECT_EQ(Call("POST", ratings, body(5, ""), tokens_["police"]).status, 403);
  EXPECT_EQ(Call("POST", ratings, body(5, ""), tokens_["auditor"]).status, 403);
  EXPECT_EQ(Call("POST", ratings, body(5, ""), "").status, 401);
  // 李娜 is no party: 404 as for a missing case.
  auto theirs = Call("POST", ratings, body(5, ""), tokens_["lina"]);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(Call("GET", ratings, "", tokens_["lina"]).status, 404);

  auto rated = Call("POST", ratings, body(2, "等了两个小时，窗口只开了一个"), tokens_["zhangwei"]);
  ASSERT_EQ(rated.status, 201) << rated.body;
  value r = Json(rated);
  EXPECT_EQ(r.at("level").to_number<int64_t>(), 2);
  EXPECT_EQ(r.at("level_zh").as_string(), "不满意");
  EXPECT_EQ(r.at("comment").as_string(), "等了两个小时，窗口只开了一个");
  EXPECT_EQ(r.at("item").at("name_zh").as_string(), "公章刻制备案");
  EXPECT_EQ(r.at("department").at("name_zh").as_string(), "杭州市公安局");
  EXPECT_EQ(r.at("window").at("name_zh").as_string(), "王芳");
  EXPECT_EQ(r.at("by").as_string(), "applicant");
  const value& ticket = r.at("ticket");
  ASSERT_TRUE(ticket.is_object());
  EXPECT_EQ(ticket.at("state").as_string(), "open");
  EXPECT_EQ(ticket.at("callback_due_date").as_string(), "2026-12-14");  // Friday -> Monday
  EXPECT_EQ(ticket.at("callback_due_at").as_string(), "2026-12-14T16:00:00Z");
  EXPECT_EQ(ticket.at("answer_due_date").as_string(), "2026-12-18");
  const std::string id = std::to_string(ticket.at("id").to_number<int64_t>());
  const std::string one = "/api/v1/service/remediation/" + id;
  // Final: a second rating now is 409.
  EXPECT_EQ(Call("POST", ratings, body(5, ""), tokens_["zhangwei"]).status, 409);

  // The police's list; another department's is empty and its GET or step is 404 as for a missing one.
  auto list = Json(Call("GET", "/api/v1/service/remediation", "", tokens_["police"]));
  ASSERT_EQ(list.at("items").as_array().size(), 1u);
  EXPECT_EQ(list.at("items").at(0).at("rating").at("rated_by").at("name").as_string(), "张伟");
  EXPECT_EQ(list.at("items").at(0).at("case_number").as_string(), r.at("case_number").as_string());
  EXPECT_TRUE(Json(Call("GET", "/api/v1/service/remediation?filter=all", "", tokens_["tax"])).at("items").as_array().empty());
  auto other = Call("GET", one, "", tokens_["tax"]);
  auto missing = Call("GET", "/api/v1/service/remediation/999999", "", tokens_["tax"]);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json(other).at("detail").as_string().size() - id.size(), Json(missing).at("detail").as_string().size() - 6);
  EXPECT_EQ(Call("POST", one + "/callback", R"({"text":"已回访"})", tokens_["tax"]).status, 404);
  EXPECT_EQ(Call("GET", one, "", tokens_["zhangwei"]).status, 403);

  // Steps in order, each with a text.
  EXPECT_EQ(Call("POST", one + "/verify", R"({"text":"核实"})", tokens_["police"]).status, 409);
  auto no_text = Call("POST", one + "/callback", "{}", tokens_["police"]);
  EXPECT_EQ(no_text.status, 400);
  EXPECT_EQ(FirstField(no_text), "/text");
  EXPECT_EQ(FirstField(Call("POST", one + "/callback", R"({"text":""})", tokens_["police"])), "/text");
  EXPECT_EQ(FirstField(Call("POST", one + "/callback", R"({"text":"x","by":"me"})", tokens_["police"])), "/by");
  for (const auto& [step, text] : std::vector<std::pair<std::string, std::string>>{
           {"callback", "已电话回访，申请人反映窗口等候时间过长"},
           {"verify", "核实属实：当日仅开放一个窗口"},
           {"rectify", "高峰时段增开两个窗口，推行网上预约"},
           {"answer", "感谢您的评价，我们已增开窗口并推行预约。"}}) {
    auto done = Call("POST", one + "/" + step, boost::json::serialize(object{{"text", text}}), tokens_["police"]);
    ASSERT_EQ(done.status, 200) << step << ": " << done.body;
  }
  value answered = Json(Call("GET", one, "", tokens_["police"]));
  EXPECT_EQ(answered.at("state").as_string(), "answered");
  EXPECT_EQ(answered.at("finding").as_string(), "核实属实：当日仅开放一个窗口");
  EXPECT_EQ(answered.at("handled_by").as_string(), "王芳");
  EXPECT_EQ(answered.at("steps").as_array().size(), 5u);
  EXPECT_FALSE(answered.at("overdue").as_bool());
  EXPECT_EQ(Json(Call("GET", "/api/v1/service/remediation?filter=answered", "", tokens_["police"])).at("items").as_array().size(), 1u);
  EXPECT_TRUE(Json(Call("GET", "/api/v1/service/remediation?filter=overdue", "", tokens_["police"])).at("items").as_array().empty());

  // He sees the answer, in his ratings and his inbox, and may rate once more.
  value mine = Json(Call("GET", ratings, "", tokens_["zhangwei"]));
  ASSERT_EQ(mine.at("items").as_array().size(), 1u);
  EXPECT_EQ(mine.at("items").at(0).at("ticket").at("answer").as_string(), "感谢您的评价，我们已增开窗口并推行预约。");
  EXPECT_TRUE(mine.at("items").at(0).at("may_rate_again").as_bool());
  bool told = false;
  const value inbox = Json(Call("GET", "/api/v1/me/notices", "", tokens_["zhangwei"]));
  for (const value& n : inbox.at("items").as_array()) {
    told = told || n.at("kind").as_string() == "rating_answered";
  }
  EXPECT_TRUE(told);
  auto again = Call("POST", ratings, body(4, "整改后好多了"), tokens_["zhangwei"]);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(Json(again).at("round").to_number<int64_t>(), 2);
  EXPECT_TRUE(Json(again).at("ticket").is_null());
  EXPECT_EQ(Call("POST", ratings, body(5, ""), tokens_["zhangwei"]).status, 409);

  // The figures: staff, auditors and the operator; not citizens.
  EXPECT_EQ(Call("GET", "/api/v1/service/ratings/figures", "", tokens_["zhangwei"]).status, 403);
  for (const char* who : {"police", "auditor", "admin"}) {
    auto f = Call("GET", "/api/v1/service/ratings/figures", "", tokens_[who]);
    ASSERT_EQ(f.status, 200) << who << ": " << f.body;
    value v = Json(f);
    EXPECT_EQ(v.at("overall").at("total").to_number<int64_t>(), 2);
    EXPECT_EQ(v.at("overall").at("bad").to_number<int64_t>(), 1);
    EXPECT_DOUBLE_EQ(v.at("overall").at("share_satisfied").to_number<double>(), 0.5);
    EXPECT_EQ(v.at("overall").at("tickets_answered_on_time").to_number<int64_t>(), 1);
    ASSERT_EQ(v.at("departments").as_array().size(), 1u);
    EXPECT_EQ(v.at("departments").at(0).at("department").at("key").as_string(), "hz-police");
    EXPECT_EQ(v.at("departments").at(0).at("levels").as_array().size(), 5u);
    EXPECT_EQ(v.at("departments").at(0).at("levels").at(1).at("count").to_number<int64_t>(), 1);
    EXPECT_EQ(v.at("items").at(0).at("item").at("code").as_string(), "company_seal_engraving");
    EXPECT_EQ(v.at("windows").at(0).at("window").at("name_zh").as_string(), "王芳");
  }
}

TEST_P(ReviewRoutesTest, BadInputAnswers400NamingTheField) {
  auto [case_id, task_id] = DecidedSeal();
  const std::string ratings = "/api/v1/me/cases/" + std::to_string(case_id) + "/ratings";
  const std::string t = std::to_string(task_id);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{}", "/task_id"},
      {R"({"level":5})", "/task_id"},
      {R"({"task_id":0,"level":5})", "/task_id"},
      {R"({"task_id":")" + t + R"(","level":5})", "/task_id"},
      {R"({"task_id":)" + t + "}", "/level"},
      {R"({"task_id":)" + t + R"(,"level":"5"})", "/level"},
      {R"({"task_id":)" + t + R"(,"level":4.5})", "/level"},
      {R"({"task_id":)" + t + R"(,"level":0})", "/level"},
      {R"({"task_id":)" + t + R"(,"level":6})", "/level"},
      {R"({"task_id":)" + t + R"(,"level":99999999999})", "/level"},
      {R"({"task_id":)" + t + R"(,"level":5,"comment":7})", "/comment"},
      {R"({"task_id":)" + t + R"(,"level":5,"comment":")" + std::string(501, 'a') + "\"}", "/comment"},
      {R"({"task_id":)" + t + R"(,"level":5,"stars":5})", "/stars"},
  };
  for (const auto& [body, field] : cases) {
    auto r = Call("POST", ratings, body, tokens_["zhangwei"]);
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
    EXPECT_EQ(FirstField(r), field) << body;
  }
  EXPECT_EQ(Call("POST", ratings, "{not json", tokens_["zhangwei"]).status, 400);
  EXPECT_EQ(FirstField(Call("POST", "/api/v1/me/cases/abc/ratings", "{}", tokens_["zhangwei"])), "id");
  EXPECT_EQ(FirstField(Call("GET", "/api/v1/me/cases/0/ratings", "", tokens_["zhangwei"])), "id");
  EXPECT_EQ(FirstField(Call("GET", "/api/v1/service/remediation?filter=late", "", tokens_["police"])), "filter");
  EXPECT_EQ(FirstField(Call("GET", "/api/v1/service/remediation/x", "", tokens_["police"])), "id");
  EXPECT_EQ(FirstField(Call("POST", "/api/v1/service/remediation/-1/answer", R"({"text":"x"})", tokens_["police"])), "id");
  // A task of another case, or one not decided: 404 and 409. Nothing was rated.
  auto started = cases_->Start(zw_, "company_seal_engraving");
  ASSERT_TRUE(started.ok());
  service::SubmitRequest req;
  req.answers.fields = object{{"applicant_name", "张伟"}, {"company_name", "杭州一办科技有限公司"},
                              {"seal_set", "公章、财务专用章、发票专用章"}};
  auto open = cases_->Submit(zw_, started->id, req);
  ASSERT_TRUE(open.ok());
  const std::string open_task = std::to_string(open->tasks.at(0).id);
  EXPECT_EQ(Call("POST", ratings, R"({"task_id":)" + open_task + R"(,"level":5})", tokens_["zhangwei"]).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/me/cases/" + std::to_string(started->id) + "/ratings",
                 R"({"task_id":)" + open_task + R"(,"level":5})", tokens_["zhangwei"])
                .status,
            409);
  EXPECT_TRUE(Json(Call("GET", ratings, "", tokens_["zhangwei"])).at("items").as_array().empty());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ReviewRoutesTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, ReviewRoutesTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::api
