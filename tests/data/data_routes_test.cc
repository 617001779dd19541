// The data platform's routes over HTTP on SQLite and PostgreSQL: every route answers the role it
// lists (200/201), 401 without credentials and 403 for a role or scope it does not list; objects
// of another department or subject answer 404 exactly as missing ones; a single bad record is
// problem+json naming each element; a bulk NDJSON push answers every bad line (line, element,
// reason) and commits the rest; too many lines is a 400 with nothing written; reads need a purpose
// that covers them; a citizen's access log never shows another citizen's reads. Every JSON
// answer is logged by TestServer and validated against the served document (api_answers_test).
#include "data/part/data_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "api/dispatcher.h"
#include "crypto/hmac.h"
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
using tongban::testing::RawResponse;

constexpr const char* kPassword = "password-for-tests";
using tongban::testing::kCompany;
using tongban::testing::kLiNa;
using tongban::testing::kZhangWei;
using tongban::testing::SyntheticId;
constexpr int64_t kStart = 1'790'000'000;  // 2026-09-21
constexpr const char* kHousehold = "/api/v1/data/datasets/household_registration/records";
constexpr int64_t kMaxLines = 50;

std::string HouseholdRecord(const std::string& subject, const std::string& key, int64_t version,
                            const std::string& sex = "男") {
  return boost::json::serialize(
      object{{"subject", subject},
             {"key", key},
             {"version", version},
             {"fields", object{{"name", subject == kLiNa ? "李娜" : "张伟"},
                               {"sex", sex},
                               {"household_address", "浙江省杭州市西湖区文三路 90 号"},
                               {"household_head_id", subject},
                               {"relation_to_head", "户主"}}}});
}

class DataRoutesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    std::vector<store::Migration> m = identity::IdentityService::Migrations();
    for (auto& x : ledger::LogStorageMigrations()) m.push_back(x);
    for (auto& x : data::DataService::Migrations()) m.push_back(x);
    ASSERT_TRUE(store::Migrate(**db_, m).ok());
    identity::IdentityOptions io;
    io.password = crypto::PasswordParams::ForTestsOnly();
    // Sessions on the wall clock; the data platform on a fake one.
    identity_ = std::make_unique<identity::IdentityService>(**db_, wall_clock_, std::string(32, 'k'), io);
    auto add = [&](NewAccount a) {
      if (a.role != Role::kDepartmentSystem) a.password = kPassword;
      auto id = identity_->CreateAccount(a);
      EXPECT_TRUE(id.ok()) << id.status().ToString();
      return *id;
    };
    add({.login = "zhangwei", .role = Role::kCitizen, .display_name = "张伟", .subject_id = kZhangWei});
    add({.login = "lina", .role = Role::kCitizen, .display_name = "李娜", .subject_id = kLiNa});
    add({.login = "enterprise", .role = Role::kEnterprise, .display_name = "杭州西湖示范科技有限公司",
         .subject_id = kCompany});
    add({.login = "xihu", .role = Role::kStaff, .display_name = "王芳", .department = "杭州市西湖区行政服务中心"});
    add({.login = "police", .role = Role::kStaff, .display_name = "刘洋", .department = "杭州市公安局"});
    add({.login = "fund", .role = Role::kStaff, .display_name = "孙丽", .department = "杭州住房公积金管理中心"});
    // A department that is not in the data catalogue.
    add({.login = "outsider", .role = Role::kStaff, .display_name = "陈静", .department = "杭州市上城区行政服务中心"});
    add({.login = "auditor", .role = Role::kAuditor, .display_name = "赵敏"});
    add({.login = "admin", .role = Role::kAdmin, .display_name = "运维管理员"});
    const int64_t police_system = add({.login = "police-system", .role = Role::kDepartmentSystem,
                                       .display_name = "杭州市公安局人口信息系统", .department = "杭州市公安局"});
    const int64_t civil_system = add({.login = "civil-system", .role = Role::kDepartmentSystem,
                                      .display_name = "杭州市民政局婚姻登记系统", .department = "杭州市民政局"});
    const int64_t hospital = add({.login = "hospital", .role = Role::kDepartmentSystem, .display_name = "医院"});
    police_key_ = "Bearer " + *identity_->CreateApiKey(police_system, {"data:push"}, "test");
    civil_key_ = "Bearer " + *identity_->CreateApiKey(civil_system, {"data:push"}, "test");
    hospital_key_ = "Bearer " + *identity_->CreateApiKey(hospital, {"receipt:issue"}, "test");

    data::DataServiceOptions o;
    o.hash = crypto::HashAlgorithm::kSm3;
    o.subject_hash = tongban::testing::TestSubjectHash(crypto::HashAlgorithm::kSm3, 's');
    o.max_lines = kMaxLines;
    service_ = std::make_unique<data::DataService>(**db_, clock_, data::Catalogue::Builtin(), o);

    AddAuthRoutes(dispatcher_.router(), *identity_);
    AddDataRoutes(dispatcher_.router(), DataRoutesOptions{.service = service_.get(), .identity = identity_.get()});
    dispatcher_.AddSystemRoutes();
    dispatcher_.set_authoriser(MakeAuthoriser(*identity_));
    dispatcher_.SetRateLimits({0, 0}, {0, 0});
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
    for (const char* login : {"zhangwei", "lina", "enterprise", "xihu", "police", "fund", "outsider", "auditor", "admin"}) {
      tokens_[login] = "Bearer " + Login(login);
    }
  }

  void TearDown() override { server_.reset(); }

  std::string Login(const std::string& login) {
    auto r = Call("POST", "/api/v1/auth/login", R"({"login":")" + login + R"(","password":")" + kPassword + "\"}", "");
    return r.status == 200 ? std::string(boost::json::parse(r.body).at("access_token").as_string()) : "";
  }

  RawResponse Call(const std::string& method, const std::string& path, const std::string& body,
                   const std::string& auth, const std::string& content_type = "") {
    HttpClient c(server_->port());
    std::map<std::string, std::string> h;
    if (!auth.empty()) h["Authorization"] = auth;
    if (!content_type.empty()) h["Content-Type"] = content_type;
    auto r = c.Request(method, path, body, h);
    EXPECT_TRUE(r.has_value());
    return r ? *r : RawResponse{};
  }

  static value Json(const RawResponse& r) {
    boost::system::error_code ec;
    value v = boost::json::parse(r.body, ec);
    return ec ? value() : v;
  }

  static std::string WithoutInstance(const RawResponse& r) {
    value v = Json(r);
    if (!v.is_object()) return "not JSON: " + r.body;
    v.as_object().erase("instance");
    return boost::json::serialize(v);
  }

  // A 404 for someone else's object must read exactly as one for a missing object.
  void ExpectSameAsMissing(const RawResponse& theirs, const RawResponse& missing, const std::string& id,
                           const std::string& missing_id) {
    EXPECT_EQ(theirs.status, 404) << theirs.body;
    EXPECT_EQ(missing.status, 404) << missing.body;
    EXPECT_EQ(theirs.headers.at("content-type"), "application/problem+json");
    std::string a = WithoutInstance(theirs), b = WithoutInstance(missing);
    if (auto at = b.find(missing_id); at != std::string::npos) b.replace(at, missing_id.size(), id);
    EXPECT_EQ(a, b);
  }

  void PushHouseholds() {
    for (const auto& [subject, key] : {std::pair{kZhangWei, "HJ-1"}, std::pair{kLiNa, "HJ-2"}}) {
      auto r = Call("POST", kHousehold, HouseholdRecord(subject, key, 1), police_key_);
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }

  // An agreement of the Xihu window for 张伟's name and address, approved by the police.
  int64_t ApprovedAgreement() {
    auto r = Call("POST", "/api/v1/data/agreements",
                  R"({"dataset":"household_registration","elements":["name","household_address"],)"
                  R"("purpose":"一证通办：窗口核验户籍","legal_basis":"《浙江省公共数据条例》第二十八条",)"
                  R"("until":"2026-12-31T00:00:00Z"})",
                  tokens_["xihu"]);
    EXPECT_EQ(r.status, 201) << r.body;
    const int64_t id = r.status == 201 ? Json(r).at("id").to_number<int64_t>() : 0;
    auto a = Call("POST", "/api/v1/data/agreements/" + std::to_string(id) + "/approve", "", tokens_["police"]);
    EXPECT_EQ(a.status, 200) << a.body;
    return id;
  }

  std::string ReadPath(const std::string& subject, const std::string& query) {
    return "/api/v1/data/subjects/" + subject + "/datasets/household_registration" + query;
  }

  SystemClock wall_clock_;
  FakeClock clock_{kStart * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<data::DataService> service_;
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
  std::map<std::string, std::string> tokens_;
  std::string police_key_, civil_key_, hospital_key_;
};

TEST_P(DataRoutesTest, TheCatalogueIsPublic) {
  auto r = Call("GET", "/api/v1/data/catalogue", "", "");
  ASSERT_EQ(r.status, 200) << r.body;
  value c = Json(r);
  EXPECT_GE(c.at("datasets").as_array().size(), 12u);
  EXPECT_GE(c.at("departments").as_array().size(), 8u);
}

TEST_P(DataRoutesTest, PushOneRecord) {
  auto created = Call("POST", kHousehold, HouseholdRecord(kZhangWei, "HJ-1", 1), police_key_);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Json(created).at("accepted").as_int64(), 1);
  // The same version again: 200, unchanged.
  auto again = Call("POST", kHousehold, HouseholdRecord(kZhangWei, "HJ-1", 1), police_key_);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again).at("unchanged").as_int64(), 1);
  EXPECT_EQ(Json(again).at("accepted").as_int64(), 0);

  // A bad record: problem+json naming each element.
  object bad = boost::json::parse(HouseholdRecord(kZhangWei, "HJ-3", 1, "未知")).as_object();
  bad["version"] = 0;
  auto refused = Call("POST", kHousehold, boost::json::serialize(bad), police_key_);
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.headers.at("content-type"), "application/problem+json");
  std::set<std::string> fields;
  const value problem = Json(refused);
  for (const auto& e : problem.at("errors").as_array()) fields.insert(std::string(e.at("field").as_string()));
  EXPECT_EQ(fields, (std::set<std::string>{"/version", "/sex"})) << refused.body;
  // Same version with other fields.
  auto conflict = Call("POST", kHousehold, HouseholdRecord(kZhangWei, "HJ-1", 1, "女"), police_key_);
  EXPECT_EQ(conflict.status, 400) << conflict.body;
  // Not JSON.
  EXPECT_EQ(Call("POST", kHousehold, "{not json", police_key_).status, 400);

  // Another department's dataset: 403. Callers without the data:push scope: 403; none: 401.
  EXPECT_EQ(Call("POST", kHousehold, HouseholdRecord(kZhangWei, "HJ-9", 1), civil_key_).status, 403);
  for (const char* who : {"police", "xihu", "zhangwei", "auditor", "admin"}) {
    EXPECT_EQ(Call("POST", kHousehold, HouseholdRecord(kZhangWei, "HJ-9", 1), tokens_[who]).status, 403) << who;
  }
  EXPECT_EQ(Call("POST", kHousehold, HouseholdRecord(kZhangWei, "HJ-9", 1), hospital_key_).status, 403);
  EXPECT_EQ(Call("POST", kHousehold, HouseholdRecord(kZhangWei, "HJ-9", 1), "").status, 401);
  // An unknown dataset: 404.
  EXPECT_EQ(Call("POST", "/api/v1/data/datasets/no_such/records", HouseholdRecord(kZhangWei, "HJ-9", 1),
                 police_key_).status,
            404);
  EXPECT_EQ(service_->Stats()->records, 1);
}

