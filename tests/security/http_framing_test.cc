// The attack suite's HTTP layer (issue 15): request smuggling and framing cases fed byte for byte
// through the server's real read path (api::ServeBytesForTesting: the same session code as a TCP
// connection, over a socket pair), header-size limits on both sides, slow headers, and the
// connection caps over real TCP. Each case says what must hold: how many requests reached a
// handler and which statuses came back, in order.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "api/dispatcher.h"
#include "api/server.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::api {
namespace {

using tongban::testing::HttpClient;

// Every status line in `out`, in order.
std::vector<int> Statuses(const std::string& out) {
  std::vector<int> statuses;
  for (size_t at = out.find("HTTP/1.1 "); at != std::string::npos;
       at = out.find("HTTP/1.1 ", at + 1)) {
    if (at == 0 || out.compare(at - 2, 2, "\r\n") == 0 || out.compare(at - 1, 1, "}") == 0) {
      statuses.push_back(std::stoi(out.substr(at + 9, 3)));
    }
  }
  return statuses;
}

class FramingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_.router().Add(Route{"POST", "/api/v1/echo", "echo", "Counts the body's bytes.",
                                   RouteAccess::Public(),
                                   [this](const HttpRequest& req, const PathParams&) {
                                     ++handled_;
                                     bodies_.push_back(req.body);
                                     return HttpResponse::Json(
                                         200, "{\"bytes\":" + std::to_string(req.body.size()) + "}");
                                   }});
    dispatcher_.router().Add(Route{"GET", "/api/v1/ping", "ping", "Pong.", RouteAccess::Public(),
                                   [this](const HttpRequest&, const PathParams&) {
                                     ++handled_;
                                     return HttpResponse::Json(200, "{}");
                                   }});
    dispatcher_.AddSystemRoutes();
    dispatcher_.SetRateLimits({0, 0}, {0, 0});
  }

  std::string Serve(const std::string& raw) {
    return ServeBytesForTesting(options_, [this](HttpRequest& r) { return dispatcher_.Handle(r); },
                                raw);
  }

  Dispatcher dispatcher_{"test"};
  ServerOptions options_;
  int handled_ = 0;
  std::vector<std::string> bodies_;
};

const std::string kSmuggled = "GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n";

TEST_F(FramingTest, TransferEncodingOtherThanChunkedIsRefusedAndNothingIsSmuggled) {
  // The finding: "xchunked" without Content-Length was read as a bodiless request and the body
  // parsed as the next request.
  for (const std::string te : {"xchunked", "identity", "gzip", "chunked, chunked", "gzip, chunked",
                               "chunked;x=1", "\"chunked\""}) {
    handled_ = 0;
    std::string out = Serve("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
                            "\r\n\r\n" + kSmuggled);
    EXPECT_EQ(Statuses(out), std::vector<int>{400}) << te;
    EXPECT_EQ(handled_, 0) << te;
    EXPECT_NE(out.find("Connection: close"), std::string::npos) << te;
  }
}

