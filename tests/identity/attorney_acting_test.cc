// Acting for someone through the whole program (the demo deployment, every part wired): 刘建国,
// holding his mother 王秀英's power of attorney for her receipts, her applications and the senior
// citizens' preferential card, lists her receipts and starts that application in her name — the
// case is hers, its event names him as agent — while her licences, her data, another service,
// /me and giving powers of attorney in her name are refused (403). A power of attorney naming a
// service the catalogue does not have is refused field by field.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cli/api_wiring.h"
#include "cli/app.h"
#include "testing/demo_deployment.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::cli {
namespace {

namespace json = boost::json;
using tongban::testing::HttpClient;

class AttorneyActingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { demo_ = tongban::testing::DemoDeployment::Create("tongban-acting").release(); }
  static void TearDownTestSuite() { delete demo_; }

  void SetUp() override {
    ASSERT_NE(demo_, nullptr);
    WireApi(demo_->app(), dispatcher_);
    dispatcher_.SetRateLimits({0, 0}, {0, 0});
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
    for (const auto& c : demo_->Callers()) bearer_[c.name] = c.bearer;
    json::value whom = Call("GET", "/api/v1/me/acting-for", "13800000022").second;
    ASSERT_TRUE(whom.is_object());
    for (const auto& a : whom.at("items").as_array()) {
      if (a.at("principal_name").as_string() == "王秀英") attorney_ = std::to_string(a.at("id").to_number<int64_t>());
    }
    ASSERT_FALSE(attorney_.empty());
  }
  void TearDown() override { server_.reset(); }

  std::pair<int, json::value> Call(const std::string& method, const std::string& path, const std::string& who,
                                   const std::string& body = "", bool acting = false) {
    HttpClient c(server_->port());
    std::map<std::string, std::string> h{{"Authorization", bearer_[who]}};
    if (acting) h["X-Act-For"] = attorney_;
    if (!body.empty()) h["Content-Type"] = "application/json";
    auto r = c.Request(method, path, body, h);
    if (!r) return {-1, nullptr};
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    return {r->status, ec ? json::value() : v};
  }

  static tongban::testing::DemoDeployment* demo_;
  api::Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
  std::map<std::string, std::string> bearer_;
  std::string attorney_;
};

tongban::testing::DemoDeployment* AttorneyActingTest::demo_ = nullptr;

TEST_F(AttorneyActingTest, TheSonActsForHisMotherWithinHerPowerOfAttorney) {
  const std::string son = "13800000022";
  EXPECT_EQ(Call("GET", "/api/v1/me/receipts", son, "", true).first, 200);
  auto started = Call("POST", "/api/v1/me/cases", son, R"({"bundle":"senior_preferential_card"})", true);
  ASSERT_EQ(started.first, 201) << json::serialize(started.second);
  const int64_t case_id = started.second.at("id").to_number<int64_t>();
  // The case is hers: in her list, not in his; its start names him as the agent.
  auto hers = Call("GET", "/api/v1/me/cases", "13800000021");
  bool found = false;
  for (const auto& c : hers.second.at("items").as_array()) found |= c.at("id").to_number<int64_t>() == case_id;
  EXPECT_TRUE(found);
  auto his = Call("GET", "/api/v1/me/cases", son);
  for (const auto& c : his.second.at("items").as_array()) EXPECT_NE(c.at("id").to_number<int64_t>(), case_id);
  auto one = Call("GET", "/api/v1/me/cases/" + std::to_string(case_id), son, "", true);
  ASSERT_EQ(one.first, 200);
  std::string by(one.second.at("events").at(0).at("by").as_string());
  EXPECT_EQ(by.rfind("agent:", 0), 0u) << by;
  EXPECT_NE(by.find("/attorney:" + attorney_), std::string::npos) << by;
  // And she sees what he did.
  auto uses = Call("GET", "/api/v1/me/attorneys/uses", "13800000021");
  ASSERT_EQ(uses.first, 200);
  std::set<std::string> operations;
  for (const auto& u : uses.second.at("items").as_array()) operations.emplace(u.at("operation").as_string());
  EXPECT_TRUE(operations.contains("listMyReceipts"));
  EXPECT_TRUE(operations.contains("startCase"));
}