TEST_P(DataRoutesTest, BulkPushListsEveryBadLineAndCommitsTheRest) {
  std::string body;
  std::vector<int64_t> bad;
  for (int i = 1; i <= 40; ++i) {
    char first17[18];
    std::snprintf(first17, sizeof first17, "3301061980%02d%02d%03d", 1 + i % 12, 1 + i % 28, 100 + i);
    std::string line = HouseholdRecord(SyntheticId(first17), "HJ-" + std::to_string(i), 1);
    if (i % 10 == 3) {
      line = HouseholdRecord(SyntheticId(first17), "HJ-" + std::to_string(i), 1, "未知");
      bad.push_back(i);
    } else if (i == 20) {
      line = "{broken";
      bad.push_back(i);
    }
    body += line + "\r\n";
  }
  const std::string path = std::string(kHousehold) + "/bulk";
  auto r = Call("POST", path, body, police_key_, "application/x-ndjson");
  ASSERT_EQ(r.status, 200) << r.body;
  value v = Json(r);
  EXPECT_EQ(v.at("lines").as_int64(), 40);
  EXPECT_EQ(v.at("accepted").as_int64(), 40 - static_cast<int64_t>(bad.size()));
  std::vector<int64_t> lines;
  for (const auto& e : v.at("rejected").as_array()) {
    lines.push_back(e.at("line").as_int64());
    EXPECT_FALSE(e.at("reason").as_string().empty());
  }
  EXPECT_EQ(lines, bad);
  EXPECT_EQ(v.at("rejected").at(0).at("element").as_string(), "sex");
  // Again: nothing new.
  auto again = Json(Call("POST", path, body, police_key_, "application/x-ndjson"));
  EXPECT_EQ(again.at("accepted").as_int64(), 0);
  EXPECT_EQ(again.at("unchanged").as_int64(), 40 - static_cast<int64_t>(bad.size()));
  EXPECT_EQ(service_->Stats()->records, 40 - static_cast<int64_t>(bad.size()));

  // More lines than the limit: a problem, nothing written.
  std::string many;
  for (int i = 0; i <= kMaxLines; ++i) many += HouseholdRecord(kZhangWei, "M-" + std::to_string(i), 1) + "\n";
  auto too_many = Call("POST", path, many, police_key_, "application/x-ndjson");
  EXPECT_EQ(too_many.status, 400) << too_many.body;
  EXPECT_EQ(too_many.headers.at("content-type"), "application/problem+json");
  EXPECT_EQ(service_->Stats()->records, 40 - static_cast<int64_t>(bad.size()));

  // Who may push.
  EXPECT_EQ(Call("POST", path, body, civil_key_, "application/x-ndjson").status, 403);
  EXPECT_EQ(Call("POST", path, body, tokens_["police"], "application/x-ndjson").status, 403);
  EXPECT_EQ(Call("POST", path, body, hospital_key_, "application/x-ndjson").status, 403);
  EXPECT_EQ(Call("POST", path, body, "", "application/x-ndjson").status, 401);
}