TEST_F(FramingTest, TransferEncodingWithContentLengthIsRefused) {
  for (const std::string te : {"chunked", "identity"}) {
    std::string out = Serve("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            "Transfer-Encoding: " + te + "\r\n\r\n0\r\n\r\n" + kSmuggled);
    EXPECT_EQ(Statuses(out), std::vector<int>{400}) << te;
  }
  // The other order of the two fields too.
  std::string out = Serve("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          "Content-Length: 5\r\n\r\n0\r\n\r\n" + kSmuggled);
  EXPECT_EQ(Statuses(out), std::vector<int>{400});
  EXPECT_EQ(handled_, 0);
}

TEST_F(FramingTest, TwoTransferEncodingFieldsAreRefused) {
  std::string out = Serve("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(Statuses(out), std::vector<int>{400});
  EXPECT_EQ(handled_, 0);
}

// Review findings: HTTP/1.0 has no chunked framing (RFC 9112 §6.1), and chunked trailer fields
// would join the header after a proxy in front had checked it (an Authorization added there).
TEST_F(FramingTest, ChunkedInHttp10AndTrailerFieldsAreRefused) {
  std::string out = Serve("POST /api/v1/echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "2\r\n{}\r\n0\r\n\r\n");
  EXPECT_EQ(Statuses(out), std::vector<int>{400});
  out = Serve("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nAuthorization: Bearer x\r\n\r\n" +
              kSmuggled);
  EXPECT_EQ(Statuses(out), std::vector<int>{400});
  EXPECT_EQ(handled_, 0);
}

TEST_F(FramingTest, ChunkedBodiesStillWork) {
  for (const std::string te : {"chunked", "Chunked", " chunked "}) {
    bodies_.clear();
    std::string out = Serve("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Transfer-Encoding:" + te + "\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n" +
                            kSmuggled);
    EXPECT_EQ(Statuses(out), (std::vector<int>{200, 200})) << te;
    ASSERT_EQ(bodies_.size(), 1u);
    EXPECT_EQ(bodies_[0], "{\"a\":1}");
  }
}

TEST_F(FramingTest, ConflictingOrMalformedContentLengthIsRefused) {
  for (const std::string cl : {"Content-Length: 2\r\nContent-Length: 3", "Content-Length: +2",
                               "Content-Length: 2, 3", "Content-Length: -1",
                               "Content-Length: 0x2", "Content-Length: 99999999999999999999"}) {
    handled_ = 0;
    std::string out = Serve("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\n" + cl + "\r\n\r\n{}" + kSmuggled);
    std::vector<int> statuses = Statuses(out);
    ASSERT_FALSE(statuses.empty()) << cl;
    EXPECT_TRUE(statuses[0] == 400 || statuses[0] == 413) << cl << ": " << statuses[0];
    EXPECT_EQ(statuses.size(), 1u) << cl;
    EXPECT_EQ(handled_, 0) << cl;
  }
}

TEST_F(FramingTest, IdenticalDuplicateContentLengthIsOneLength) {
  // RFC 9110 §8.6 lets a recipient treat identical repeated values as one; what matters is that
  // the body is read once and what follows is parsed as a request of its own.
  std::string out = Serve("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}" + kSmuggled);
  EXPECT_EQ(Statuses(out), (std::vector<int>{200, 200}));
  ASSERT_EQ(bodies_.size(), 1u);
  EXPECT_EQ(bodies_[0], "{}");
}

TEST_F(FramingTest, ObsoleteLineFoldingCannotStartAnotherRequest) {
  // Either refused (400) or unfolded into one field value (RFC 9112 §5.2): never two requests.
  std::string out = Serve("GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nX-A: a\r\n GET /healthz HTTP/1.1\r\n\r\n");
  std::vector<int> statuses = Statuses(out);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_TRUE(statuses[0] == 200 || statuses[0] == 400);
}

TEST_F(FramingTest, PipelinedRequestsAreAnsweredInOrder) {
  std::string out = Serve(kSmuggled + "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: "
                          "application/json\r\nContent-Length: 2\r\n\r\n{}" + "GET /nope HTTP/1.1\r\n"
                          "Host: x\r\n\r\n" + kSmuggled);
  EXPECT_EQ(Statuses(out), (std::vector<int>{200, 200, 404, 200}));
}

TEST_F(FramingTest, GarbageAndControlCharactersAreRefused) {
  for (const std::string& raw :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 49),
        std::string("GET /api/v1/ping HTTP/1.1\r\nHo st: x\r\n\r\n"),
        std::string("GET /api/v1/ping HTTP/1.1\nHost: x\n\n") + "\x01\x02",
        std::string("POST /api/v1/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n")}) {
    handled_ = 0;
    std::string out = Serve(raw);
    std::vector<int> statuses = Statuses(out);
    EXPECT_LE(statuses.size(), 2u);
    for (int s : statuses) EXPECT_TRUE(s == 400 || s == 200) << s;
    if (!statuses.empty()) {
      EXPECT_EQ(statuses.back(), 400) << raw;
    }
  }
}

// Finding 10: the documented 16 KiB header limit, on both sides of it, and a configured one.
TEST_F(FramingTest, HeaderLimitAnswers431AtTheConfiguredSizeNot400) {
  auto request_of = [](size_t total) {
    std::string head = "GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    std::string req = head + std::string(total - head.size() - 4, 'a') + "\r\n\r\n";
    EXPECT_EQ(req.size(), total);
    return req;
  };
  EXPECT_EQ(Statuses(Serve(request_of((16 << 10) - 64))), std::vector<int>{200});
  EXPECT_EQ(Statuses(Serve(request_of((16 << 10) + 64))), std::vector<int>{431});
  EXPECT_EQ(Statuses(Serve(request_of(12 << 10))), std::vector<int>{200});  // > the old 8 KiB
  options_.header_limit = 4 << 10;
  EXPECT_EQ(Statuses(Serve(request_of((4 << 10) - 64))), std::vector<int>{200});
  EXPECT_EQ(Statuses(Serve(request_of((4 << 10) + 64))), std::vector<int>{431});
  options_.header_limit = 64 << 10;
  EXPECT_EQ(Statuses(Serve(request_of((64 << 10) - 64))), std::vector<int>{200});
}

TEST_F(FramingTest, OversizedDeclaredBodyIsRefusedBeforeReading) {
  options_.body_limit = 1024;
  std::string out = Serve("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" +
                          std::string(4096, 'a'));
  EXPECT_EQ(Statuses(out), std::vector<int>{413});
  EXPECT_EQ(handled_, 0);
}

// Over real TCP: a client that never finishes its header is closed after header_timeout.
TEST_F(FramingTest, SlowHeaderIsClosedAfterTheHeaderTimeout) {
  ServerOptions options;
  options.header_timeout = std::chrono::seconds(1);
  tongban::testing::TestServer server(dispatcher_, options);
  HttpClient c(server.port(), 5000);
  ASSERT_TRUE(c.SendRaw("GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n"));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {  // dribbles a byte now and then, never ending the header
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    c.SendRaw("X");
  }
  EXPECT_TRUE(c.WaitForClose());
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(4));
  // The server still serves others.
  HttpClient other(server.port());
  auto r = other.Request("GET", "/api/v1/ping");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// Finding 3: connection caps, per address and in all; a refused client is told 503 and the
// server keeps serving the connections it has.
TEST_F(FramingTest, ConnectionCapsRefuseNewConnectionsAndRecover) {
  ServerOptions options;
  options.max_connections_per_address = 5;
  options.max_connections = 1000;
  options.threads = 2;
  auto server = HttpServer::Create(options, [this](HttpRequest& r) { return dispatcher_.Handle(r); });
  ASSERT_TRUE(server.ok());
  std::thread runner([&] { (*server)->Run(); });
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(std::make_unique<HttpClient>((*server)->port()));
    auto r = held.back()->Request("GET", "/api/v1/ping");  // keep-alive: stays open
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  HttpClient refused((*server)->port());
  ASSERT_TRUE(refused.Connect());
  auto busy = refused.ReadResponse();
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->headers["retry-after"], "1");
  EXPECT_TRUE(refused.WaitForClose());
  EXPECT_GE((*server)->connections_refused(), 1);
  // The five still work; closing one lets a new one in.
  auto again = held[0]->Request("GET", "/api/v1/ping");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  held.pop_back();
  std::optional<tongban::testing::RawResponse> admitted;
  for (int i = 0; i < 100 && !(admitted && admitted->status == 200); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    HttpClient next((*server)->port());
    admitted = next.Request("GET", "/api/v1/ping");
  }
  ASSERT_TRUE(admitted);
  EXPECT_EQ(admitted->status, 200);
  held.clear();
  (*server)->Stop();
  runner.join();
}

TEST_F(FramingTest, TotalConnectionCap) {
  ServerOptions options;
  options.max_connections = 3;
  options.max_connections_per_address = 0;
  auto server = HttpServer::Create(options, [this](HttpRequest& r) { return dispatcher_.Handle(r); });
  ASSERT_TRUE(server.ok());
  std::thread runner([&] { (*server)->Run(); });
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<HttpClient>((*server)->port()));
    ASSERT_TRUE(held.back()->Request("GET", "/api/v1/ping"));
  }
  HttpClient refused((*server)->port());
  ASSERT_TRUE(refused.Connect());
  auto busy = refused.ReadResponse();
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ((*server)->open_connections(), 3);
  held.clear();
  (*server)->Stop();
  runner.join();
}

// Finding 7: a second server cannot take the same port (no SO_REUSEPORT across processes; here
// a second server object in the same process stands for it).
TEST_F(FramingTest, SecondServerCannotBindTheSamePort) {
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  auto first = HttpServer::Create(options, [this](HttpRequest& r) { return dispatcher_.Handle(r); });
  ASSERT_TRUE(first.ok());
  options.port = (*first)->port();
  auto second = HttpServer::Create(options, [this](HttpRequest& r) { return dispatcher_.Handle(r); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos) << second.status().message();
}

}  // namespace
}  // namespace tongban::api
