// End-to-end tests of the HTTP server and dispatcher on 127.0.0.1 port 0: conventions, limits,
// malformed input and graceful stop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <boost/json.hpp>
#include <thread>
#include <vector>

#include "api/dispatcher.h"
#include "api/metrics.h"
#include "api/server.h"
#include "testing/http_client.h"

namespace tongban::api {
namespace {

using tongban::testing::HttpClient;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_.router().Add(Route{"POST", "/api/v1/echo/{name}", "echo", "Echo a JSON body.",
                                   RouteAccess::Public(),
                                   [](const HttpRequest& req, const PathParams& p) {
                                     boost::json::object o{{"name", p.at("name")},
                                                           {"body", req.body}};
                                     return HttpResponse::Json(200, boost::json::serialize(o));
                                   }});
    dispatcher_.router().Add(Route{"GET", "/api/v1/private", "private", "Needs a login.",
                                   RouteAccess::Roles({"staff"}),
                                   [](const HttpRequest&, const PathParams&) {
                                     return HttpResponse::Json(200, "{}");
                                   }});
    dispatcher_.router().Add(Route{"GET", "/api/v1/throws", "throws", "A buggy handler.",
                                   RouteAccess::Public(),
                                   [](const HttpRequest&, const PathParams&) -> HttpResponse {
                                     throw std::runtime_error("boom");
                                   }});
    dispatcher_.router().Add(Route{"GET", "/api/v1/slow", "slow", "Takes 300 ms.",
                                   RouteAccess::Public(),
                                   [](const HttpRequest&, const PathParams&) {
                                     std::this_thread::sleep_for(std::chrono::milliseconds(300));
                                     return HttpResponse::Json(200, R"({"done":true})");
                                   }});
    // A write that blocks (as one waiting for its commit would): runs on the handler pool.
    dispatcher_.router().Add(Route{"POST", "/api/v1/slow-write/{n}", "slow-write",
                                   "Takes 200 ms.", RouteAccess::Public(),
                                   [this](const HttpRequest&, const PathParams& p) {
                                     int now = ++in_handler_;
                                     int seen = max_in_handler_.load();
                                     while (now > seen && !max_in_handler_.compare_exchange_weak(seen, now)) {
                                     }
                                     std::this_thread::sleep_for(std::chrono::milliseconds(200));
                                     --in_handler_;
                                     boost::json::object o{{"n", p.at("n")}};
                                     return HttpResponse::Json(200, boost::json::serialize(o));
                                   }});
    dispatcher_.router().Add(Route{"GET", "/api/v1/headers", "headers", "Sets extra headers.",
                                   RouteAccess::Public(),
                                   [](const HttpRequest&, const PathParams&) {
                                     HttpResponse r = HttpResponse::Json(200, R"({"x":1})");
                                     r.WithHeader("Cache-Control", "no-cache");
                                     // A value that would split the header if written raw.
                                     r.WithHeader("X-Note", "a\r\nSet-Cookie: evil=1");
                                     return r;
                                   }});
    dispatcher_.AddSystemRoutes();
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.body_limit = 1024;
    options.header_limit = 2048;
    options.header_timeout = std::chrono::seconds(1);
    options.idle_timeout = std::chrono::seconds(2);
    options.drain_timeout = std::chrono::seconds(3);
    options.handler_threads = 4;
    auto server = HttpServer::Create(
        options, [this](HttpRequest& r) { return dispatcher_.Handle(r); },
        [this](const HttpRequest& q, const HttpResponse& r, std::chrono::microseconds us) {
          dispatcher_.Observe(q, r, us);
        });
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  boost::json::object Json(const std::string& body) { return boost::json::parse(body).as_object(); }

