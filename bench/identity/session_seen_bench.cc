// What "my sessions" adds to every authenticated request: IdentityService::Authenticate of a
// session token (the cached HMAC check and the revocation set — today's cost) beside the same
// check plus SessionDirectory::Seen, which notes the session's use in memory (throttled: a
// session noted within the last 60 s costs one sharded map lookup; no database write). Run with
// several threads too, as the server's handler threads call it at once. docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "identity/identity_service.h"
#include "identity/session_directory.h"
#include "store/database.h"

namespace tongban::identity {
namespace {

constexpr std::string_view kUserAgent =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.230 Mobile Safari/537.36";

// One database, service and directory for the whole run, 64 sessions of one citizen.
struct World {
  SystemClock clock;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<IdentityService> identity;
  std::unique_ptr<SessionDirectory> sessions;
  std::vector<std::string> headers;
  std::vector<int64_t> session_ids;

  World() {
    auto opened = store::Database::Open("sqlite::memory:");
    if (!opened.ok()) std::abort();
    db = std::move(*opened);
    auto migrations = IdentityService::Migrations();
    for (auto& m : SessionDirectory::Migrations()) migrations.push_back(m);
    if (!store::Migrate(*db, migrations).ok()) std::abort();
    IdentityOptions options;
    options.password = crypto::PasswordParams::ForTestsOnly();
    identity = std::make_unique<IdentityService>(*db, clock, std::string(32, 'k'), options);
    if (!identity->CreateAccount({.login = "13800000001", .display_name = "张伟",
                                  .password = "correct horse"}).ok()) {
      std::abort();
    }
    sessions = std::make_unique<SessionDirectory>(*db, clock, *identity, RegionTable::Builtin());
    for (int i = 0; i < 64; ++i) {
      auto pair = identity->Login("13800000001", "correct horse");
      if (!pair.ok()) std::abort();
      headers.push_back("Bearer " + pair->access_token);
      session_ids.push_back(pair->session_id);
    }
  }
};

World& TheWorld() {
  static World* world = new World();
  return *world;
}

// Today's cost: the token checked, the principal built.
void BM_AuthenticateSession(benchmark::State& state) {
  World& w = TheWorld();
  size_t i = static_cast<size_t>(state.thread_index()) % w.headers.size();
  for (auto _ : state) {
    auto p = w.identity->Authenticate(w.headers[i]);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateSession)->Threads(1)->Threads(2);

// With the use noted (the authoriser of the identity part does this for every request).
void BM_AuthenticateSessionAndNoteUse(benchmark::State& state) {
  World& w = TheWorld();
  size_t i = static_cast<size_t>(state.thread_index()) % w.headers.size();
  for (auto _ : state) {
    auto p = w.identity->Authenticate(w.headers[i]);
    if (p.ok()) w.sessions->Seen(p->session_id, kUserAgent, "192.0.2.10");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateSessionAndNoteUse)->Threads(1)->Threads(2);

// The rare path: a session not noted within the throttle (device label and region worked out).
void BM_NoteUseUnthrottled(benchmark::State& state) {
  World& w = TheWorld();
  SessionDirectory fresh(*w.db, w.clock, *w.identity, RegionTable::Builtin(), /*throttle=*/0);
  for (auto _ : state) fresh.Seen(w.session_ids[0], kUserAgent, "192.0.2.10");
}
BENCHMARK(BM_NoteUseUnthrottled);

}  // namespace
}  // namespace tongban::identity

BENCHMARK_MAIN();
