// TestServer: runs a Dispatcher behind a real HttpServer on 127.0.0.1, port 0, on a background
// thread, for end-to-end tests; stops and joins on destruction.
//
//   server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
//   HttpClient c(server_->port());
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "api/dispatcher.h"
#include "api/server.h"

namespace tongban::testing {

class TestServer {
 public:
  explicit TestServer(api::Dispatcher& dispatcher, api::ServerOptions options = {}) {
    options.port = 0;
    auto server = api::HttpServer::Create(
        options, [&dispatcher](api::HttpRequest& r) { return dispatcher.Handle(r); });
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