  std::atomic<int> in_handler_{0};
  std::atomic<int> max_in_handler_{0};
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(ServerTest, HealthzAnswersWithRequestId) {
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  EXPECT_EQ(r->headers["x-request-id"].size(), 16u);
}

TEST_F(ServerTest, SaneClientRequestIdIsEchoedAndInsaneOneReplaced) {
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/healthz", "", {{"X-Request-Id", "abc-123_X"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["x-request-id"], "abc-123_X");
  r = c.Request("GET", "/healthz", "", {{"X-Request-Id", "bad id\"with quotes"}});
  ASSERT_TRUE(r);
  EXPECT_NE(r->headers["x-request-id"], "bad id\"with quotes");
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient c(server_->port());
  for (int i = 0; i < 50; ++i) {
    auto r = c.Request("GET", "/healthz");
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
  }
}

TEST_F(ServerTest, ResponseHeadIsWellFormed) {
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/api/v1/headers");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"x":1})");
  EXPECT_EQ(r->headers["content-length"], "7");
  EXPECT_EQ(r->headers["content-type"], "application/json");
  EXPECT_EQ(r->headers["cache-control"], "no-cache");
  EXPECT_EQ(r->headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(r->headers["server"], "tongban");
  EXPECT_EQ(r->headers.count("set-cookie"), 0u) << "a CR/LF in a value must not split headers";
  EXPECT_EQ(r->headers["x-note"], "a  Set-Cookie: evil=1");
  EXPECT_EQ(r->headers.count("connection"), 0u);  // HTTP/1.1 keep-alive is the default
  // The connection stays usable.
  r = c.Request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, HeadGetsLengthButNoBody) {
  HttpClient c(server_->port());
  auto r = c.Request("HEAD", "/healthz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  // If a body followed the head, the next response on the connection would be garbled.
  EXPECT_EQ(r->headers["content-length"], "15");
  EXPECT_TRUE(r->body.empty());
  r = c.Request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
}

TEST_F(ServerTest, ConnectionCloseIsHonouredAndAnnounced) {
  HttpClient c(server_->port());
  ASSERT_TRUE(c.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(ServerTest, Http10KeepAliveIsAnnounced) {
  HttpClient c(server_->port());
  ASSERT_TRUE(c.SendRaw("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "keep-alive");
  ASSERT_TRUE(c.SendRaw("GET /healthz HTTP/1.0\r\n\r\n"));
  r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(ServerTest, PathParametersAndUtf8Bodies) {
  HttpClient c(server_->port());
  auto r = c.Request("POST", "/api/v1/echo/%E5%BC%A0%E4%BC%9F", R"({"name":"张伟"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto o = Json(r->body);
  EXPECT_EQ(o["name"].as_string(), "张伟");
  EXPECT_EQ(o["body"].as_string(), R"({"name":"张伟"})");
}

TEST_F(ServerTest, UnknownPathIs404Problem) {
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/api/v1/nothing-here");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->headers["content-type"], "application/problem+json");
  auto o = Json(r->body);
  EXPECT_EQ(o["status"].as_int64(), 404);
  EXPECT_EQ(o["type"].as_string(), "urn:tongban:problem:not_found");
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  HttpClient c(server_->port());
  auto r = c.Request("DELETE", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->headers["allow"], "GET");
}

TEST_F(ServerTest, NonPublicRouteWithoutLoginIs401) {
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/api/v1/private");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->headers["www-authenticate"], "Bearer realm=\"tongban\"");
}

TEST_F(ServerTest, WrongContentTypeIs415) {
  HttpClient c(server_->port());
  auto r = c.Request("POST", "/api/v1/echo/x", "a=b", {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
}

TEST_F(ServerTest, InvalidUtf8BodyIs400) {
  HttpClient c(server_->port());
  auto r = c.Request("POST", "/api/v1/echo/x", std::string("{\"a\":\"\xC3\x28\"}"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(Json(r->body)["detail"].as_string().find("UTF-8"), std::string::npos);
}

TEST_F(ServerTest, DeclaredOversizedBodyIs413) {
  HttpClient c(server_->port());
  auto r = c.Request("POST", "/api/v1/echo/x", std::string(5000, 'a'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, ChunkedOversizedBodyIs413) {
  HttpClient c(server_->port());
  std::string chunk(800, 'a');
  std::string req =
      "POST /api/v1/echo/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n";
  ASSERT_TRUE(c.SendRaw(req));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, HeaderFloodIs431) {
  HttpClient c(server_->port());
  std::map<std::string, std::string> headers;
  for (int i = 0; i < 100; ++i) headers["X-Flood-" + std::to_string(i)] = std::string(40, 'x');
  auto r = c.Request("GET", "/healthz", "", headers);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

TEST_F(ServerTest, PathTraversalIs400) {
  HttpClient c(server_->port());
  for (std::string target : {"/api/v1/../etc/passwd", "/api/v1/%2e%2e/secret", "/a%5cb", "/x%00y"}) {
    auto r = c.Request("GET", target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    c.Close();
  }
}

TEST_F(ServerTest, GarbageRequestLineIs400) {
  HttpClient c(server_->port());
  ASSERT_TRUE(c.SendRaw("THIS IS NOT HTTP\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(ServerTest, HandlerExceptionBecomes500WithoutLeakingIt) {
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/api/v1/throws");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body.find("boom"), std::string::npos);
  // The server is still alive.
  EXPECT_EQ(c.Request("GET", "/healthz")->status, 200);
}

TEST_F(ServerTest, SlowHeaderClientIsDisconnected) {
  HttpClient c(server_->port(), 4000);
  ASSERT_TRUE(c.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // never finishes the header
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(3000));
}

TEST_F(ServerTest, MetricsCountRequestsPerRoute) {
  HttpClient c(server_->port());
  c.Request("GET", "/healthz");
  auto r = c.Request("GET", "/metrics");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find(R"(tongban_http_requests_total{route="/healthz",method="GET",status="200"} 1)"),
            std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("tongban_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(ServerTest, OpenApiListsEveryRoute) {
  HttpClient c(server_->port());
  auto r = c.Request("GET", "/api/v1/openapi.json");
  ASSERT_TRUE(r);
  auto doc = Json(r->body);
  EXPECT_EQ(doc["openapi"].as_string(), "3.1.0");
  auto& paths = doc["paths"].as_object();
  for (const Route& route : dispatcher_.router().routes()) {
    EXPECT_TRUE(paths.contains(route.pattern)) << route.pattern;
  }
  EXPECT_TRUE(paths["/api/v1/echo/{name}"].as_object()["post"].as_object().contains("parameters"));
  // The contract a client generator needs (issue 16 item 6): servers, a request body where there
  // is one, and the problem answers each operation can give, as named RFC 9457 responses.
  EXPECT_FALSE(doc["servers"].as_array().empty());
  EXPECT_TRUE(doc["components"].as_object()["schemas"].as_object().contains("Problem"));
  auto& echo = paths["/api/v1/echo/{name}"].as_object()["post"].as_object();
  EXPECT_TRUE(echo.contains("requestBody"));
  auto& echo_answers = echo["responses"].as_object();
  for (const char* code : {"200", "400", "404", "409", "429", "503"}) {
    EXPECT_TRUE(echo_answers.contains(code)) << code;
  }
  EXPECT_FALSE(echo_answers.contains("401"));  // public
  auto& private_answers = paths["/api/v1/private"].as_object()["get"].as_object()["responses"].as_object();
  EXPECT_TRUE(private_answers.contains("401"));
  EXPECT_TRUE(private_answers.contains("403"));
  EXPECT_FALSE(private_answers.contains("404"));  // no id in its path
  EXPECT_EQ(private_answers["403"].as_object()["$ref"].as_string(), "#/components/responses/Problem403");
  EXPECT_TRUE(doc["components"].as_object()["responses"].as_object().contains("Problem403"));
}

TEST(OpenApi, RestOfPathParametersAreWrittenAsOneTemplateParameter) {
  Dispatcher d("test");
  d.router().Add(Route{"GET", "/ledger/tile/{path...}", "tile", "A tile.", RouteAccess::Public(),
                       [](const HttpRequest&, const PathParams&) { return HttpResponse::Json(200, "{}"); }});
  boost::json::value doc = boost::json::parse(d.OpenApiJson());
  auto& paths = doc.as_object()["paths"].as_object();
  ASSERT_TRUE(paths.contains("/ledger/tile/{path}"));
  EXPECT_FALSE(paths.contains("/ledger/tile/{path...}"));
  auto& param = paths["/ledger/tile/{path}"].as_object()["get"].as_object()["parameters"].as_array()[0];
  EXPECT_EQ(param.as_object()["name"].as_string(), "path");
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequest) {
  HttpClient c(server_->port());
  ASSERT_TRUE(c.SendRaw("GET /api/v1/slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_->Stop();
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers["connection"], "close");
  thread_.join();
}

TEST_F(ServerTest, PooledWritesAreAnsweredInRequestOrderPerConnection) {
  HttpClient c(server_->port());
  // Pipelined: a blocking POST (handler pool), a GET (io thread), another POST.
  const std::string post = "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  ASSERT_TRUE(c.SendRaw("POST /api/v1/slow-write/1 HTTP/1.1\r\nHost: x\r\n" + post +
                        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                        "POST /api/v1/echo/second HTTP/1.1\r\nHost: x\r\n" + post));
  auto first = c.ReadResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(Json(first->body)["n"].as_string(), "1");
  auto second = c.ReadResponse();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body.find("\"n\""), std::string::npos) << second->body;
  auto third = c.ReadResponse();
  ASSERT_TRUE(third);
  EXPECT_EQ(Json(third->body)["name"].as_string(), "second");
}

TEST_F(ServerTest, BlockingWritesDoNotHoldTheIoThreads) {
  // 8 slow writes on 8 connections with 2 io threads and 4 handler threads: 4 run at once, the
  // rest wait in the pool's queue, and GETs are answered meanwhile.
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      HttpClient c(server_->port(), 5000);
      auto r = c.Request("POST", "/api/v1/slow-write/" + std::to_string(i), "{}");
      if (r && r->status == 200 && Json(r->body)["n"].as_string() == std::to_string(i)) ++ok;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  HttpClient g(server_->port());
  auto start = std::chrono::steady_clock::now();
  auto h = g.Request("GET", "/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  // On the io threads the writes would hold the GET for at least 180 ms.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(max_in_handler_.load(), 4);
}

TEST_F(ServerTest, GracefulStopWaitsForQueuedHandlerJobs) {
  // 8 slow writes, 4 handler threads: when Stop() comes, 4 run and 4 are still queued; every
  // one is answered (with Connection: close) before the server returns.
  std::vector<std::unique_ptr<HttpClient>> conns;
  for (int i = 0; i < 8; ++i) {
    conns.push_back(std::make_unique<HttpClient>(server_->port(), 5000));
    ASSERT_TRUE(conns.back()->SendRaw("POST /api/v1/slow-write/" + std::to_string(i) +
                                      " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                                      "\r\nContent-Length: 2\r\n\r\n{}"));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  server_->Stop();
  for (int i = 0; i < 8; ++i) {
    auto r = conns[i]->ReadResponse();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200) << i;
    EXPECT_EQ(r->headers["connection"], "close") << i;
    EXPECT_EQ(Json(r->body)["n"].as_string(), std::to_string(i));
  }
  thread_.join();
}

TEST_F(ServerTest, RateLimitPerAddressGives429WithRetryAfter) {
  dispatcher_.SetRateLimits({.rate_per_second = 1, .burst = 3}, {});
  HttpClient c(server_->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.Request("GET", "/api/v1/openapi.json")->status, 200);
  auto r = c.Request("GET", "/api/v1/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->headers["retry-after"], "1");
  EXPECT_EQ(c.Request("GET", "/healthz")->status, 200) << "health checks are never limited";
  dispatcher_.SetRateLimits({.rate_per_second = 0}, {.rate_per_second = 0});
}

TEST(MaskPathForLog, MasksIdentifierLikeSegments) {
  EXPECT_EQ(MaskPathForLog("/api/v1/people/11010519491231002X/records"),
            "/api/v1/people/1101**********002X/records");
  EXPECT_EQ(MaskPathForLog("/api/v1/openapi.json"), "/api/v1/openapi.json");
  EXPECT_EQ(MaskPathForLog("/healthz"), "/healthz");
}

TEST(ParseTarget, DecodesQueryAndRejectsTraversal) {
  std::string path;
  std::map<std::string, std::string> query;
  ASSERT_TRUE(ParseTarget("/a/b?cursor=x%2By&limit=10&name=%E5%BC%A0+%E4%BC%9F", path, query));
  EXPECT_EQ(path, "/a/b");
  EXPECT_EQ(query["cursor"], "x+y");
  EXPECT_EQ(query["name"], "张 伟");
  EXPECT_FALSE(ParseTarget("a/b", path, query));
  EXPECT_FALSE(ParseTarget("/a/%zz", path, query));
  EXPECT_FALSE(ParseTarget("/a/%", path, query));
  EXPECT_FALSE(ParseTarget("/a/%C3%28", path, query));
  EXPECT_FALSE(ParseTarget("/a/./b", path, query));
}

TEST(CachedReading, ReadsOncePerTtlAndDoesNotCacheFailures) {
  int reads = 0;
  bool fail = false;
  CachedReading<int> r(std::chrono::milliseconds(50), [&]() -> std::optional<int> {
    ++reads;
    if (fail) return std::nullopt;
    return reads;
  });
  EXPECT_EQ(r.Get(), 1);
  EXPECT_EQ(r.Get(), 1);  // shared within the ttl
  EXPECT_EQ(reads, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  fail = true;
  EXPECT_EQ(r.Get(), std::nullopt);
  EXPECT_EQ(r.Get(), std::nullopt);  // a failure is read again, not kept
  EXPECT_EQ(reads, 3);
  fail = false;
  EXPECT_EQ(r.Get(), 4);
}

TEST(Utf8, RejectsOverlongsAndSurrogates) {
  EXPECT_TRUE(IsValidUtf8("张伟 abc"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE5\xBC"));          // truncated
}

TEST(Utf8, AsciiRunsAreSkippedWordWiseWithoutMissingABadByte) {
  // A bad or truncated sequence at every offset of long ASCII runs, and valid text around them.
  const std::string ascii(37, 'a');
  for (size_t at = 0; at <= ascii.size(); ++at) {
    SCOPED_TRACE(at);
    std::string good = ascii.substr(0, at) + "张伟" + ascii.substr(at);
    EXPECT_TRUE(IsValidUtf8(good));
    EXPECT_FALSE(IsValidUtf8(ascii.substr(0, at) + "\xFF" + ascii.substr(at)));
    EXPECT_FALSE(IsValidUtf8(ascii.substr(0, at) + "\xE5\xBC"));  // truncated at the very end
    EXPECT_FALSE(IsValidUtf8(ascii.substr(0, at) + "\x80" + ascii.substr(at)));
  }
  EXPECT_TRUE(IsValidUtf8(ascii));
  EXPECT_TRUE(IsValidUtf8(""));
}

}  // namespace
}  // namespace tongban::api

namespace tongban::api {
namespace {

TEST(Router, MatchesParametersAndTrailingWildcards) {
  Router router;
  auto ok = [](const HttpRequest&, const PathParams&) { return HttpResponse::Json(200, "{}"); };
  router.Add(Route{"GET", "/ledger/tile/{path...}", "tile", "", RouteAccess::Public(), ok});
  router.Add(Route{"GET", "/a/{x}/b", "ab", "", RouteAccess::Public(), ok});
  auto m = router.Find("GET", "/ledger/tile/0/x001/234.p/7");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.params.at("path"), "0/x001/234.p/7");
  EXPECT_EQ(router.Find("GET", "/ledger/tile/").kind, Router::MatchKind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/ledger/tile").kind, Router::MatchKind::kNotFound);
  m = router.Find("GET", "/a/42/b");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.params.at("x"), "42");
  EXPECT_EQ(router.Find("GET", "/a//b").kind, Router::MatchKind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/a/42/b/c").kind, Router::MatchKind::kNotFound);
  EXPECT_EQ(router.Find("POST", "/a/42/b").kind, Router::MatchKind::kMethodNotAllowed);
}

TEST(Router, ExactRouteWinsOverParameterRouteAddedEarlier) {
  Router router;
  auto ok = [](const HttpRequest&, const PathParams&) { return HttpResponse::Json(200, "{}"); };
  router.Add(Route{"GET", "/r/{code}", "byCode", "", RouteAccess::Public(), ok});
  router.Add(Route{"GET", "/r/verify", "verify", "", RouteAccess::Public(), ok});
  router.Add(Route{"POST", "/r/{code}", "postByCode", "", RouteAccess::Public(), ok});
  auto m = router.Find("GET", "/r/verify");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.route->operation_id, "verify");
  EXPECT_TRUE(m.params.empty());
  m = router.Find("GET", "/r/123");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.route->operation_id, "byCode");
  // POST /r/verify matches the parameter route's POST.
  m = router.Find("POST", "/r/verify");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.route->operation_id, "postByCode");
  // A method nobody serves lists every method of every matching route.
  m = router.Find("DELETE", "/r/verify");
  EXPECT_EQ(m.kind, Router::MatchKind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, POST");
}

}  // namespace
}  // namespace tongban::api
