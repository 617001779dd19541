// DemoDeployment: a whole-program test deployment — `tongban init` and the demo data in a fresh
// temp folder, the App opened as `serve` opens it — and every demo caller logged in (people with
// their password, department systems with their API key). For the tests that walk the real
// route table (tests/cli/route_policy_test.cc, tests/security/object_access_test.cc). Test-only;
// not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/demo_data.h"

namespace tongban::testing {

struct DemoCaller {
  std::string name;  // a person's login, or a department system's name
  identity::Principal principal;
  std::string bearer;  // "Bearer <session token or API key>"
};

class DemoDeployment {
 public:
  // REQUIRES: called from a test (failures are gtest failures); nullptr when set-up failed.
  static std::unique_ptr<DemoDeployment> Create(const std::string& name) {
    std::unique_ptr<DemoDeployment> d(new DemoDeployment());
    d->dir_ = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(d->dir_);
    if (cli::RunInit(cli::InitOptions{.dir = d->dir_, .suite = "intl", .origin = name + ".test/log"}) != 0) {
      ADD_FAILURE() << "tongban init failed";
      return nullptr;
    }
    auto config = cli::LoadConfig(d->dir_ / "tongban.toml");
    if (!config.ok()) {
      ADD_FAILURE() << config.status().ToString();
      return nullptr;
    }
    d->config_ = *config;
    auto app = cli::App::Open(*config);
    if (!app.ok()) {
      ADD_FAILURE() << app.status().ToString();
      return nullptr;
    }
    d->app_ = std::move(app).value();
    auto credentials = cli::LoadDemoData(*d->app_, d->dir_ / "demo-credentials.tsv");
    if (!credentials.ok()) {
      ADD_FAILURE() << credentials.status().ToString();
      return nullptr;
    }
    d->credentials_ = std::move(credentials).value();
    return d;
  }
  ~DemoDeployment() {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  cli::App& app() { return *app_; }
  const cli::Config& config() const { return config_; }
  // The demo's credential lines; tests may add callers of their own.
  std::vector<cli::DemoCredential>& credentials() { return credentials_; }

  // Every credential that names an account role, logged in.
  std::vector<DemoCaller> Callers() {
    std::vector<DemoCaller> out;
    for (const cli::DemoCredential& c : credentials_) {
      if (!identity::ParseRole(c.role).ok()) continue;  // a sample record, not an account
      std::string bearer;
      if (c.login == "-") {
        bearer = "Bearer " + c.secret;
      } else {
        auto pair = app_->identity().Login(c.login, c.secret);
        EXPECT_TRUE(pair.ok()) << c.login << ": " << pair.status().ToString();
        if (!pair.ok()) continue;
        bearer = "Bearer " + pair->access_token;
      }
      auto principal = app_->identity().Authenticate(bearer);
      EXPECT_TRUE(principal.ok()) << c.login;
      if (principal.ok()) out.push_back({c.login == "-" ? c.who : c.login, *principal, bearer});
    }
    return out;
  }

 private:
  DemoDeployment() = default;
  std::filesystem::path dir_;
  cli::Config config_;
  std::unique_ptr<cli::App> app_;
  std::vector<cli::DemoCredential> credentials_;
};

}  // namespace tongban::testing
