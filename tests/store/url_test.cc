// Database::Open: URLs, bad URLs, missing folders and unreachable servers. No server needed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/database.h"

namespace tongban::store {
namespace {

TEST(DatabaseOpen, MalformedUrlsAreInvalidArgument) {
  for (const char* url : {"", "mysql://localhost/db", "sqlite:", "sqlite:/x.db", "sqlite://",
                          "sqlite:///", "sqlite://x.db?bogus=1", "sqlite://x.db?pool_size=-1",
                          "sqlite://x.db?synchronous=maybe", "sqlite://x.db?busy_timeout_ms=1&busy_timeout_ms=2",
                          "sqlite://x%zz.db", "postgresql://localhost/db?pool_size=abc",
                          "postgresql://localhost/db?isolation=chaos",
                          "postgresql://localhost/db?schema=Bad-Name",
                          "postgresql://localhost/db?no_such_libpq_option=1",
                          "postgresql://[::1/db"}) {
    auto db = Database::Open(url);
    ASSERT_FALSE(db.ok()) << url;
    EXPECT_EQ(db.status().code(), ErrorCode::kInvalidArgument) << url << " " << db.status().ToString();
    EXPECT_NE(db.status().message().find("URL"), std::string::npos) << db.status().message();
  }
}

TEST(DatabaseOpen, MissingFolderIsInvalidArgument) {
  auto db = Database::Open("sqlite:///nonexistent-tongban-dir/sub/tongban.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(db.status().message().find("/nonexistent-tongban-dir/sub"), std::string::npos)
      << db.status().message();
}

TEST(DatabaseOpen, UnopenableFileIsUnavailable) {
  // A folder where the file should be.
  auto dir = std::filesystem::temp_directory_path() / ("tongban-url-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "tongban.db");
  auto db = Database::Open("sqlite://" + (dir / "tongban.db").string());
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kUnavailable) << db.status().ToString();
}

TEST(DatabaseOpen, ConnectionRefusedIsUnavailable) {
  // Port 1 on the loopback: nothing listens there.
  auto db = Database::Open("postgresql://postgres@127.0.0.1:1/tongban?connect_timeout=2");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kUnavailable) << db.status().ToString();
  EXPECT_NE(db.status().detail().find("127.0.0.1"), std::string::npos) << db.status().detail();
}

TEST(DatabaseOpen, RelativeAndMemoryUrlsOpen) {
  auto dir = std::filesystem::temp_directory_path() / ("tongban-rel-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  {
    auto db = Database::Open("sqlite://rel.db?pool_size=2&busy_timeout_ms=100&synchronous=full");
    ASSERT_TRUE(db.ok()) << db.status().ToString() << db.status().detail();
    EXPECT_EQ((*db)->dialect(), Dialect::kSqlite);
    ASSERT_TRUE((*db)->Transact([](Tx& tx) { return tx.ExecScript("CREATE TABLE t (k INTEGER)"); }).ok());
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "rel.db"));
  std::filesystem::current_path(old);
  std::filesystem::remove_all(dir);

  auto mem = Database::Open("sqlite::memory:");
  ASSERT_TRUE(mem.ok()) << mem.status().ToString();
  Status s = (*mem)->Transact([](Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(tx.ExecScript("CREATE TABLE t (k INTEGER); INSERT INTO t VALUES (7);"));
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = (*mem)->Read([](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT k FROM t"));
    EXPECT_EQ(row->Int64(0), 7);
    EXPECT_FALSE(tx.Exec("INSERT INTO t VALUES (8)").ok());  // read-only
    return Status::Ok();
  });
  EXPECT_FALSE(s.ok());  // the failed write fails the read transaction
  s = (*mem)->Transact([](Tx& tx) { return tx.Exec("INSERT INTO t VALUES (9)").status(); });
  EXPECT_TRUE(s.ok()) << "the writer is writable again after a read: " << s.detail();
}

}  // namespace
}  // namespace tongban::store
