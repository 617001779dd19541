// TestServer: runs a Dispatcher behind a real HttpServer on 127.0.0.1, port 0, on a background
// thread, for end-to-end tests; stops and joins on destruction.
//
// It also keeps the API contract honest: when TONGBAN_ANSWER_DIR is set (tongban_test sets it),
// every JSON answer of a matched route is appended to <dir>/<test program>.jsonl (method, route
// pattern, status, content type, body), and tests/api/answers_test.sh validates each against its
// operation's schema in the served OpenAPI document. An answer that drifts from the document
// fails a test.
//
//   server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
//   HttpClient c(server_->port());
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "api/dispatcher.h"
#include "api/server.h"

namespace tongban::testing {

// Appends one answer to this process's answer log (see above); no-op without TONGBAN_ANSWER_DIR.
inline void RecordAnswer(const api::HttpRequest& request, const api::HttpResponse& response) {
  static const char* dir = std::getenv("TONGBAN_ANSWER_DIR");
  if (dir == nullptr || request.route_pattern.empty() || response.later) return;
  const bool json = response.content_type.starts_with("application/json") ||
                    response.content_type.starts_with("application/problem+json");
  if (!json) return;
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(response.body, ec);
  if (ec) body = boost::json::string("<not JSON: " + response.body.substr(0, 80) + ">");
  static std::mutex mu;
  std::lock_guard lock(mu);
  static std::ofstream out(std::string(dir) + "/" + program_invocation_short_name + ".jsonl",
                           std::ios::trunc);
  boost::json::object line{{"method", request.method},
                           {"pattern", std::string(request.route_pattern)},
                           {"status", response.status},
                           {"content_type", response.content_type},
                           {"body", std::move(body)}};
  out << boost::json::serialize(line) << "\n";
  out.flush();
}

class TestServer {
 public:
  explicit TestServer(api::Dispatcher& dispatcher, api::ServerOptions options = {}) {
    options.port = 0;
    // As in production (cli/commands.cc): GETs marked Route::blocks run on the handler pool.
    options.may_block = [&dispatcher](const api::HttpRequest& r) { return dispatcher.MayBlock(r); };
    auto server = api::HttpServer::Create(
        options, [&dispatcher](api::HttpRequest& r) {
          api::HttpResponse response = dispatcher.Handle(r);
          RecordAnswer(r, response);
          return response;
        });
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (!server.ok()) return;
    server_ = std::move(server).value();
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~TestServer() {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  std::unique_ptr<api::HttpServer> server_;
  std::thread thread_;
};

}  // namespace tongban::testing
