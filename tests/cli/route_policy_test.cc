// The authorisation policy of the whole program, over HTTP: the dispatcher is wired exactly as
// `tongban serve` wires it (cli/api_wiring.h) on a demo deployment, and EVERY non-public route, in
// every method, is called
//   - with no credentials, a malformed header, a forged token, a validly signed but expired token
//     and an unknown API key: each must be 401;
//   - with a real credential of every demo account (six people, three department-system keys):
//     a role or scope the route does not list must be 403; a listed one must not be 401/403 on
//     reads (writes by allowed callers are the parts' own tests: running them here would change
//     state, e.g. log out).
// So a route added to the program is covered without anyone remembering to add it here.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "identity/part/auth_handlers.h"
#include "cli/api_wiring.h"
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "identity/part/identity_part.h"
#include "part/key_files.h"
#include "cli/demo_data.h"
#include "identity/session_token.h"
#include "testing/demo_deployment.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::cli {
namespace {

namespace fs = std::filesystem;
using tongban::testing::HttpClient;

// "/api/v1/receipts/{code}/{number}" -> "/api/v1/receipts/1/1"; "{path...}" -> "x/y".
std::string FillPattern(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      size_t e = pattern.find('}', i);
      bool rest = pattern.compare(e - 3, 3, "...") == 0;
      out += rest ? "x/y" : "1";
      i = e + 1;
    } else {
      out.push_back(pattern[i++]);
    }
  }
  return out;
}

class RoutePolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    demo_ = tongban::testing::DemoDeployment::Create("tongban-policy").release();
    ASSERT_NE(demo_, nullptr);
    const Config& config = demo_->config();
    auto key = part::ReadSecretFile(
        config.Resolve(demo_->app().Get<identity::IdentityPart>().config().session_key_file), 32);
    ASSERT_TRUE(key.ok());
    session_key_ = new std::string(*key);
  }
  static void TearDownTestSuite() {
    delete session_key_;
    delete demo_;
  }

  void SetUp() override {
    ASSERT_NE(demo_, nullptr);
    WireApi(demo_->app(), dispatcher_);
    // Hundreds of requests from one address: the limits are not what is tested here.
    dispatcher_.SetRateLimits({0, 0}, {0, 0});
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
  }

  int Call(const api::Route& route, const std::string& authorization) {
    HttpClient c(server_->port());
    std::map<std::string, std::string> headers;
    if (!authorization.empty()) headers["Authorization"] = authorization;
    std::string body;
    if (route.method == "POST" || route.method == "PUT" || route.method == "PATCH") {
      body = route.request_type == "application/json" ? "{}" : "x";
      headers["Content-Type"] = route.request_type;
    }
    auto r = c.Request(route.method, FillPattern(route.pattern), body, headers);
    return r ? r->status : -1;
  }

  static tongban::testing::DemoDeployment* demo_;
  static std::string* session_key_;
  api::Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
};

tongban::testing::DemoDeployment* RoutePolicyTest::demo_ = nullptr;
std::string* RoutePolicyTest::session_key_ = nullptr;

TEST(FillPattern, FillsParametersAndRest) {
  EXPECT_EQ(FillPattern("/a/{x}/b/{y}"), "/a/1/b/1");
  EXPECT_EQ(FillPattern("/ledger/tile/{path...}"), "/ledger/tile/x/y");
  EXPECT_EQ(FillPattern("/healthz"), "/healthz");
}

TEST_F(RoutePolicyTest, EveryProtectedRouteRejectsBadCredentialsWith401) {
  identity::SessionTokenCodec codec(*session_key_);
  // Signed with the deployment's real key, for the admin, but expired in 2001.
  std::string expired = codec.Encode({1, 1, identity::Role::kAdmin, 1'000'000'000, 1'000'000'100});
  auto login = demo_->app().identity().Login("admin", kDemoPassword);
  ASSERT_TRUE(login.ok());
  std::string forged = login->access_token;
  forged[10] = forged[10] == 'A' ? 'B' : 'A';
  int checked = 0;
  for (const api::Route& route : dispatcher_.router().routes()) {
    if (route.access.is_public) continue;
    for (const std::string& auth :
         {std::string(), std::string("Bearer"), std::string("Basic YWRtaW46cHc="),
          "Bearer " + forged, "Bearer " + expired, std::string("Bearer tbk_000000000000_x")}) {
      EXPECT_EQ(Call(route, auth), 401) << route.method << " " << route.pattern << " with '"
                                        << auth.substr(0, 12) << "…'";
    }
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST_F(RoutePolicyTest, EveryProtectedRouteRejectsUnlistedRolesWith403) {
  auto callers = demo_->Callers();
  // eight people (王秀英 and her son 刘建国 act for others), seven department systems (two
  // hospitals, two data pushers), and the services part's staff of each department that handles a
  // demo bundle's items
  ASSERT_EQ(callers.size(), 26u);
  int denied = 0, allowed_reads = 0;
  for (const api::Route& route : dispatcher_.router().routes()) {
    if (route.access.is_public) continue;
    for (const auto& [name, principal, bearer] : callers) {
      bool allowed = api::Authorise(principal, route.access).ok();
      std::string who = std::string(identity::RoleName(principal.role)) +
                        (principal.scopes.empty() ? "" : " " + principal.scopes.front());
      if (!allowed) {
        EXPECT_EQ(Call(route, bearer), 403) << route.method << " " << route.pattern << " as " << who;
        ++denied;
      } else if (route.method == "GET") {
        int status = Call(route, bearer);
        EXPECT_NE(status, 401) << route.pattern << " as " << who;
        EXPECT_LT(status, 500) << route.pattern << " as " << who;
        ++allowed_reads;
      }
    }
  }
  EXPECT_GE(denied, 50);
  EXPECT_GE(allowed_reads, 10);
}

TEST_F(RoutePolicyTest, PublicRoutesNeedNoCredentials) {
  for (const api::Route& route : dispatcher_.router().routes()) {
    if (!route.access.is_public || route.method != "GET") continue;
    int status = Call(route, "");
    EXPECT_NE(status, 401) << route.pattern;
    EXPECT_NE(status, 403) << route.pattern;
    EXPECT_LT(status, 500) << route.pattern;
  }
}

}  // namespace
}  // namespace tongban::cli
