// Test databases for the storage conformance suites: every repository test runs against a fresh
// SQLite file and, when TONGBAN_TEST_PG names a PostgreSQL server (scripts/test starts a throwaway
// cluster), against a fresh PostgreSQL schema created for the test and dropped after it.
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, FooTest, ::testing::Values(Backend::kSqlite));
//   INSTANTIATE_TEST_SUITE_P(Postgres, FooTest, ::testing::Values(Backend::kPostgres));
//   ... in SetUp(): db_ = tongban::testing::OpenTestDatabase(GetParam()); if (!db_) GTEST_SKIP();
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "store/database.h"

namespace tongban::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// Owns a test database and removes it (SQLite folder or PostgreSQL schema) at destruction.
class TestDatabase {
 public:
  ~TestDatabase() {
    db_.reset();
    if (!sqlite_dir_.empty()) std::filesystem::remove_all(sqlite_dir_);
    if (!pg_name_.empty() && admin_) {
      // Leftovers would vanish with the throwaway cluster anyway; dropping keeps it small.
      (void)admin_->Transact(
          [&](store::Tx& tx) { return tx.ExecScript("DROP SCHEMA " + pg_name_ + " CASCADE"); });
    }
  }
  store::Database* get() const { return db_.get(); }
  store::Database& operator*() const { return *db_; }
  store::Database* operator->() const { return db_.get(); }
  explicit operator bool() const { return db_ != nullptr; }

  // Another connection to the same database (without the test's options), as another process would
  // open; nullptr (and a failure) when it cannot be opened.
  std::unique_ptr<store::Database> OpenAnotherConnection() const {
    auto db = store::Database::Open(url_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::Database> admin_;
  std::filesystem::path sqlite_dir_;
  std::string pg_name_;
  std::string url_;  // the test database's URL (the PostgreSQL one selects its schema)
};

inline std::string UniqueName(std::string_view prefix) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::string(prefix) + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 100000);
}

// Opens a fresh database of `backend`; nullptr (and a message) when PostgreSQL is not configured.
// `options` (e.g. a fault_hook) apply to the test's database, not to the admin connection.
inline std::unique_ptr<TestDatabase> OpenTestDatabase(Backend backend,
                                                      const store::DatabaseOptions& options = {}) {
  auto t = std::make_unique<TestDatabase>();
  if (backend == Backend::kSqlite) {
    t->sqlite_dir_ = std::filesystem::temp_directory_path() / UniqueName("tongban_test_");
    std::filesystem::create_directories(t->sqlite_dir_);
    t->url_ = "sqlite://" + (t->sqlite_dir_ / "test.db").string();
    auto db = store::Database::Open(t->url_, options);
    if (!db.ok()) {
      ADD_FAILURE() << db.status().ToString();
      return nullptr;
    }
    t->db_ = std::move(db).value();
    return t;
  }
  const char* url = std::getenv("TONGBAN_TEST_PG");
  if (url == nullptr || *url == '\0') return nullptr;
  // A fresh schema per test keeps tests independent on one server database.
  std::string schema = UniqueName("t");
  auto admin = store::Database::Open(url);
  if (!admin.ok()) {
    ADD_FAILURE() << admin.status().ToString();
    return nullptr;
  }
  Status s = (*admin)->Transact([&](store::Tx& tx) { return tx.ExecScript("CREATE SCHEMA " + schema); });
  if (!s.ok()) {
    ADD_FAILURE() << s.ToString();
    return nullptr;
  }
  std::string u(url);
  u += (u.find('?') == std::string::npos ? "?" : "&");
  u += "options=-csearch_path%3D" + schema;
  auto db = store::Database::Open(u, options);
  if (!db.ok()) {
    ADD_FAILURE() << db.status().ToString();
    return nullptr;
  }
  t->db_ = std::move(db).value();
  t->admin_ = std::move(admin).value();
  t->pg_name_ = schema;
  t->url_ = std::move(u);
  return t;
}

// The single number a query such as "SELECT COUNT(*) FROM t" answers (0, and a failure, on error).
inline int64_t CountRows(store::Database& db, std::string_view sql) {
  int64_t n = 0;
  EXPECT_TRUE(db.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow(std::string(sql), {}));
    n = row->Int64(0);
    return Status::Ok();
  }).ok());
  return n;
}

}  // namespace tongban::testing
