// What every part must do, checked for each part of the list (cli/parts.cc) by name, so a part
// added to the list is checked without anyone adding it here:
//   - its migrations (after those of the parts before it) apply from empty and again without
//     change, on SQLite and PostgreSQL, ending at its newest version;
//   - its config section refuses an unknown key, naming "section.key", and its section of the
//     file `tongban init` writes reads back;
//   - every route it registers names an operation, a summary and who may call it, and is in the
//     table `serve` wires (cli/api_wiring.h), which tests/cli/route_policy_test.cc walks with
//     missing, forged and expired credentials (401) and every demo role (403);
//   - its workers, started and stopped, leave no thread behind (and the whole program's too).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "api/dispatcher.h"
#include "cli/api_wiring.h"
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/parts.h"
#include "part/config_section.h"
#include "store/migration.h"
#include "testing/databases.h"

namespace tongban::cli {
namespace {

namespace fs = std::filesystem;
using tongban::testing::Backend;

std::vector<std::string> PartNames() {
  std::vector<std::string> names;
  for (const auto& p : MakeParts()) names.emplace_back(p->name());
  return names;
}

// The program's own migrations and those of the parts up to and including `name`, in list order.
std::vector<store::Migration> MigrationsThrough(const std::string& name, std::string* section) {
  std::vector<store::Migration> out = api::IdempotencyStore::Migrations();
  for (const auto& p : MakeParts()) {
    for (auto& m : p->Migrations()) out.push_back(std::move(m));
    if (p->name() == name) {
      *section = std::string(p->config_section());
      break;
    }
  }
  return out;
}

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

size_t ThreadCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// A deployment folder made by `tongban init` (keys, config, migrated database), per test.
class Deployment {
 public:
  explicit Deployment(const std::string& name)
      : dir_(fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    EXPECT_EQ(RunInit(InitOptions{.dir = dir_, .suite = "intl", .origin = name + ".test/log"}), 0);
    auto config = LoadConfig(dir_ / "tongban.toml");
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (config.ok()) config_ = *config;
  }
  ~Deployment() { fs::remove_all(dir_); }
  const Config& config() const { return config_; }