TEST_P(DataRoutesTest, AgreementsByTheirParties) {
  const std::string request =
      R"({"dataset":"household_registration","elements":["name"],"purpose":"核验","legal_basis":"条例","until":"2026-12-31T00:00:00Z"})";
  auto created = Call("POST", "/api/v1/data/agreements", request, tokens_["xihu"]);
  ASSERT_EQ(created.status, 201) << created.body;
  value a = Json(created);
  const std::string id = std::to_string(a.at("id").to_number<int64_t>());
  EXPECT_EQ(a.at("state").as_string(), "requested");
  EXPECT_EQ(a.at("provider").at("key").as_string(), "hz-police");
  // Who may ask: staff and department systems; not citizens, auditors; not without a login.
  for (const char* who : {"zhangwei", "enterprise", "auditor", "admin"}) {
    EXPECT_EQ(Call("POST", "/api/v1/data/agreements", request, tokens_[who]).status, 403) << who;
  }
  EXPECT_EQ(Call("POST", "/api/v1/data/agreements", request, "").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/data/agreements", request, tokens_["outsider"]).status, 403);
  auto bad = Call("POST", "/api/v1/data/agreements",
                  R"({"dataset":"household_registration","elements":["colour"],"purpose":"p","legal_basis":"l","until":"2026-12-31T00:00:00Z"})",
                  tokens_["xihu"]);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Json(bad).at("errors").at(0).at("field").as_string(), "/elements/0");

  // Lists: each party sees it; another department does not; the auditor sees all.
  EXPECT_EQ(Json(Call("GET", "/api/v1/data/agreements", "", tokens_["xihu"])).at("items").as_array().size(), 1u);
  EXPECT_EQ(Json(Call("GET", "/api/v1/data/agreements", "", tokens_["police"])).at("items").as_array().size(), 1u);
  EXPECT_EQ(Json(Call("GET", "/api/v1/data/agreements", "", police_key_)).at("items").as_array().size(), 1u);
  EXPECT_TRUE(Json(Call("GET", "/api/v1/data/agreements", "", tokens_["fund"])).at("items").as_array().empty());
  EXPECT_TRUE(Json(Call("GET", "/api/v1/data/agreements", "", tokens_["outsider"])).at("items").as_array().empty());
  EXPECT_TRUE(Json(Call("GET", "/api/v1/data/agreements", "", hospital_key_)).at("items").as_array().empty());
  EXPECT_EQ(Json(Call("GET", "/api/v1/data/agreements", "", tokens_["auditor"])).at("items").as_array().size(), 1u);
  EXPECT_EQ(Json(Call("GET", "/api/v1/data/agreements", "", tokens_["admin"])).at("items").as_array().size(), 1u);
  EXPECT_EQ(Call("GET", "/api/v1/data/agreements", "", tokens_["zhangwei"]).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/data/agreements", "", "").status, 401);

  // Deciding: only the provider; anyone else's 404 reads as a missing agreement's.
  const std::string approve = "/api/v1/data/agreements/" + id + "/approve";
  for (const char* who : {"xihu", "fund", "outsider"}) {
    ExpectSameAsMissing(Call("POST", approve, "", tokens_[who]),
                        Call("POST", "/api/v1/data/agreements/999999/approve", "", tokens_[who]), id, "999999");
  }
  ExpectSameAsMissing(Call("POST", approve, "", hospital_key_),
                      Call("POST", "/api/v1/data/agreements/999999/approve", "", hospital_key_), id, "999999");
  EXPECT_EQ(Call("POST", approve, "", tokens_["zhangwei"]).status, 403);
  EXPECT_EQ(Call("POST", approve, "", tokens_["auditor"]).status, 403);
  EXPECT_EQ(Call("POST", approve, "", "").status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/data/agreements/" + id + "/reject", "{}", tokens_["police"]).status, 400);
  auto approved = Call("POST", approve, "", tokens_["police"]);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(Json(approved).at("state").as_string(), "approved");
  EXPECT_EQ(Call("POST", approve, "", tokens_["police"]).status, 409);
  EXPECT_EQ(Call("POST", "/api/v1/data/agreements/" + id + "/reject", R"({"reason":"晚了"})", tokens_["police"]).status,
            409);

  // Revoking: either side; not a third department.
  const std::string revoke = "/api/v1/data/agreements/" + id + "/revoke";
  ExpectSameAsMissing(Call("POST", revoke, R"({"reason":"x"})", tokens_["fund"]),
                      Call("POST", "/api/v1/data/agreements/999999/revoke", R"({"reason":"x"})", tokens_["fund"]), id,
                      "999999");
  EXPECT_EQ(Call("POST", revoke, "", tokens_["xihu"]).status, 400);  // a reason is required
  auto revoked = Call("POST", revoke, R"({"reason":"业务调整"})", tokens_["xihu"]);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(Json(revoked).at("state").as_string(), "revoked");
  EXPECT_EQ(Call("POST", revoke, R"({"reason":"again"})", tokens_["police"]).status, 409);

  // A second request, rejected by the provider's system.
  auto second = Json(Call("POST", "/api/v1/data/agreements", request, tokens_["fund"]));
  const std::string id2 = std::to_string(second.at("id").to_number<int64_t>());
  auto rejected = Call("POST", "/api/v1/data/agreements/" + id2 + "/reject", R"({"reason":"用途超出范围"})", police_key_);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(Json(rejected).at("state").as_string(), "rejected");
  EXPECT_EQ(Json(rejected).at("reason").as_string(), "用途超出范围");
  EXPECT_EQ(Call("POST", "/api/v1/data/agreements/abc/approve", "", tokens_["police"]).status, 400);
}

TEST_P(DataRoutesTest, ReadsNeedAPurposeThatCoversThem) {
  PushHouseholds();
  const int64_t id = ApprovedAgreement();
  const std::string purpose = "?purpose=agreement:" + std::to_string(id);
  auto r = Call("GET", ReadPath(kZhangWei, purpose), "", tokens_["xihu"]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("cache-control"), "no-store");
  value v = Json(r);
  const auto& values = v.at("values").as_array();
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].at("element").as_string(), "name");
  EXPECT_EQ(values[0].at("value").as_string(), "张伟");
  EXPECT_EQ(values[0].at("source").at("key").as_string(), "hz-police");
  EXPECT_EQ(values[0].at("record_version").as_int64(), 1);
  EXPECT_EQ(values[1].at("element").as_string(), "household_address");
  EXPECT_GT(v.at("access_id").as_int64(), 0);
  // Fewer elements.
  auto one = Json(Call("GET", ReadPath(kZhangWei, purpose + "&elements=name"), "", tokens_["xihu"]));
  ASSERT_EQ(one.at("values").as_array().size(), 1u);

  // Refusals: no purpose (400), a malformed one (400), elements not covered, another
  // department's agreement, a grant or case that covers nothing (403).
  auto none = Call("GET", ReadPath(kZhangWei, ""), "", tokens_["xihu"]);
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(Json(none).at("errors").at(0).at("field").as_string(), "purpose");
  EXPECT_EQ(Call("GET", ReadPath(kZhangWei, "?purpose=because"), "", tokens_["xihu"]).status, 400);
  EXPECT_EQ(Call("GET", ReadPath(kZhangWei, purpose + "&elements=birth_date"), "", tokens_["xihu"]).status, 403);
  auto other = Call("GET", ReadPath(kZhangWei, purpose), "", tokens_["fund"]);
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.headers.at("content-type"), "application/problem+json");
  EXPECT_EQ(Call("GET", ReadPath(kZhangWei, "?purpose=grant:1"), "", tokens_["fund"]).status, 403);
  EXPECT_EQ(Call("GET", ReadPath(kZhangWei, "?purpose=case:XH-2026-000123"), "", tokens_["xihu"]).status, 403);
  EXPECT_EQ(Call("GET", ReadPath(kZhangWei, purpose), "", tokens_["outsider"]).status, 403);
  EXPECT_EQ(Call("GET", ReadPath("330106", purpose), "", tokens_["xihu"]).status, 400);
  // Counted: the four the service refused and the outsider's (a department outside the catalogue,
  // refused by the route before the service); the malformed subject is a 400, not counted.
  EXPECT_EQ(service_->refused_reads(), 5);
  // Who may read at all.
  for (const char* who : {"zhangwei", "enterprise", "auditor", "admin"}) {
    EXPECT_EQ(Call("GET", ReadPath(kZhangWei, purpose), "", tokens_[who]).status, 403) << who;
  }
  EXPECT_EQ(Call("GET", ReadPath(kZhangWei, purpose), "", "").status, 401);
  EXPECT_EQ(service_->Stats()->reads, 2);
}

