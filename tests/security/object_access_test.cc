// Object-level authorisation for EVERY route with an id in its path (OWASP API1, issue 15), over
// HTTP, on a demo deployment wired exactly as `tongban serve` wires it. The route table is walked:
// a non-public route with a path parameter must have a case below, or the test fails naming it —
// so a route added by a later part enters this suite the day it is added.
//
// A case names a real object (made by the demo data, or here in the fixture) and who may touch
// it: its owners, and roles that may touch every such object (staff read every receipt). Every
// other caller the route's policy admits must get 404 — not 200 with someone else's data, and
// not 403, which would confirm that the id exists — with the same problem detail as an id that
// does not exist. Owners are not called on writes (they would change the object); on reads they
// must get 200, proving the object is real.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "identity/part/auth_handlers.h"
#include "cli/api_wiring.h"
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/demo_data.h"
#include "core/clock.h"
#include "part/demo_data.h"
#include "testing/demo_deployment.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using tongban::testing::HttpClient;

using Caller = tongban::testing::DemoCaller;

// One object a route's path can name, and who may reach it through that route.
struct ObjectCase {
  std::map<std::string, std::string> params;  // path parameters naming the object
  std::map<std::string, std::string> missing;  // the same, for an object that does not exist
  std::set<std::string> owners;       // caller names that may reach it
  std::set<std::string> every_object_roles;  // roles that may reach every such object
  std::string body = "{}";            // for writes: a body that would be accepted from an owner
  std::string exempt;                 // non-empty: no owner by design, and why
};

std::string Fill(const std::string& pattern, const std::map<std::string, std::string>& params) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      size_t e = pattern.find('}', i);
      out += params.at(pattern.substr(i + 1, e - i - 1));
      i = e + 1;
    } else {
      out.push_back(pattern[i++]);
    }
  }
  return out;
}

class ObjectAccessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    demo_ = tongban::testing::DemoDeployment::Create("tongban-objects").release();
    ASSERT_NE(demo_, nullptr);
    app_ = &demo_->app();
    credentials_ = &demo_->credentials();
    // Second members of two kinds the demo has one of: a window in another district, an insurer
    // of another province — so each kind has someone who does not own the first one's objects.
    auto& ids = app_->identity();
    ASSERT_TRUE(ids.CreateAccount({.login = "staff-shangcheng-001", .role = identity::Role::kStaff,
                                   .display_name = "陈静", .department = "杭州市上城区行政服务中心",
                                   .region_code = "330102", .password = kDemoPassword})
                    .ok());
    auto insurer = ids.CreateAccount({.login = "insurer-sh-test", .role = identity::Role::kDepartmentSystem,
                                      .display_name = "上海市医疗保障局", .department = "上海市医疗保障局",
                                      .region_code = "310000"});
    ASSERT_TRUE(insurer.ok());
    auto key = ids.CreateApiKey(*insurer, {"receipt:reimburse"}, "test");
    ASSERT_TRUE(key.ok());
    credentials_->push_back(DemoCredential{"department_system", "上海市医疗保障局", "-", *key});
    credentials_->push_back(
        DemoCredential{"staff", "陈静", "staff-shangcheng-001", std::string(kDemoPassword)});
    // A second enterprise, which owns none of the demo enterprise's agents.
    ASSERT_TRUE(ids.CreateAccount({.login = "enterprise-sc-test", .role = identity::Role::kEnterprise,
                                   .display_name = "杭州上城测试有限公司",
                                   .subject_id = part::SyntheticUscc("91", "330102", "MA2SCT01"),
                                   .region_code = "330102", .password = kDemoPassword})
                    .ok());
    credentials_->push_back(
        DemoCredential{"enterprise", "杭州上城测试有限公司", "enterprise-sc-test", std::string(kDemoPassword)});
  }
  static void TearDownTestSuite() { delete demo_; }

  void SetUp() override {
    ASSERT_NE(app_, nullptr);
    WireApi(*app_, dispatcher_);
    dispatcher_.SetRateLimits({0, 0}, {0, 0});
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
    ASSERT_TRUE(app_->Start().ok());
  }
  void TearDown() override {
    server_.reset();
    (void)app_->Stop();
  }

  tongban::testing::RawResponse Call(const std::string& method, const std::string& target,
                                     const std::string& bearer, const std::string& body = "") {
    HttpClient c(server_->port());
    std::map<std::string, std::string> headers{{"Authorization", bearer}};
    auto r = c.Request(method, target, method == "GET" ? "" : body, headers);
    EXPECT_TRUE(r) << method << " " << target;
    return r ? *r : tongban::testing::RawResponse{};
  }
  json::value CallJson(const std::string& method, const std::string& target, const Caller& who,
                       const std::string& body = "") {
    auto r = Call(method, target, who.bearer, body);
    EXPECT_LT(r.status, 300) << method << " " << target << ": " << r.body;
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return ec ? json::value() : v;
  }

  static const Caller& Named(const std::vector<Caller>& callers, const std::string& name) {
    for (const auto& c : callers) {
      if (c.name == name) return c;
    }
    ADD_FAILURE() << "no demo caller " << name;
    return callers.front();
  }

  static tongban::testing::DemoDeployment* demo_;
  static App* app_;
  static std::vector<DemoCredential>* credentials_;
  api::Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
};

