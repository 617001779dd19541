// What every part must do, checked for all of them at once (issue 16 item 5, the part that does
// not wait for the Part interface): the program's migrations apply from empty and again without
// change, on SQLite and PostgreSQL, each part ending at its newest version; and the program's
// background workers (sequencer, wallet indexer, SQLite checkpointer) leave no thread behind
// when it stops.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "store/migration.h"
#include "testing/databases.h"

namespace tongban::cli {
namespace {

using tongban::testing::Backend;

int64_t MigrationRows(store::Database& db) {
  int64_t n = -1;
  Status s = db.Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*) FROM schema_migrations"));
    n = row ? row->Int64(0) : -1;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return n;
}

class PartsConformanceTest : public ::testing::TestWithParam<Backend> {};

TEST_P(PartsConformanceTest, MigrationsApplyFromEmptyAndAgainWithoutChange) {
  auto db = tongban::testing::OpenTestDatabase(GetParam());
  if (!db) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
  const std::vector<store::Migration> migrations = App::Migrations();
  std::map<std::string, int> newest;
  for (const auto& m : migrations) newest[m.part] = std::max(newest[m.part], m.version);
  EXPECT_GE(newest.size(), 5u);

  Status first = store::Migrate(**db, migrations);
  ASSERT_TRUE(first.ok()) << first.ToString() << " " << first.detail();
  EXPECT_EQ(MigrationRows(**db), static_cast<int64_t>(migrations.size()));
  for (const auto& [part, version] : newest) {
    auto applied = store::AppliedVersion(**db, part);
    ASSERT_TRUE(applied.ok()) << part;
    EXPECT_EQ(*applied, version) << part;
  }
  // Again, as every start does: nothing applied twice, nothing fails.
  Status again = store::Migrate(**db, migrations);
  ASSERT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(MigrationRows(**db), static_cast<int64_t>(migrations.size()));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, PartsConformanceTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, PartsConformanceTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

size_t ThreadCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

TEST(PartsWorkers, StartAndStopLeaveNoThreadBehind) {
  auto dir = std::filesystem::temp_directory_path() / ("tongban-workers-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ASSERT_EQ(RunInit(InitOptions{.dir = dir, .suite = "intl", .origin = "workers.test/log"}), 0);
  auto config = LoadConfig(dir / "tongban.toml");
  ASSERT_TRUE(config.ok());
  const size_t before = ThreadCount();
  for (int round = 0; round < 2; ++round) {  // and again: a restart in the same process
    auto app = App::Open(*config);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    ASSERT_TRUE((*app)->Start().ok());
    EXPECT_GT(ThreadCount(), before);  // the workers run
    ASSERT_TRUE((*app)->Stop().ok());
    app->reset();
    EXPECT_EQ(ThreadCount(), before) << "round " << round;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tongban::cli