TEST_P(DataRoutesTest, MyDataAndWhoReadItAreTheCallersOnly) {
  PushHouseholds();
  const int64_t id = ApprovedAgreement();
  ASSERT_EQ(Call("GET", ReadPath(kZhangWei, "?purpose=agreement:" + std::to_string(id)), "", tokens_["xihu"]).status,
            200);

  auto mine = Call("GET", "/api/v1/me/data", "", tokens_["zhangwei"]);
  ASSERT_EQ(mine.status, 200) << mine.body;
  const value mine_json = Json(mine);
  const auto& items = mine_json.at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("record_key").as_string(), "HJ-1");
  EXPECT_EQ(items[0].at("fields").at("name").as_string(), "张伟");
  auto hers = Json(Call("GET", "/api/v1/me/data", "", tokens_["lina"]));
  ASSERT_EQ(hers.at("items").as_array().size(), 1u);
  EXPECT_EQ(hers.at("items").at(0).at("record_key").as_string(), "HJ-2");
  EXPECT_TRUE(Json(Call("GET", "/api/v1/me/data", "", tokens_["enterprise"])).at("items").as_array().empty());

  auto log = Call("GET", "/api/v1/me/data-access", "", tokens_["zhangwei"]);
  ASSERT_EQ(log.status, 200) << log.body;
  value l = Json(log);
  ASSERT_EQ(l.at("items").as_array().size(), 1u);
  const value& entry = l.at("items").at(0);
  EXPECT_EQ(entry.at("reader").at("key").as_string(), "xihu-service-center");
  EXPECT_EQ(entry.at("purpose").at("kind").as_string(), "agreement");
  EXPECT_EQ(entry.at("purpose").at("text").as_string(), "一证通办：窗口核验户籍");
  EXPECT_TRUE(entry.at("ledger").is_null());  // not integrated: no sequencer runs here
  const std::string access_id = std::to_string(entry.at("id").to_number<int64_t>());
  // 李娜 never sees 张伟's reads, however she pages.
  EXPECT_TRUE(Json(Call("GET", "/api/v1/me/data-access", "", tokens_["lina"])).at("items").as_array().empty());
  EXPECT_TRUE(Json(Call("GET", "/api/v1/me/data-access?before=" + std::to_string(std::stoll(access_id) + 1), "",
                        tokens_["lina"]))
                  .at("items")
                  .as_array()
                  .empty());
  EXPECT_EQ(Call("GET", "/api/v1/me/data-access?before=x", "", tokens_["zhangwei"]).status, 400);

  for (const char* path : {"/api/v1/me/data", "/api/v1/me/data-access", "/api/v1/me/data-grants"}) {
    for (const char* who : {"xihu", "police", "auditor", "admin"}) {
      EXPECT_EQ(Call("GET", path, "", tokens_[who]).status, 403) << path << " as " << who;
    }
    EXPECT_EQ(Call("GET", path, "", police_key_).status, 403) << path;
    EXPECT_EQ(Call("GET", path, "", "").status, 401) << path;
  }
}

