// What acting for someone adds to a request (identity/attorney.h): the authoriser's
// AttorneyService::Act — one indexed read of the power of attorney with both accounts, the use
// inserted and the principal's once-a-day notice offered to the outbox (a repeat of the day's
// event id is ignored), in one transaction — beside a refusal (read only, nothing written) and
// the plain session check every request already pays. On a SQLite file (WAL), as `tongban serve`
// runs by default. docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include "identity/attorney.h"
#include "identity/identity_service.h"
#include "notify/outbox.h"
#include "store/database.h"

namespace tongban::identity {
namespace {

struct World {
  SystemClock clock;
  std::filesystem::path dir;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<IdentityService> identity;
  std::unique_ptr<AttorneyService> attorneys;
  std::string header;
  int64_t son = 0;
  int64_t attorney = 0;

  World() {
    dir = std::filesystem::temp_directory_path() / ("tongban-attorney-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto opened = store::Database::Open("sqlite://" + (dir / "bench.db").string());
    if (!opened.ok()) std::abort();
    db = std::move(*opened);
    auto migrations = IdentityService::Migrations();
    for (auto& m : AttorneyService::Migrations()) migrations.push_back(m);
    for (auto& m : notify::Migrations()) migrations.push_back(m);
    if (!store::Migrate(*db, migrations).ok()) std::abort();
    IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity = std::make_unique<IdentityService>(*db, clock, std::string(32, 'k'), options);
    attorneys = std::make_unique<AttorneyService>(*db, clock);
    auto mother = identity->CreateAccount({.login = "13800000021", .display_name = "王秀英",
                                           .subject_id = "330106194803050264"});
    auto s = identity->CreateAccount({.login = "13800000022", .display_name = "刘建国",
                                      .subject_id = "330106197506110316", .password = "correct horse"});
    if (!mother.ok() || !s.ok()) std::abort();
    son = *s;
    auto a = attorneys->Create({.principal_account = *mother, .agent_login = "13800000022",
                                .scopes = {"receipts.view"},
                                .valid_until = attorneys->NowSeconds() + 30 * 86400,
                                .created_by = *mother});
    if (!a.ok()) std::abort();
    attorney = a->id;
    auto pair = identity->Login("13800000022", "correct horse");
    if (!pair.ok()) std::abort();
    header = "Bearer " + pair->access_token;
  }
  ~World() { std::filesystem::remove_all(dir); }
};

World& TheWorld() {
  static World* world = new World();
  return *world;
}

// Every authenticated request today: the session token checked.
void BM_AuthenticateSession(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) benchmark::DoNotOptimize(w.identity->Authenticate(w.header));
}
BENCHMARK(BM_AuthenticateSession);

// An acting request: the token, then the power of attorney checked and its use recorded.
void BM_AuthenticateAndAct(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    auto p = w.identity->Authenticate(w.header);
    auto acting = w.attorneys->Act(w.attorney, w.son, "receipts.view", "listMyReceipts", "GET");
    if (!acting.ok()) state.SkipWithError("refused");
    benchmark::DoNotOptimize(acting);
  }
}
BENCHMARK(BM_AuthenticateAndAct)->UseRealTime();

// Beyond its scope: refused after the read, nothing written.
void BM_ActRefused(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    auto acting = w.attorneys->Act(w.attorney, w.son, "licenses.view", "listMyLicenses", "GET");
    benchmark::DoNotOptimize(acting);
  }
}
BENCHMARK(BM_ActRefused)->UseRealTime();

}  // namespace
}  // namespace tongban::identity

BENCHMARK_MAIN();
