// App: the running program's parts, wired from a Config — clock, database (migrated), identity,
// ledger. Built by `serve` and `demo`; owns everything it creates. Not copyable.
#pragma once

#include <memory>
#include <string>

#include "cli/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "identity/identity_service.h"
#include "store/database.h"

namespace tongban::cli {

class App {
 public:
  // Opens the database, applies migrations, loads keys. Errors name the file or option at fault.
  static Result<std::unique_ptr<App>> Open(const Config& config);

  const Config& config() const { return config_; }
  const Clock& clock() const { return clock_; }
  store::Database& db() { return *db_; }
  identity::IdentityService& identity() { return *identity_; }

 private:
  App() = default;
  Config config_;
  SystemClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<identity::IdentityService> identity_;
};

// Reads a hex-encoded secret file (at least `min_bytes` bytes once decoded).
Result<std::string> ReadSecretFile(const std::filesystem::path& path, size_t min_bytes);
// Writes `bytes` random bytes, hex-encoded, to `path` with mode 0600 unless it exists.
Status WriteSecretFileIfMissing(const std::filesystem::path& path, size_t bytes);

}  // namespace tongban::cli
