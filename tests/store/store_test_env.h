// Test support: a fresh, private database per test on either backend.
// SQLite: a file in a new temporary folder. PostgreSQL: a new schema (the driver's `schema=` URL
// parameter) in the cluster named by TONGBAN_TEST_PG, dropped at the end. Not thread-safe.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "store/database.h"

namespace tongban::store::testing {

class TestDatabaseEnv {
 public:
  // An empty string when the backend can be used; otherwise why not (for GTEST_SKIP).
  std::string Init(Dialect dialect) {
    dialect_ = dialect;
    static std::atomic<int> counter{0};
    std::random_device rd;
    std::string unique = std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
                         std::to_string(rd() % 100000);
    if (dialect == Dialect::kPostgres) {
      const char* pg = std::getenv("TONGBAN_TEST_PG");
      if (pg == nullptr || *pg == '\0') {
        return "TONGBAN_TEST_PG is not set: start a cluster with "
               "`eval \"$(scripts/pg-tmp start)\"` to run the PostgreSQL tests";
      }
      base_url_ = pg;
      schema_ = "tb_test_" + unique;
      url_ = With(base_url_, "schema=" + schema_);
    } else {
      dir_ = std::filesystem::temp_directory_path() / ("tongban-store-" + unique);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite://" + (dir_ / "test.db").string();
    }
    return "";
  }

  ~TestDatabaseEnv() {
    if (!schema_.empty()) {
      auto db = Database::Open(base_url_);
      if (db.ok()) {
        (void)(*db)->Transact([&](Tx& tx) {
          return tx.ExecScript("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
        });
      }
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  Dialect dialect() const { return dialect_; }
  // The URL of this test's database; `extra` is appended as query parameters ("pool_size=50").
  std::string url(const std::string& extra = "") const { return extra.empty() ? url_ : With(url_, extra); }

  Result<std::unique_ptr<Database>> Open(const std::string& extra = "",
                                         const DatabaseOptions& options = {}) const {
    return Database::Open(url(extra), options);
  }

 private:
  static std::string With(const std::string& url, const std::string& param) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
  }

  Dialect dialect_ = Dialect::kSqlite;
  std::string base_url_, schema_, url_;
  std::filesystem::path dir_;
};

}  // namespace tongban::store::testing
