// Objection routes over HTTP on SQLite and PostgreSQL: 张伟 raises an objection to his household
// address, the police decide it (accept -> version 2 in "my data"; reject with a reason), the
// overdue list and the escalated list, 401 / 403 for callers the routes do not list, and 404 for
// another subject's or another department's objection exactly as for a missing one. Every JSON
// answer is logged by TestServer and validated against the served document (api_answers_test).
#include "data/part/data_objection_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/dispatcher.h"
#include "crypto/hmac.h"
#include "data/part/data_routes.h"
#include "identity/part/auth_handlers.h"
#include "ledger/log_storage.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/subject_hash.h"
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

constexpr const char* kPassword = "password-for-tests";
using tongban::testing::kLiNa;
using tongban::testing::kZhangWei;
constexpr int64_t kTuesday = 1'790'042'400;  // 2026-09-22 10:00 in Hangzhou
constexpr int64_t kDueEnd = 1'790'784'000;   // the end of 2026-09-30 in Hangzhou
constexpr const char* kRaise =
    R"({"dataset":"household_registration","record_key":"HJ-330106-0000213","element":"household_address",)"
    R"("claimed_value":"浙江省杭州市西湖区文三路 98 号","reason":"门牌号登记错误，应为 98 号"})";

class ObjectionRoutesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = identity::IdentityService::Migrations();
    for (auto& x : ledger::LogStorageMigrations()) m.push_back(x);
    for (auto& x : data::DataService::Migrations()) m.push_back(x);
    for (auto& x : data::ObjectionService::Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    identity::IdentityOptions io;
    io.password = crypto::PasswordParams::ForTestsOnly();
    // Sessions on the wall clock; the data platform on a fake one that the tests move by days.
    identity_ = std::make_unique<identity::IdentityService>(**db_, wall_clock_, std::string(32, 'k'), io);
    auto add = [&](NewAccount a) {
      if (a.role != Role::kDepartmentSystem) a.password = kPassword;
      auto id = identity_->CreateAccount(a);
      EXPECT_TRUE(id.ok()) << id.status().ToString();
      return *id;
    };
    add({.login = "zhangwei", .role = Role::kCitizen, .display_name = "张伟", .subject_id = kZhangWei});
    add({.login = "lina", .role = Role::kCitizen, .display_name = "李娜", .subject_id = kLiNa});
    add({.login = "police", .role = Role::kStaff, .display_name = "刘洋", .department = "杭州市公安局"});
    add({.login = "civil", .role = Role::kStaff, .display_name = "陈静", .department = "杭州市民政局"});
    add({.login = "window", .role = Role::kStaff, .display_name = "王芳", .department = "杭州市上城区行政服务中心"});
    add({.login = "auditor", .role = Role::kAuditor, .display_name = "赵敏"});
    add({.login = "admin", .role = Role::kAdmin, .display_name = "运维管理员"});
    const int64_t police_system = add({.login = "police-system", .role = Role::kDepartmentSystem,
                                       .display_name = "杭州市公安局人口信息系统", .department = "杭州市公安局"});
    const int64_t hospital = add({.login = "hospital", .role = Role::kDepartmentSystem, .display_name = "医院"});
    police_key_ = "Bearer " + *identity_->CreateApiKey(police_system, {"data:push"}, "test");
    hospital_key_ = "Bearer " + *identity_->CreateApiKey(hospital, {"receipt:issue"}, "test");

    data::DataServiceOptions o;
    o.hash = crypto::HashAlgorithm::kSm3;
    o.subject_hash = tongban::testing::TestSubjectHash(crypto::HashAlgorithm::kSm3, 's');
    service_ = std::make_unique<data::DataService>(**db_, clock_, data::Catalogue::Builtin(), o);
    data::ObjectionServiceOptions oo;
    oo.hash = o.hash;
    oo.subject_hash = o.subject_hash;
    objections_ = std::make_unique<data::ObjectionService>(**db_, clock_, *service_, oo);
    for (const auto& [subject, key, name] : {std::tuple{kZhangWei, "HJ-330106-0000213", "张伟"},
                                             std::tuple{kLiNa, "HJ-330421-0000128", "李娜"}}) {
      object record{{"subject", subject}, {"key", key}, {"version", 1},
                    {"fields", object{{"name", name}, {"household_address", "浙江省杭州市西湖区文三路 90 号"},
                                      {"household_head_id", subject}, {"relation_to_head", "户主"}}}};
      auto r = service_->Push({police_system, "hz-police"}, "household_registration",
                              boost::json::serialize(record), false);
      ASSERT_TRUE(r.ok() && r->accepted == 1) << (r.ok() && !r->rejected.empty() ? r->rejected[0].reason : "");
    }

    AddAuthRoutes(dispatcher_.router(), *identity_);
    AddDataRoutes(dispatcher_.router(), DataRoutesOptions{.service = service_.get(), .identity = identity_.get()});
    AddDataObjectionRoutes(dispatcher_.router(), {.objections = objections_.get(), .service = service_.get(),
                                                  .identity = identity_.get()});
    dispatcher_.AddSystemRoutes();
    dispatcher_.set_authoriser(MakeAuthoriser(*identity_));
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
    for (const char* login : {"zhangwei", "lina", "police", "civil", "window", "auditor", "admin"}) {
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

  // The problem without its request id: what must not differ between a missing object and one
  // that is not the caller's.
  std::string WithoutInstance(const tongban::testing::RawResponse& r) {
    value v = Json(r);
    if (!v.is_object()) return "not JSON: " + r.body;
    v.as_object().erase("instance");
    return boost::json::serialize(v);
  }

  std::string FirstField(const tongban::testing::RawResponse& r) {
    value v = Json(r);
    if (!v.is_object() || !v.as_object().contains("errors")) return "no errors: " + r.body;
    return std::string(v.at("errors").at(0).at("field").as_string());
  }

  int64_t Raise() {
    auto r = Call("POST", "/api/v1/me/data/objections", kRaise, tokens_["zhangwei"]);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Json(r).at("id").to_number<int64_t>() : 0;
  }

  SystemClock wall_clock_;
  FakeClock clock_{kTuesday * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<data::DataService> service_;
  std::unique_ptr<data::ObjectionService> objections_;
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
  std::map<std::string, std::string> tokens_;
  std::string police_key_, hospital_key_;
};

TEST_P(ObjectionRoutesTest, RaiseAcceptAndTheSubjectSeesVersionTwo) {
  auto raised = Call("POST", "/api/v1/me/data/objections", kRaise, tokens_["zhangwei"]);
  ASSERT_EQ(raised.status, 201) << raised.body;
  value o = Json(raised);
  const std::string id = std::to_string(o.at("id").to_number<int64_t>());
  EXPECT_EQ(o.at("state").as_string(), "open");
  EXPECT_EQ(o.at("due_date").as_string(), "2026-09-30");
  EXPECT_EQ(o.at("due_at").as_string(), "2026-09-30T16:00:00Z");
  EXPECT_EQ(o.at("department").at("key").as_string(), "hz-police");
  EXPECT_EQ(o.at("element").at("name_zh").as_string(), "户籍地址");
  EXPECT_EQ(o.at("recorded_value").as_string(), "浙江省杭州市西湖区文三路 90 号");
  EXPECT_FALSE(o.at("overdue").as_bool());
  EXPECT_EQ(o.at("steps").as_array().size(), 1u);

  // The subject's list and the one; another subject gets 404 exactly as for a missing one.
  EXPECT_EQ(Json(Call("GET", "/api/v1/me/data/objections", "", tokens_["zhangwei"])).at("items").as_array().size(), 1u);
  EXPECT_TRUE(Json(Call("GET", "/api/v1/me/data/objections", "", tokens_["lina"])).at("items").as_array().empty());
  EXPECT_EQ(Call("GET", "/api/v1/me/data/objections/" + id, "", tokens_["zhangwei"]).status, 200);
  auto theirs = Call("GET", "/api/v1/me/data/objections/" + id, "", tokens_["lina"]);
  auto missing = Call("GET", "/api/v1/me/data/objections/999999", "", tokens_["lina"]);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(missing.status, 404);
  std::string a = WithoutInstance(theirs), b = WithoutInstance(missing);
  b.replace(b.find("999999"), 6, id);
  EXPECT_EQ(a, b);

  // The police's queue has it; the civil affairs bureau's, a window's and a hospital's do not.
  auto queue = Json(Call("GET", "/api/v1/data/objections", "", tokens_["police"]));
  ASSERT_EQ(queue.at("items").as_array().size(), 1u);
  EXPECT_TRUE(Json(Call("GET", "/api/v1/data/objections", "", tokens_["civil"])).at("items").as_array().empty());
  EXPECT_TRUE(Json(Call("GET", "/api/v1/data/objections", "", tokens_["window"])).at("items").as_array().empty());
  EXPECT_TRUE(Json(Call("GET", "/api/v1/data/objections", "", hospital_key_)).at("items").as_array().empty());
  EXPECT_EQ(Json(Call("GET", "/api/v1/data/objections?state=all", "", tokens_["auditor"])).at("items").as_array().size(), 1u);
  auto bad_state = Call("GET", "/api/v1/data/objections?state=late", "", tokens_["police"]);
  EXPECT_EQ(bad_state.status, 400);
  EXPECT_EQ(FirstField(bad_state), "state");

  // Other departments: 404, as for a missing objection. The owner: value required and checked.
  const std::string accept = "/api/v1/data/objections/" + id + "/accept";
  const std::string body = R"({"value":"浙江省杭州市西湖区文三路 98 号","note":"已核实户籍档案"})";
  EXPECT_EQ(Call("POST", accept, body, tokens_["civil"]).status, 404);
  EXPECT_EQ(Call("POST", accept, body, hospital_key_).status, 403);  // a system without data:push
  EXPECT_EQ(Call("POST", "/api/v1/data/objections/999999/accept", body, tokens_["police"]).status, 404);
  auto no_value = Call("POST", accept, R"({"note":"x"})", tokens_["police"]);
  EXPECT_EQ(no_value.status, 400);
  EXPECT_EQ(FirstField(no_value), "/value");
  auto too_long = Call("POST", accept, "{\"value\":\"" + std::string(300, 'x') + "\"}", tokens_["police"]);
  EXPECT_EQ(too_long.status, 400) << too_long.body;
  EXPECT_EQ(FirstField(too_long), "/value");

  auto accepted = Call("POST", accept, body, police_key_);  // the police's system decides it
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  value done = Json(accepted);
  EXPECT_EQ(done.at("state").as_string(), "accepted");
  EXPECT_EQ(done.at("corrected_version").to_number<int64_t>(), 2);
  EXPECT_EQ(Call("POST", accept, body, tokens_["police"]).status, 409);  // decided once

  // He is told (the step), and "my data" shows version 2.
  value mine = Json(Call("GET", "/api/v1/me/data/objections/" + id, "", tokens_["zhangwei"]));
  ASSERT_EQ(mine.at("steps").as_array().size(), 2u);
  EXPECT_EQ(mine.at("steps").at(1).at("action").as_string(), "accept");
  EXPECT_EQ(mine.at("steps").at(1).at("version").to_number<int64_t>(), 2);
  EXPECT_EQ(mine.at("steps").at(1).at("note").as_string(), "已核实户籍档案");
  value records = Json(Call("GET", "/api/v1/me/data", "", tokens_["zhangwei"]));
  ASSERT_EQ(records.at("items").as_array().size(), 1u);
  EXPECT_EQ(records.at("items").at(0).at("record_version").to_number<int64_t>(), 2);
  EXPECT_EQ(records.at("items").at(0).at("fields").at("household_address").as_string(), "浙江省杭州市西湖区文三路 98 号");
}

TEST_P(ObjectionRoutesTest, RaiseRefusals) {
  auto post = [&](const std::string& body, const std::string& who = "zhangwei") {
    return Call("POST", "/api/v1/me/data/objections", body, tokens_[who]);
  };
  // Li Na names his record: 404, as for a record that does not exist.
  auto theirs = post(kRaise, "lina");
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  auto element = post(R"({"dataset":"household_registration","record_key":"HJ-330106-0000213","element":"spouse_name","reason":"错误"})");
  EXPECT_EQ(element.status, 400);
  EXPECT_EQ(FirstField(element), "/element");
  auto no_reason = post(R"({"dataset":"household_registration","record_key":"HJ-330106-0000213","element":"name"})");
  EXPECT_EQ(no_reason.status, 400);
  auto unknown = post(R"({"dataset":"household_registration","record_key":"HJ-330106-0000213","element":"name","reason":"x","colour":"red"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(post("not json").status, 400);
  EXPECT_EQ(post(kRaise).status, 201);
  auto twice = post(kRaise);
  EXPECT_EQ(twice.status, 409) << twice.body;
}

TEST_P(ObjectionRoutesTest, RejectNeedsAReasonAndOverdueOnesAreEscalated) {
  const std::string id = std::to_string(Raise());
  const std::string reject = "/api/v1/data/objections/" + id + "/reject";
  auto empty = Call("POST", reject, R"({"reason":""})", tokens_["police"]);
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(FirstField(empty), "/reason");
  EXPECT_EQ(Call("POST", reject, "{}", tokens_["police"]).status, 400);
  EXPECT_EQ(Call("POST", reject, R"({"reason":"不予更正"})", tokens_["civil"]).status, 404);

  // Past the end of the due day it is overdue; the sweep escalates it to the lead and the operator.
  EXPECT_TRUE(Json(Call("GET", "/api/v1/data/objections?state=overdue", "", tokens_["police"])).at("items").as_array().empty());
  clock_.SetUnixMicros(kDueEnd * 1'000'000);
  value overdue = Json(Call("GET", "/api/v1/data/objections?state=overdue", "", tokens_["police"]));
  ASSERT_EQ(overdue.at("items").as_array().size(), 1u);
  EXPECT_TRUE(overdue.at("items").at(0).at("overdue").as_bool());
  ASSERT_EQ(*objections_->EscalateOverdue(), 1);
  for (const char* who : {"police", "admin", "auditor"}) {
    value escalated = Json(Call("GET", "/api/v1/data/objections?state=escalated", "", tokens_[who]));
    ASSERT_EQ(escalated.at("items").as_array().size(), 1u) << who;
    EXPECT_EQ(escalated.at("items").at(0).at("state").as_string(), "escalated");
  }
  EXPECT_TRUE(Json(Call("GET", "/api/v1/data/objections?state=escalated", "", tokens_["civil"])).at("items").as_array().empty());

  auto rejected = Call("POST", reject, R"({"reason":"经核查户籍档案，门牌号登记无误"})", tokens_["police"]);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  value mine = Json(Call("GET", "/api/v1/me/data/objections/" + id, "", tokens_["zhangwei"]));
  EXPECT_EQ(mine.at("state").as_string(), "rejected");
  EXPECT_EQ(mine.at("decision").as_string(), "经核查户籍档案，门牌号登记无误");
  std::vector<std::string> actions;
  for (const auto& s : mine.at("steps").as_array()) actions.emplace_back(s.at("action").as_string());
  EXPECT_EQ(actions, (std::vector<std::string>{"raise", "escalate", "reject"}));
}

TEST_P(ObjectionRoutesTest, CallersTheRoutesDoNotListGet401Or403) {
  const std::string id = std::to_string(Raise());
  EXPECT_EQ(Call("GET", "/api/v1/me/data/objections", "", "").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/data/objections", "", "").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/data/objections/" + id + "/reject", R"({"reason":"x"})", "").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/me/data/objections", kRaise, tokens_["police"]).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/me/data/objections/" + id, "", tokens_["police"]).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/data/objections", "", tokens_["zhangwei"]).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/data/objections/" + id + "/accept", R"({"value":"x"})", tokens_["zhangwei"]).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/data/objections/" + id + "/reject", R"({"reason":"x"})", tokens_["admin"]).status, 403);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ObjectionRoutesTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, ObjectionRoutesTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::api
