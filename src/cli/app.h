// App: the running program — its config, clock, database (migrated) and every part of the list
// (cli/parts.h), configured, opened in list order and started / stopped together. Built by
// `serve`, `demo` and the commands that open a deployment; owns everything it creates. Not
// copyable; start-up and shut-down on one thread.
#pragma once

#include <memory>
#include <string>

#include "api/idempotency.h"
#include "cli/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "identity/identity_service.h"
#include "part/commands.h"
#include "part/part_set.h"
#include "store/database.h"

namespace tongban::cli {

class App : public part::Program {
 public:
  // The program's own migrations (idempotency keys) and every part's, in list order.
  // tests/cli/parts_conformance_test.cc applies them on both drivers.
  static std::vector<store::Migration> Migrations();
  // Opens the database, applies migrations, configures and opens every part. Errors name the
  // file or option at fault.
  static Result<std::unique_ptr<App>> Open(const Config& config);
  ~App() override;

  const Config& config() const { return config_; }
  const Clock& clock() const { return clock_; }
  store::Database& db() override { return *db_; }
  const part::PartSet& parts() const override { return parts_; }
  api::IdempotencyStore& idempotency() { return *idempotency_; }
  // The identity part's service: what every route is authorised against.
  identity::IdentityService& identity() { return *identity_; }
  // The part of class P. REQUIRES: it is in the list.
  template <typename P>
  P& Get() const {
    return *parts_.Find<P>();
  }

  // Starts every part's workers in list order (after purging expired idempotency keys); Stop()
  // stops them in reverse order, flushing queued ledger entries. Stop is idempotent.
  Status Start();
  Status Stop() override;

 private:
  App() = default;
  Config config_;
  SystemClock clock_;
  std::unique_ptr<store::Database> db_;
  part::PartSet parts_;
  size_t started_ = 0;  // parts started, so Stop stops exactly those
  std::unique_ptr<api::IdempotencyStore> idempotency_;
  identity::IdentityService* identity_ = nullptr;
};

// Opens the deployment of a config file for a command: logging set up from its [log] level (on
// stderr), then App::Open.
Result<std::unique_ptr<part::Program>> OpenProgram(const std::filesystem::path& config_file);

}  // namespace tongban::cli
