// The attack suite's guessing flood (issue 15, finding 2), over HTTP: many wrong passwords for one
// account from several connections must see the per-account back-off (429 with Retry-After, no
// password check), while the same account's owner waits at most the back-off, another account
// logs in at once and other writes keep being served.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>
#include <vector>

#include "identity/part/auth_handlers.h"
#include "api/dispatcher.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::api {
namespace {

using tongban::testing::HttpClient;

std::string LoginBody(const std::string& login, const std::string& password) {
  return boost::json::serialize(boost::json::object{{"login", login}, {"password", password}});
}

TEST(LoginFlood, GuessingOneAccountBacksOffWhileOthersAreServed) {
  auto db = tongban::testing::OpenTestDatabase(tongban::testing::Backend::kSqlite);
  ASSERT_TRUE(db);
  ASSERT_TRUE(store::Migrate(**db, identity::IdentityService::Migrations()).ok());
  SystemClock clock;
  identity::IdentityOptions options;
  options.password = crypto::PasswordParams::ForTestsOnly();
  identity::IdentityService identity(**db, clock, std::string(32, 'k'), options);
  for (const char* login : {"13800000002", "13800000001"}) {
    ASSERT_TRUE(identity
                    .CreateAccount(identity::NewAccount{.login = login,
                                                        .role = identity::Role::kCitizen,
                                                        .display_name = "李娜",
                                                        .password = "tongban-demo"})
                    .ok());
  }
  Dispatcher dispatcher("test");
  AddAuthRoutes(dispatcher.router(), identity);
  std::atomic<int> writes{0};
  dispatcher.router().Add(Route{"POST", "/api/v1/test/write", "write", "Another write.",
                                RouteAccess::Public(), [&](const HttpRequest&, const PathParams&) {
                                  ++writes;
                                  return HttpResponse::Json(200, "{}");
                                }});
  dispatcher.SetRateLimits({0, 0}, {0, 0});  // the per-address limit is not what is tested
  tongban::testing::TestServer server(dispatcher);

  std::atomic<int> unauthorized{0}, backed_off{0}, other{0}, bad_retry_after{0};
  std::vector<std::thread> guessers;
  for (int t = 0; t < 4; ++t) {
    guessers.emplace_back([&, t] {
      HttpClient c(server.port());
      for (int i = 0; i < 25; ++i) {
        auto r = c.Request("POST", "/api/v1/auth/login",
                           LoginBody("13800000002", "guess-" + std::to_string(t * 100 + i)));
        if (!r) {
          ++other;
          continue;
        }
        if (r->status == 401) {
          ++unauthorized;
        } else if (r->status == 429) {
          ++backed_off;
          if (r->headers["retry-after"].empty() || std::stoi(r->headers["retry-after"]) < 1) {
            ++bad_retry_after;
          }
        } else {
          ++other;
        }
      }
    });
  }
  // During the flood: another account logs in, and other writes are answered.
  HttpClient bystander(server.port());
  auto login = bystander.Request("POST", "/api/v1/auth/login", LoginBody("13800000001", "tongban-demo"));
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200);
  for (int i = 0; i < 10; ++i) {
    auto w = bystander.Request("POST", "/api/v1/test/write", "{}");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->status, 200);
  }
  for (auto& t : guessers) t.join();

  // 100 guesses: the first five failures are free, then each failure costs a wait that doubles.
  // However fast the guesser, only a handful of passwords were actually checked.
  EXPECT_EQ(unauthorized + backed_off + other, 100);
  EXPECT_EQ(other.load(), 0);
  EXPECT_LE(unauthorized.load(), 10);
  EXPECT_GE(backed_off.load(), 90);
  EXPECT_EQ(bad_retry_after.load(), 0);
  EXPECT_EQ(writes.load(), 10);
  EXPECT_GE(identity.login_guard().backoff_refusals(), 90);

  // The owner, after the announced wait, gets in with the right password.
  HttpClient owner(server.port());
  std::optional<tongban::testing::RawResponse> mine;
  for (int i = 0; i < 40; ++i) {
    mine = owner.Request("POST", "/api/v1/auth/login", LoginBody("13800000002", "tongban-demo"));
    ASSERT_TRUE(mine);
    if (mine->status != 429) break;
    std::this_thread::sleep_for(std::chrono::seconds(std::stoi(mine->headers["retry-after"])));
  }
  EXPECT_EQ(mine->status, 200) << mine->body;
}

}  // namespace
}  // namespace tongban::api