TEST_P(DataRoutesTest, GrantsAreTheSubjectsToGiveAndWithdraw) {
  PushHouseholds();
  const std::string grant =
      R"({"department":"hz-housing-fund","dataset":"household_registration","elements":["household_address"],"purpose":"办理公积金提取","days":30})";
  auto created = Call("POST", "/api/v1/me/data-grants", grant, tokens_["zhangwei"]);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = std::to_string(Json(created).at("id").to_number<int64_t>());
  EXPECT_EQ(Json(created).at("department").at("key").as_string(), "hz-housing-fund");
  EXPECT_EQ(Json(Call("GET", "/api/v1/me/data-grants", "", tokens_["zhangwei"])).at("items").as_array().size(), 1u);
  EXPECT_TRUE(Json(Call("GET", "/api/v1/me/data-grants", "", tokens_["lina"])).at("items").as_array().empty());
  for (const char* who : {"xihu", "fund", "auditor"}) {
    EXPECT_EQ(Call("POST", "/api/v1/me/data-grants", grant, tokens_[who]).status, 403) << who;
  }
  EXPECT_EQ(Call("POST", "/api/v1/me/data-grants", grant, "").status, 401);
  auto bad_days = Call("POST", "/api/v1/me/data-grants",
                       R"({"department":"hz-housing-fund","dataset":"household_registration","elements":["name"],"purpose":"p","days":0})",
                       tokens_["zhangwei"]);
  EXPECT_EQ(bad_days.status, 400);
  EXPECT_EQ(Json(bad_days).at("errors").at(0).at("field").as_string(), "/days");

  // The fund reads under it.
  const std::string read = ReadPath(kZhangWei, "?purpose=grant:" + id);
  auto r = Call("GET", read, "", tokens_["fund"]);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Json(r).at("values").as_array().size(), 1u);
  EXPECT_EQ(Call("GET", ReadPath(kLiNa, "?purpose=grant:" + id), "", tokens_["fund"]).status, 403);

  // Only 张伟 withdraws it: 李娜 gets the missing grant's 404.
  const std::string withdraw = "/api/v1/me/data-grants/" + id + "/withdraw";
  ExpectSameAsMissing(Call("POST", withdraw, "", tokens_["lina"]),
                      Call("POST", "/api/v1/me/data-grants/999999/withdraw", "", tokens_["lina"]), id, "999999");
  EXPECT_EQ(Call("POST", withdraw, "", tokens_["fund"]).status, 403);
  EXPECT_EQ(Call("POST", withdraw, "", "").status, 401);
  auto w = Call("POST", withdraw, "", tokens_["zhangwei"]);
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_FALSE(Json(w).at("withdrawn_at").is_null());
  EXPECT_EQ(Call("POST", withdraw, "", tokens_["zhangwei"]).status, 409);
  EXPECT_EQ(Call("GET", read, "", tokens_["fund"]).status, 403);

  // An enterprise grants its own data; not a person's dataset.
  auto ent = Call("POST", "/api/v1/me/data-grants",
                  R"({"department":"hz-housing-fund","dataset":"tax_payment","elements":["credit_rating"],"purpose":"贷款审核","days":7})",
                  tokens_["enterprise"]);
  EXPECT_EQ(ent.status, 201) << ent.body;
  EXPECT_EQ(Call("POST", "/api/v1/me/data-grants", grant, tokens_["enterprise"]).status, 400);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DataRoutesTest, ::testing::Values(Backend::kSqlite), tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, DataRoutesTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::api