tongban::testing::DemoDeployment* ObjectAccessTest::demo_ = nullptr;
App* ObjectAccessTest::app_ = nullptr;
std::vector<DemoCredential>* ObjectAccessTest::credentials_ = nullptr;

TEST_F(ObjectAccessTest, EveryRouteWithAnIdAnswers404ToCallersWhoDoNotOwnTheObject) {
  std::vector<Caller> callers = demo_->Callers();
  ASSERT_EQ(callers.size(), 29u);  // and the services part's staff of each department
  const Caller& li_na = Named(callers, "13800000002");
  const Caller& zhang_wei = Named(callers, "13800000001");
  const Caller& xihu_staff = Named(callers, "staff-xihu-001");
  const std::string kFirstHospital = "杭州市示范第一医院";
  const std::string kInsurer = "杭州市医疗保障局";

  // --- the objects -------------------------------------------------------------------------
  // 李娜's marriage certificate, and 张伟's first licence (issued by the police, not the registry).
  json::value li_na_wallet = CallJson("GET", "/api/v1/me/licenses", li_na);
  std::string li_na_licence(li_na_wallet.at("items").at(0).at("id").as_string());
  std::string field(li_na_wallet.at("items").at(0).at("fields").as_object().begin()->key());
  const std::string disclose = json::serialize(json::object{{"disclose", json::array{json::string(field)}}});
  json::value zhang_wallet = CallJson("GET", "/api/v1/me/licenses", zhang_wei);
  std::string zhang_licence(zhang_wallet.at("items").at(0).at("id").as_string());
  std::string missing_licence = li_na_licence;
  missing_licence[missing_licence.size() - 3] = missing_licence[missing_licence.size() - 3] == '9' ? '8' : '9';
  // Her grant for a case handled by the Xihu window (the issue's reproduction).
  std::string until = FormatIso8601Utc(FromUnixMicros(app_->clock().NowUnixMicros() + 30LL * 86400 * 1'000'000));
  json::value grant = CallJson(
      "POST", "/api/v1/me/licenses/" + li_na_licence + "/authorisations", li_na,
      json::serialize(json::object{{"grantee_kind", "case"}, {"grantee", "2026-001"},
                                   {"department", "杭州市西湖区行政服务中心"},
                                   {"purpose", "婚育户一件事"}, {"until", until}}));
  std::string grant_id = std::to_string(grant.at("id").to_number<int64_t>());
  // A verification the Xihu window archived when it scanned her presentation.
  json::value presentation =
      CallJson("POST", "/api/v1/me/licenses/" + li_na_licence + "/presentations", li_na,
               disclose);
  json::value verified = CallJson(
      "POST", "/api/v1/licenses/verify", xihu_staff,
      json::serialize(json::object{{"token", presentation.at("token")}, {"purpose", "婚姻登记"}}));
  ASSERT_TRUE(verified.at("valid").as_bool()) << json::serialize(verified);
  std::string verification_id = std::to_string(verified.at("verification_id").to_number<int64_t>());
  // 张伟's receipts: the sample (issued by 杭州市示范第一医院) and the one the demo insurer claimed.
  std::string receipt_code, receipt_number, claim_id, claimed_code, claimed_number;
  for (const DemoCredential& c : *credentials_) {
    if (c.role == "receipt") {
      receipt_code = c.login.substr(0, c.login.find('/'));
      receipt_number = c.login.substr(c.login.find('/') + 1);
    }
  }
  ASSERT_FALSE(receipt_code.empty());
  json::value receipts = CallJson("GET", "/api/v1/me/receipts", zhang_wei);
  for (const json::value& item : receipts.at("items").as_array()) {
    std::string code(item.at("code").as_string()), number(item.at("number").as_string());
    json::value full = CallJson("GET", "/api/v1/receipts/" + code + "/" + number, zhang_wei);
    for (const json::value& claim : full.at("claims").as_array()) {
      if (claim.at("reversed").is_null()) {
        claim_id = std::to_string(claim.at("id").to_number<int64_t>());
        claimed_code = code;
        claimed_number = number;
      }
    }
  }
  ASSERT_FALSE(claim_id.empty()) << "the demo has a claimed receipt";

  // --- the cases, by route pattern ---------------------------------------------------------
  std::map<std::string, ObjectCase> cases;
  cases["/api/v1/me/licenses/{id}/presentations"] = {
      .params = {{"id", li_na_licence}}, .missing = {{"id", missing_licence}},
      .owners = {"13800000002"}, .body = disclose};
  cases["/api/v1/me/licenses/{id}/authorisations"] = {
      .params = {{"id", li_na_licence}}, .missing = {{"id", missing_licence}},
      .owners = {"13800000002"},
      .body = json::serialize(json::object{{"grantee_kind", "staff"}, {"grantee", "staff-xihu-001"},
                                           {"purpose", "核验"}, {"until", until}})};
  cases["/api/v1/me/authorisations/{id}/revoke"] = {
      .params = {{"id", grant_id}}, .missing = {{"id", "999999"}}, .owners = {"13800000002"}};
  // The Shangcheng window sends the right case number: the department binding refuses it.
  cases["/api/v1/authorisations/{id}/use"] = {
      .params = {{"id", grant_id}}, .missing = {{"id", "999999"}}, .owners = {"staff-xihu-001", "staff-xihu-service-center"},
      .body = R"({"case":"2026-001"})"};
  cases["/api/v1/licenses/verifications/{id}"] = {
      .params = {{"id", verification_id}}, .missing = {{"id", "999999"}},
      .owners = {"staff-xihu-001"}};
  std::map<std::string, std::string> receipt = {{"code", receipt_code}, {"number", receipt_number}};
  std::map<std::string, std::string> no_receipt = {{"code", receipt_code}, {"number", "0000099999"}};
  for (const char* pattern : {"/api/v1/receipts/{code}/{number}", "/api/v1/receipts/{code}/{number}/qr.svg",
                              "/api/v1/receipts/{code}/{number}/print"}) {
    cases[pattern] = {.params = receipt, .missing = no_receipt,
                      .owners = {"13800000001", kFirstHospital},
                      .every_object_roles = {"staff", "auditor"}};
  }
  cases["/api/v1/receipts/{code}/{number}/void"] = {
      .params = receipt, .missing = no_receipt, .owners = {kFirstHospital},
      .body = R"({"reason":"测试"})"};
  cases["/api/v1/receipts/{code}/{number}/claims"] = {
      .exempt = "any insurer may reimburse any receipt it is shown: the receipt's code and check "
                "code are the payer's consent, and exactly-once is the guard"};
  cases["/api/v1/receipts/{code}/{number}/claims/{id}/reversal"] = {
      .params = {{"code", claimed_code}, {"number", claimed_number}, {"id", claim_id}},
      .missing = {{"code", claimed_code}, {"number", claimed_number}, {"id", "999999"}},
      .owners = {kInsurer}};
  for (const char* pattern : {"/api/v1/receipts/issuers/{id}/keys/rotate", "/api/v1/receipts/issuers/{id}/ranges"}) {
    cases[pattern] = {.exempt = "the supervising finance department and the operator manage every issuer"};
  }
  for (const char* pattern : {"/api/v1/admin/api-keys/{key_id}/rotate", "/api/v1/admin/api-keys/{key_id}/revoke"}) {
    cases[pattern] = {.exempt = "the operator manages every department system's keys"};
  }
  // The data platform: the demo's first agreement (the Xihu window reads the police's household
  // records), and a grant 李娜 gives the housing fund.
  const std::string kPoliceSystem = "杭州市公安局人口信息系统";
  json::value agreements = CallJson("GET", "/api/v1/data/agreements", xihu_staff);
  std::string agreement_id;
  for (const json::value& a : agreements.at("items").as_array()) {
    if (a.at("dataset").as_string() == "household_registration") {
      agreement_id = std::to_string(a.at("id").to_number<int64_t>());
    }
  }
  ASSERT_FALSE(agreement_id.empty());
  cases["/api/v1/data/agreements/{id}/approve"] = {
      .params = {{"id", agreement_id}}, .missing = {{"id", "999999"}}, .owners = {kPoliceSystem, "staff-hz-police"}};
  cases["/api/v1/data/agreements/{id}/reject"] = {
      .params = {{"id", agreement_id}}, .missing = {{"id", "999999"}}, .owners = {kPoliceSystem, "staff-hz-police"},
      .body = R"({"reason":"测试"})"};
  // Department-mates are owners alike: the services part's window staff of each department.
  cases["/api/v1/data/agreements/{id}/revoke"] = {
      .params = {{"id", agreement_id}}, .missing = {{"id", "999999"}},
      .owners = {kPoliceSystem, "staff-hz-police", "staff-xihu-001", "staff-xihu-service-center"},
      .body = R"({"reason":"测试"})"};
  // The change feed of an agreement: only its consumer department follows it.
  for (const char* pattern : {"/api/v1/data/agreements/{id}/changes", "/api/v1/data/agreements/{id}/feed"}) {
    cases[pattern] = {.params = {{"id", agreement_id}}, .missing = {{"id", "999999"}},
                      .owners = {"staff-xihu-001", "staff-xihu-service-center"}};
  }
  json::value data_grant = CallJson(
      "POST", "/api/v1/me/data-grants", li_na,
      R"({"department":"hz-housing-fund","dataset":"household_registration","elements":["name"],"purpose":"测试","days":30})");
  std::string data_grant_id = std::to_string(data_grant.at("id").to_number<int64_t>());
  cases["/api/v1/me/data-grants/{id}/withdraw"] = {
      .params = {{"id", data_grant_id}}, .missing = {{"id", "999999"}}, .owners = {"13800000002"}};
  // 张伟's objection to the address of his household record (数据异议): his to read, the police's
  // to decide.
  std::string household_key;
  json::value his_data = CallJson("GET", "/api/v1/me/data", zhang_wei);
  for (const json::value& r : his_data.at("items").as_array()) {
    if (r.at("dataset").at("code").as_string() == "household_registration") household_key = r.at("record_key").as_string();
  }
  ASSERT_FALSE(household_key.empty());
  json::value objection = CallJson(
      "POST", "/api/v1/me/data/objections", zhang_wei,
      json::serialize(json::object{{"dataset", "household_registration"}, {"record_key", household_key},
                                   {"element", "household_address"}, {"reason", "门牌号登记错误"}}));
  std::string objection_id = std::to_string(objection.at("id").to_number<int64_t>());
  cases["/api/v1/me/data/objections/{id}"] = {
      .params = {{"id", objection_id}}, .missing = {{"id", "999999"}}, .owners = {"13800000001"}};
  // An inbox item of 张伟's (a demo receipt's notice, routed by the notify worker).
  std::string inbox_id;
  for (int i = 0; i < 100 && inbox_id.empty(); ++i) {
    json::value inbox = CallJson("GET", "/api/v1/me/inbox", zhang_wei);
    if (!inbox.at("items").as_array().empty()) {
      inbox_id = std::to_string(inbox.at("items").as_array()[0].at("id").to_number<int64_t>());
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_FALSE(inbox_id.empty()) << "the demo's receipts reach 张伟's inbox";
  cases["/api/v1/me/inbox/{id}/read"] = {
      .params = {{"id", inbox_id}}, .missing = {{"id", "999999"}}, .owners = {"13800000001"}};
  cases["/api/v1/data/objections/{id}/accept"] = {
      .params = {{"id", objection_id}}, .missing = {{"id", "999999"}}, .owners = {kPoliceSystem, "staff-hz-police"},
      .body = R"({"value":"浙江省杭州市西湖区文三路 98 号"})"};
  cases["/api/v1/data/objections/{id}/reject"] = {
      .params = {{"id", objection_id}}, .missing = {{"id", "999999"}}, .owners = {kPoliceSystem, "staff-hz-police"},
      .body = R"({"reason":"测试"})"};
  for (const char* pattern : {"/api/v1/data/datasets/{dataset}/records", "/api/v1/data/datasets/{dataset}/records/bulk"}) {
    cases[pattern] = {.exempt = "datasets are public in the catalogue; pushing into another department's dataset "
                                "is refused with 403 (tests/data/data_service_test.cc)"};
  }
  cases["/api/v1/data/subjects/{subject}/datasets/{dataset}"] = {
      .exempt = "whose data may be read is decided by the purpose (?purpose=), not by who asks: a read no "
                "purpose covers is 403 (tests/data/data_service_test.cc, tests/data/data_routes_test.cc)"};

  // 张伟's application for cross-region medical filing (异地就医备案, an item applied for alone,
  // handled by the medical security bureau), submitted with his ID card from the wallet and an
  // uploaded proof of residence; the notice it brought him.
  json::value started = CallJson("POST", "/api/v1/me/cases", zhang_wei, R"({"bundle":"cross_region_medical_filing"})");
  const std::string case_id = std::to_string(started.at("id").to_number<int64_t>());
  std::string id_card;
  for (const json::value& m : started.at("materials").as_array()) {
    if (m.at("code").as_string() == "applicant_id_card") id_card = m.at("available").at(0).as_string();
  }
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde", 33);
  ASSERT_EQ(Call("PUT", "/api/v1/me/cases/" + case_id + "/materials/medical_filing_residence_proof",
                 zhang_wei.bearer, png).status, 200);
  CallJson("POST", "/api/v1/me/cases/" + case_id + "/submit", zhang_wei,
           json::serialize(json::object{
               {"answers", json::object{{"medical_filing_type", "异地长期居住"}, {"medical_destination", "上海市浦东新区"},
                                        {"medical_filing_start_date", "2027-01-01"}, {"contact_phone", "13800000001"}}},
               {"materials", json::array{json::object{{"code", "applicant_id_card"}, {"license_id", id_card}}}}}));
  json::value queue = CallJson("GET", "/api/v1/service/tasks", Named(callers, "staff-hz-medical-security"));
  const std::string task_id = std::to_string(queue.at("items").at(0).at("id").to_number<int64_t>());
  json::value notices = CallJson("GET", "/api/v1/me/notices", zhang_wei);
  const std::string notice_id = std::to_string(notices.at("items").at(0).at("id").to_number<int64_t>());
  cases["/api/v1/me/cases/{id}"] = {.params = {{"id", case_id}}, .missing = {{"id", "999999"}}, .owners = {"13800000001"}};
  for (const char* pattern : {"/api/v1/me/cases/{id}/submit", "/api/v1/me/cases/{id}/confirm",
                              "/api/v1/me/cases/{id}/supplement"}) {
    cases[pattern] = {.params = {{"id", case_id}}, .missing = {{"id", "999999"}}, .owners = {"13800000001"}, .body = "{}"};
  }
  cases["/api/v1/me/cases/{id}/materials/{code}"] = {
      .params = {{"id", case_id}, {"code", "medical_filing_residence_proof"}},
      .missing = {{"id", "999999"}, {"code", "medical_filing_residence_proof"}},
      .owners = {"13800000001"}, .body = png};
  cases["/api/v1/me/notices/{id}/read"] = {
      .params = {{"id", notice_id}}, .missing = {{"id", "999999"}}, .owners = {"13800000001"}};
  cases["/api/v1/service/cases/{id}"] = {
      .params = {{"id", case_id}}, .missing = {{"id", "999999"}}, .owners = {"staff-hz-medical-security"}};
  cases["/api/v1/service/cases/{id}/materials/{code}"] = {
      .params = {{"id", case_id}, {"code", "medical_filing_residence_proof"}},
      .missing = {{"id", "999999"}, {"code", "medical_filing_residence_proof"}},
      .owners = {"staff-hz-medical-security"}};
  for (const char* action : {"claim", "approve", "reject", "request-materials"}) {
    cases[std::string("/api/v1/service/tasks/{id}/") + action] = {
        .params = {{"id", task_id}}, .missing = {{"id", "999999"}}, .owners = {"staff-hz-medical-security"},
        .body = R"({"reason":"测试"})"};
  }
  cases["/api/v1/service/tasks/{id}/claim"].body = "{}";
  cases["/api/v1/service/tasks/{id}/approve"].body = "{}";
  // 好差评: 张伟's second filing, approved by the medical security bureau and rated 非常不满意; the
  // rating opened a remediation ticket in that department.
  const std::string filing = json::serialize(json::object{
      {"answers", json::object{{"medical_filing_type", "异地长期居住"}, {"medical_destination", "上海市浦东新区"},
                               {"medical_filing_start_date", "2027-01-01"}, {"contact_phone", "13800000001"}}},
      {"materials", json::array{json::object{{"code", "applicant_id_card"}, {"license_id", id_card}}}}});
  json::value second = CallJson("POST", "/api/v1/me/cases", zhang_wei, R"({"bundle":"cross_region_medical_filing"})");
  const std::string rated_case = std::to_string(second.at("id").to_number<int64_t>());
  ASSERT_EQ(Call("PUT", "/api/v1/me/cases/" + rated_case + "/materials/medical_filing_residence_proof",
                 zhang_wei.bearer, png).status, 200);
  json::value second_submitted = CallJson("POST", "/api/v1/me/cases/" + rated_case + "/submit", zhang_wei, filing);
  const int64_t rated_task = second_submitted.at("tasks").at(0).at("id").to_number<int64_t>();
  CallJson("POST", "/api/v1/service/tasks/" + std::to_string(rated_task) + "/approve",
           Named(callers, "staff-hz-medical-security"), "{}");
  json::value rating = CallJson("POST", "/api/v1/me/cases/" + rated_case + "/ratings", zhang_wei,
                                json::serialize(json::object{{"task_id", rated_task}, {"level", 1},
                                                             {"comment", "等候时间太长"}}));
  const std::string rating_id = std::to_string(rating.at("id").to_number<int64_t>());
  const std::string ticket_id = std::to_string(rating.at("ticket").at("id").to_number<int64_t>());
  cases["/api/v1/me/cases/{id}/ratings"] = {
      .params = {{"id", rated_case}}, .missing = {{"id", "999999"}}, .owners = {"13800000001"},
      .body = json::serialize(json::object{{"task_id", rated_task}, {"level", 5}})};
  cases["/api/v1/service/remediation/{id}"] = {
      .params = {{"id", ticket_id}}, .missing = {{"id", "999999"}}, .owners = {"staff-hz-medical-security"}};
  for (const char* step : {"callback", "verify", "rectify", "answer"}) {
    cases[std::string("/api/v1/service/remediation/{id}/") + step] = {
        .params = {{"id", ticket_id}}, .missing = {{"id", "999999"}}, .owners = {"staff-hz-medical-security"},
        .body = R"({"text":"测试"})"};
  }

  // 秒批 and 申诉: 李娜's household is in 嘉善县, so her school enrolment check is rejected at once
  // by the rules; she appeals, and the appeal waits for the education bureau.
  json::value enrolment = CallJson("POST", "/api/v1/me/cases", li_na, R"({"bundle":"enrolment_eligibility_check"})");
  const std::string enrolment_case = std::to_string(enrolment.at("id").to_number<int64_t>());
  ASSERT_EQ(Call("PUT", "/api/v1/me/cases/" + enrolment_case + "/materials/applicant_household_register",
                 li_na.bearer, png).status, 200);
  json::value rejected = CallJson(
      "POST", "/api/v1/me/cases/" + enrolment_case + "/submit", li_na,
      json::serialize(json::object{{"answers", json::object{{"contact_phone", "13800000002"},
                                                            {"child_name", "王小雨"},
                                                            {"child_id", part::SyntheticCitizenId("330421", "20210302", "128")},
                                                            {"child_sex", "女"},
                                                            {"child_birth_date", "2021-03-02"},
                                                            {"enrolment_stage", "小学一年级"}}}}));
  ASSERT_EQ(rejected.at("state"), "rejected") << json::serialize(rejected);
  const int64_t rejected_task = rejected.at("tasks").at(0).at("id").to_number<int64_t>();
  json::value appeal = CallJson("POST", "/api/v1/me/cases/" + enrolment_case + "/appeals", li_na,
                                json::serialize(json::object{{"task_id", rejected_task}, {"reason", "孩子随我们住在西湖区"}}));
  const std::string appeal_id = std::to_string(appeal.at("id").to_number<int64_t>());
  cases["/api/v1/me/cases/{id}/appeals"] = {
      .params = {{"id", enrolment_case}}, .missing = {{"id", "999999"}}, .owners = {"13800000002"},
      .body = json::serialize(json::object{{"task_id", rejected_task}, {"reason", "测试"}})};
  cases["/api/v1/service/appeals/{id}"] = {
      .params = {{"id", appeal_id}}, .missing = {{"id", "999999"}}, .owners = {"staff-hz-education"}};
  cases["/api/v1/service/appeals/{id}/decide"] = {
      .params = {{"id", appeal_id}}, .missing = {{"id", "999999"}}, .owners = {"staff-hz-education"},
      .body = R"({"decision":"uphold","answer":"测试"})"};

  // 李娜's session, and her data export once built (identity/part/account_routes.h).
  json::value li_na_session = CallJson("GET", "/api/v1/auth/session", li_na);
  cases["/api/v1/me/sessions/{id}/end"] = {
      .params = {{"id", std::to_string(li_na_session.at("session_id").to_number<int64_t>())}},
      .missing = {{"id", "999999"}}, .owners = {"13800000002"}};
  json::value export_job = CallJson("POST", "/api/v1/me/data-export", li_na);
  std::string export_id = std::to_string(export_job.at("id").to_number<int64_t>());
  for (int i = 0; i < 100; ++i) {
    json::value job = CallJson("GET", "/api/v1/me/data-export/" + export_id, li_na);
    if (job.is_object() && job.at("status").as_string() == "ready") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const char* pattern : {"/api/v1/me/data-export/{id}", "/api/v1/me/data-export/{id}/download"}) {
    cases[pattern] = {.params = {{"id", export_id}}, .missing = {{"id", "999999"}}, .owners = {"13800000002"}};
  }

  // Powers of attorney (identity/part/attorney_routes.h): 王秀英's to her son 刘建国, and the demo
  // enterprise's agent. The agent reads one; only its principal withdraws it.
  json::value given = CallJson("GET", "/api/v1/me/attorneys", Named(callers, "13800000021"));
  std::string attorney_id = std::to_string(given.at("given").at(0).at("id").to_number<int64_t>());
  cases["/api/v1/me/attorneys/{id}"] = {.params = {{"id", attorney_id}}, .missing = {{"id", "999999"}},
                                        .owners = {"13800000021", "13800000022"}};
  cases["/api/v1/me/attorneys/{id}/revoke"] = {.params = {{"id", attorney_id}}, .missing = {{"id", "999999"}},
                                               .owners = {"13800000021"}};
  json::value agents = CallJson("GET", "/api/v1/me/enterprise/agents", Named(callers, "enterprise-hz-demo"));
  cases["/api/v1/admin/guardianships/{id}/end"] = {.exempt = "the operator records and ends every guardianship"};
  cases["/api/v1/me/enterprise/agents/{id}/revoke"] = {
      .params = {{"id", std::to_string(agents.at("items").at(0).at("id").to_number<int64_t>())}},
      .missing = {{"id", "999999"}}, .owners = {"enterprise-hz-demo"}};

  // --- the walk ------------------------------------------------------------------------------
  int checked = 0, routes = 0;
  for (const api::Route& route : dispatcher_.router().routes()) {
    if (route.access.is_public || route.pattern.find('{') == std::string::npos) continue;
    std::string pattern = route.pattern;
    // Licence lifecycle actions (suspend, resume, revoke, renew, ...): one case for all of them.
    bool lifecycle = pattern.starts_with("/api/v1/licenses/{id}/") && pattern.find('{', 20) == std::string::npos;
    if (lifecycle && !cases.contains(pattern)) {
      cases[pattern] = {.params = {{"id", zhang_licence}}, .missing = {{"id", missing_licence}},
                        .owners = {}, .body = R"({"reason":"测试"})"};
    }
    auto it = cases.find(pattern);
    ASSERT_NE(it, cases.end()) << route.method << " " << pattern
                               << " has an id in its path but no object-level case in "
                                  "tests/security/object_access_test.cc: add one";
    const ObjectCase& c = it->second;
    ++routes;
    if (!c.exempt.empty()) continue;
    int non_owners = 0;
    for (const Caller& caller : callers) {
      if (!api::Authorise(caller.principal, route.access).ok()) continue;  // 403: the route-policy walk
      bool owner = c.owners.contains(caller.name) ||
                   c.every_object_roles.contains(std::string(identity::RoleName(caller.principal.role)));
      std::string target = Fill(pattern, c.params);
      if (owner) {
        // A stream (Server-Sent Events) never ends by itself: its owners are tested where it is
        // (tests/data/feed_e2e_test.sh).
        if (route.method == "GET" && route.response_type != "text/event-stream") {
          EXPECT_EQ(Call("GET", target, caller.bearer).status, 200) << target << " as owner " << caller.name;
        }
        continue;
      }
      ++non_owners;
      auto theirs = Call(route.method, target, caller.bearer, c.body);
      auto none = Call(route.method, Fill(pattern, c.missing), caller.bearer, c.body);
      EXPECT_EQ(theirs.status, 404) << route.method << " " << target << " as " << caller.name << ": " << theirs.body;
      EXPECT_EQ(none.status, 404) << route.method << " " << Fill(pattern, c.missing) << " as " << caller.name;
      // The same answer as for a missing object, but for the id that was asked for.
      json::value a = json::parse(theirs.body.empty() ? "{}" : theirs.body);
      json::value b = json::parse(none.body.empty() ? "{}" : none.body);
      if (a.is_object() && b.is_object() && a.as_object().contains("detail") && b.as_object().contains("detail")) {
        std::string detail_a(a.at("detail").as_string()), detail_b(b.at("detail").as_string());
        for (const auto& [name, value] : c.params) {
          for (size_t at; (at = detail_a.find(value)) != std::string::npos;) detail_a.replace(at, value.size(), "<" + name + ">");
        }
        for (const auto& [name, value] : c.missing) {
          for (size_t at; (at = detail_b.find(value)) != std::string::npos;) detail_b.replace(at, value.size(), "<" + name + ">");
        }
        EXPECT_EQ(detail_a, detail_b) << route.method << " " << pattern << " as " << caller.name;
      }
      ++checked;
    }
    EXPECT_GT(non_owners, 0) << route.method << " " << pattern
                             << ": no demo caller that the route admits owns nothing here";
  }
  EXPECT_GE(routes, 15);
  EXPECT_GE(checked, 20);
  // The object each write was tried on is untouched: her grant still stands, the receipt is not
  // void, the claim not reversed.
  json::value mine = CallJson("GET", "/api/v1/me/authorisations", li_na);
  bool standing = false;
  for (const json::value& a : mine.at("items").as_array()) {
    if (std::to_string(a.at("id").to_number<int64_t>()) == grant_id) standing = a.at("revoked_at").is_null() && a.at("uses").to_number<int64_t>() == 0;
  }
  EXPECT_TRUE(standing);
  // The agreement still approved; her data grant still standing.
  json::value after = CallJson("GET", "/api/v1/data/agreements", xihu_staff);
  for (const json::value& a : after.at("items").as_array()) {
    if (std::to_string(a.at("id").to_number<int64_t>()) == agreement_id) {
      EXPECT_EQ(a.at("state").as_string(), "approved");
    }
  }
  json::value grants = CallJson("GET", "/api/v1/me/data-grants", li_na);
  EXPECT_TRUE(grants.at("items").at(0).at("withdrawn_at").is_null());
  // His case untouched: still one task, ready, nobody's.
  json::value his_case = CallJson("GET", "/api/v1/me/cases/" + case_id, zhang_wei);
  EXPECT_EQ(his_case.at("state").as_string(), "in_progress");
  EXPECT_EQ(his_case.at("tasks").at(0).at("state").as_string(), "ready");
  EXPECT_TRUE(his_case.at("tasks").at(0).at("claimed_by").is_null());
  // His objection still open.
  EXPECT_EQ(CallJson("GET", "/api/v1/me/data/objections/" + objection_id, zhang_wei).at("state").as_string(), "open");
  // His remediation ticket still open, untouched by the other departments.
  const Caller& medical = Named(callers, "staff-hz-medical-security");
  EXPECT_EQ(CallJson("GET", "/api/v1/service/remediation/" + ticket_id, medical).at("state").as_string(), "open");

  // --- a rating is final: staff cannot change or delete it (issue 19) ------------------------
  // Rating is the citizen's route alone: the department's own staff are refused by role (403).
  const std::string ratings = "/api/v1/me/cases/" + rated_case + "/ratings";
  const std::string level5 = json::serialize(json::object{{"task_id", rated_task}, {"level", 5}});
  EXPECT_EQ(Call("POST", ratings, medical.bearer, level5).status, 403);
  EXPECT_EQ(Call("POST", ratings, xihu_staff.bearer, level5).status, 403);
  // No route edits or deletes a rating, for anyone: the citizen's URL takes GET and POST only
  // (405), and a rating has no URL of its own (404).
  for (const Caller* who : {&medical, &zhang_wei, &Named(callers, "admin")}) {
    for (const char* method : {"PUT", "PATCH", "DELETE"}) {
      EXPECT_EQ(Call(method, ratings, who->bearer, level5).status, 405) << method << " as " << who->name;
      for (const std::string& url : {"/api/v1/service/ratings/" + rating_id, ratings + "/" + rating_id}) {
        EXPECT_EQ(Call(method, url, who->bearer, level5).status, 404) << method << " " << url << " as " << who->name;
      }
    }
  }
  for (const api::Route& route : dispatcher_.router().routes()) {
    if (route.pattern.find("/ratings") == std::string::npos || route.method == "GET") continue;
    EXPECT_EQ(route.method + " " + route.pattern, "POST /api/v1/me/cases/{id}/ratings") << "a route that changes ratings";
    EXPECT_EQ(route.access.roles, std::vector<std::string>{"citizen"});
  }
  // Unchanged: still 非常不满意, with his comment; the one re-rating waits for the answer.
  json::value after_rating = CallJson("GET", ratings, zhang_wei);
  ASSERT_EQ(after_rating.at("items").as_array().size(), 1u);
  EXPECT_EQ(after_rating.at("items").at(0).at("level").to_number<int64_t>(), 1);
  EXPECT_EQ(after_rating.at("items").at(0).at("comment").as_string(), "等候时间太长");
  EXPECT_EQ(Call("POST", ratings, zhang_wei.bearer, level5).status, 409);
}

}  // namespace
}  // namespace tongban::cli