 private:
  fs::path dir_;
  Config config_;
};

class PartMigrationsTest : public ::testing::TestWithParam<std::tuple<std::string, Backend>> {};

TEST_P(PartMigrationsTest, ApplyFromEmptyAndAgainWithoutChange) {
  const auto& [name, backend] = GetParam();
  auto db = tongban::testing::OpenTestDatabase(backend);
  if (!db) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
  std::string section;
  const std::vector<store::Migration> migrations = MigrationsThrough(name, &section);
  std::map<std::string, int> newest;
  for (const auto& m : migrations) newest[m.part] = std::max(newest[m.part], m.version);

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

std::string MigrationTestName(const ::testing::TestParamInfo<std::tuple<std::string, Backend>>& info) {
  return std::get<0>(info.param) + "_" +
         tongban::testing::BackendName(::testing::TestParamInfo<Backend>(std::get<1>(info.param), 0));
}

INSTANTIATE_TEST_SUITE_P(EveryPart, PartMigrationsTest,
                         ::testing::Combine(::testing::ValuesIn(PartNames()),
                                            ::testing::Values(Backend::kSqlite, Backend::kPostgres)),
                         MigrationTestName);

class PartTest : public ::testing::TestWithParam<std::string> {
 protected:
  part::Part& Fresh() {
    parts_ = MakeParts();
    for (auto& p : parts_) {
      if (p->name() == GetParam()) return *p;
    }
    ADD_FAILURE() << GetParam() << " is not in the list";
    return *parts_.front();
  }
  std::vector<std::unique_ptr<part::Part>> parts_;
};

TEST_P(PartTest, ConfigSectionRefusesAnUnknownKey) {
  part::Part& p = Fresh();
  const std::string section(p.config_section());
  auto config = ParseConfig("[" + section + "]\nno_such_option = 1\n", ".");
  ASSERT_FALSE(config.ok()) << section;
  ASSERT_FALSE(config.status().fields().empty()) << config.status().ToString();
  EXPECT_EQ(config.status().fields()[0].field, section + ".no_such_option");
  // Its part of the file `tongban init` writes is a section of its own that reads back.
  const std::string text = p.DefaultConfig(part::InitChoices{"intl", "conformance.test/log"});
  if (!text.empty()) {
    EXPECT_TRUE(text.starts_with("[" + section + "]\n")) << text;
    auto parsed = part::ParseToml(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    auto table = part::SectionOf(*parsed, section);
    ASSERT_TRUE(table.ok() && *table != nullptr);
    part::ConfigSection s(section, *table);
    EXPECT_TRUE(p.Configure(s).ok());
    EXPECT_TRUE(s.Finish().ok()) << s.Finish().ToString();
  }
}

TEST_P(PartTest, EveryRouteIsDescribedAndInTheServedTable) {
  Deployment deployment("tongban-conformance-routes");
  auto app = App::Open(deployment.config());
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  api::Dispatcher served("test");
  WireApi(**app, served);
  std::set<std::pair<std::string, std::string>> table;
  std::set<std::string> operations;
  for (const api::Route& r : served.router().routes()) {
    table.insert({r.method, r.pattern});
    EXPECT_TRUE(operations.insert(r.operation_id).second) << "operation id twice: " << r.operation_id;
  }
  part::Part* p = (*app)->parts().FindByName(GetParam());
  ASSERT_NE(p, nullptr);
  api::Router own;
  p->AddRoutes(own);
  for (const api::Route& r : own.routes()) {
    const std::string what = GetParam() + ": " + r.method + " " + r.pattern;
    EXPECT_TRUE(table.contains({r.method, r.pattern})) << what << " is not served";
    EXPECT_FALSE(r.operation_id.empty()) << what;
    EXPECT_FALSE(r.summary.empty()) << what;
    EXPECT_TRUE(r.access.is_public || !r.access.roles.empty()) << what << " names nobody who may call it";
    EXPECT_TRUE(r.pattern.starts_with("/api/v1/") || r.pattern.starts_with("/ledger/")) << what;
    // The contract in the route (api/router.h): a JSON answer has its schema, and every schema
    // is a JSON object (its named components are checked by Redocly and Ajv in the contract tests).
    if (r.response_type == "application/json") {
      EXPECT_FALSE(r.response_schema.empty()) << what << " answers JSON without a schema";
    }
    for (const std::string* schema : {&r.request_schema, &r.response_schema}) {
      if (schema->empty()) continue;
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(*schema, ec);
      EXPECT_TRUE(!ec && v.is_object()) << what << ": a schema is not a JSON object: " << *schema;
    }
  }
  for (const auto& [name, text] : own.schemas()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    EXPECT_TRUE(!ec && v.is_object()) << GetParam() << ": schema " << name << " is not a JSON object";
  }
}

TEST_P(PartTest, WorkersLeaveNoThreadBehind) {
  Deployment deployment("tongban-conformance-workers");
  auto app = App::Open(deployment.config());
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  part::Part* p = (*app)->parts().FindByName(GetParam());
  ASSERT_NE(p, nullptr);
  const size_t before = ThreadCount();
  ASSERT_TRUE(p->Start().ok());
  ASSERT_TRUE(p->Stop().ok());
  EXPECT_EQ(ThreadCount(), before);
}

INSTANTIATE_TEST_SUITE_P(EveryPart, PartTest, ::testing::ValuesIn(PartNames()),
                         [](const auto& info) { return info.param; });

TEST(ProgramWorkers, StartAndStopLeaveNoThreadBehind) {
  Deployment deployment("tongban-workers");
  const size_t before = ThreadCount();
  for (int round = 0; round < 2; ++round) {  // and again: a restart in the same process
    auto app = App::Open(deployment.config());
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    ASSERT_TRUE((*app)->Start().ok());
    EXPECT_GT(ThreadCount(), before);  // the workers run
    ASSERT_TRUE((*app)->Stop().ok());
    app->reset();
    EXPECT_EQ(ThreadCount(), before) << "round " << round;
  }
}

TEST(PartsList, NamesAreUniqueAndTheSectionsDistinct) {
  std::set<std::string> names, sections;
  for (const auto& p : MakeParts()) {
    EXPECT_TRUE(names.insert(std::string(p->name())).second) << p->name();
    EXPECT_TRUE(sections.insert(std::string(p->config_section())).second) << p->config_section();
    EXPECT_FALSE(sections.contains("server") || sections.contains("database") || sections.contains("log"));
  }
  EXPECT_GE(names.size(), 4u);
}

}  // namespace
}  // namespace tongban::cli
