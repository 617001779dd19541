// Idempotency-Key over HTTP on SQLite and PostgreSQL: a retry replays the stored response without
// running the handler again; the same key with another body is 422; another caller's same key is
// independent; a handler failure (5xx) frees the key; malformed keys are 400.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "api/dispatcher.h"
#include "api/idempotency.h"
#include "api/server.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::api {
namespace {

using tongban::testing::Backend;
using tongban::testing::HttpClient;

class IdempotencyTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam());
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    ASSERT_TRUE(store::Migrate(**db_, IdempotencyStore::Migrations()).ok());
    store_ = std::make_unique<IdempotencyStore>(**db_, clock_);
    Route create{"POST", "/api/v1/things", "createThing", "Creates a thing.", RouteAccess::Public(),
                 [this](const HttpRequest& req, const PathParams&) {
                   int n = ++created_;
                   if (req.body.find("fail") != std::string::npos) {
                     return HttpResponse::Json(500, R"({"error":"boom"})");
                   }
                   return HttpResponse::Json(201, "{\"id\":" + std::to_string(n) + "}");
                 }};
    create.idempotent = true;
    dispatcher_.router().Add(std::move(create));
    dispatcher_.set_idempotency(store_.get());
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
  }
  tongban::testing::RawResponse Post(const std::string& body, const std::string& key) {
    HttpClient c(server_->port());
    std::map<std::string, std::string> h;
    if (!key.empty()) h["Idempotency-Key"] = key;
    auto r = c.Request("POST", "/api/v1/things", body, h);
    EXPECT_TRUE(r);
    return r ? *r : tongban::testing::RawResponse{};
  }

  FakeClock clock_{int64_t{1'790'000'000} * 1'000'000};
  std::unique_ptr<tongban::testing::TestDatabase> db_;
  std::unique_ptr<IdempotencyStore> store_;
  std::atomic<int> created_{0};
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
};

TEST_P(IdempotencyTest, RetryReplaysWithoutRunningTwice) {
  auto first = Post(R"({"name":"张伟"})", "key-0001");
  EXPECT_EQ(first.status, 201);
  auto retry = Post(R"({"name":"张伟"})", "key-0001");
  EXPECT_EQ(retry.status, 201);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.headers["idempotent-replayed"], "true");
  EXPECT_EQ(created_.load(), 1);
  // Without a key every POST runs.
  Post(R"({"name":"张伟"})", "");
  EXPECT_EQ(created_.load(), 2);
}

TEST_P(IdempotencyTest, SameKeyDifferentBodyIs422) {
  EXPECT_EQ(Post(R"({"name":"张伟"})", "key-0002").status, 201);
  auto other = Post(R"({"name":"李娜"})", "key-0002");
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(created_.load(), 1);
}

TEST_P(IdempotencyTest, ServerErrorsFreeTheKey) {
  EXPECT_EQ(Post(R"({"fail":true})", "key-0003").status, 500);
  EXPECT_EQ(Post(R"({"fail":true})", "key-0003").status, 500);
  EXPECT_EQ(created_.load(), 2) << "a 5xx is not replayed: the retry runs";
}

TEST_P(IdempotencyTest, MalformedKeysAre400) {
  EXPECT_EQ(Post("{}", std::string(256, 'k')).status, 400);
  EXPECT_EQ(Post("{}", "has space").status, 400);
  EXPECT_EQ(created_.load(), 0);
}

TEST_P(IdempotencyTest, ConcurrentRetriesRunOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, conflict{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto r = Post(R"({"name":"王芳"})", "key-0004");
      if (r.status == 201) ++ok;
      if (r.status == 409) ++conflict;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created_.load(), 1);
  EXPECT_EQ(ok.load() + conflict.load(), 16);
  EXPECT_GE(ok.load(), 1);
}

TEST_P(IdempotencyTest, ExpiredKeysCanBeReusedAndArePurged) {
  EXPECT_EQ(Post(R"({"a":1})", "key-0005").status, 201);
  clock_.Advance(std::chrono::hours(25));
  EXPECT_EQ(Post(R"({"a":2})", "key-0005").status, 201);
  EXPECT_EQ(created_.load(), 2);
  clock_.Advance(std::chrono::hours(25));
  auto purged = store_->Purge();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, IdempotencyTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, IdempotencyTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::api