TEST_F(AttorneyActingTest, OutsideTheScopeIsRefused) {
  const std::string son = "13800000022";
  EXPECT_EQ(Call("POST", "/api/v1/me/cases", son, R"({"bundle":"marriage_birth_household"})", true).first, 403);
  EXPECT_EQ(Call("GET", "/api/v1/me/licenses", son, "", true).first, 403);
  EXPECT_EQ(Call("GET", "/api/v1/me/data", son, "", true).first, 403);
  EXPECT_EQ(Call("GET", "/api/v1/me", son, "", true).first, 403);
  EXPECT_EQ(Call("GET", "/api/v1/me/data-grants", son, "", true).first, 403);
  EXPECT_EQ(Call("POST", "/api/v1/me/attorneys", son,
                 R"({"agent_login":"13800000001","scopes":["receipts.view"],"valid_until":"2099-01-01"})", true)
                .first,
            403);
}

TEST_F(AttorneyActingTest, AServiceTheCatalogueDoesNotHaveIsNotAScope) {
  auto r = Call("POST", "/api/v1/me/attorneys", "13800000021",
                R"({"agent_login":"13800000022","scopes":["services.apply:no_such_service"],"valid_until":")" +
                    ChinaDate(demo_->app().clock().Now() + std::chrono::hours(24 * 30)).ToString() + "\"}");
  ASSERT_EQ(r.first, 400) << json::serialize(r.second);
  EXPECT_EQ(r.second.at("errors").at(0).at("field").as_string(), "/scopes/0");
}

// At the window: 王芳 sends 张伟 a code, he reads it out, she creates his power of attorney for 李娜
// with it; a wrong code is refused (401) and creates nothing.
TEST_F(AttorneyActingTest, WindowStaffCreateOneWithTheCitizensCode) {
  const std::string staff = "staff-xihu-001";
  auto sent = Call("POST", "/api/v1/staff/attorneys/codes", staff, R"({"principal_login":"13800000001"})");
  ASSERT_EQ(sent.first, 202) << json::serialize(sent.second);
  // The code as the SMS gateway would get it: the outbox row (the notify worker is not running).
  std::string code;
  ASSERT_TRUE(demo_->app().db().Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT vars FROM notify_outbox WHERE template_id = 'otp.code' "
                                              "ORDER BY id DESC LIMIT 1"));
    if (row) code = std::string(json::parse(row->Text(0)).at("code").as_string());
    return Status::Ok();
  }).ok());
  ASSERT_EQ(code.size(), 6u);
  const std::string until =
      ChinaDate(demo_->app().clock().Now() + std::chrono::hours(24 * 60)).ToString();
  auto body = [&](const std::string& c) {
    return R"({"principal_login":"13800000001","code":")" + c +
           R"(","agent_login":"13800000002","scopes":["receipts.view"],"valid_until":")" + until + "\"}";
  };
  EXPECT_EQ(Call("POST", "/api/v1/staff/attorneys", staff, body(code == "000000" ? "111111" : "000000")).first, 401);
  auto made = Call("POST", "/api/v1/staff/attorneys", staff, body(code));
  ASSERT_EQ(made.first, 201) << json::serialize(made.second);
  EXPECT_EQ(made.second.at("created_via").as_string(), "assisted");
  EXPECT_EQ(made.second.at("principal_name").as_string(), "张伟");
  EXPECT_EQ(Call("POST", "/api/v1/staff/attorneys", staff, body(code)).first, 401);  // single use
  auto his = Call("GET", "/api/v1/me/attorneys", "13800000001");
  EXPECT_EQ(his.second.at("given").at(0).at("agent_name").as_string(), "李娜");
}

}  // namespace
}  // namespace tongban::cli
