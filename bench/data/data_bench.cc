// Bulk ingest of the public data platform without HTTP, on SQLite (synchronous=full, as `tongban
// init` configures it), beside the raw INSERT rate of the same database in the same run:
//
//   Push/people:N    record versions/s through DataService::Push: a synthetic county
//                    (data/synthetic.h) of N people per round, each dataset's lines one NDJSON push
//                    by its owner (parse, validate every element with the GB 11643 / GB 32100 check
//                    characters, look up the stored version, insert, one ledger queue row each);
//                    the sequencer not running (it integrates at ~200 k leaves/s, docs/ledger.md)
//   RawInsert/rows:N the baseline: the same records as prepared plain INSERTs (store::Batch) into
//                    a table of the same shape and indexes as data_record, N per transaction
//
//   build/bench/data/data_bench --benchmark_min_time=3
// Figures: docs/benchmarks.md, "Public data platform".
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "crypto/hmac.h"
#include "data/data_service.h"
#include "data/synthetic.h"
#include "ledger/log_storage.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::data {
namespace {

const std::filesystem::path& Dir() {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tongban-data-bench-" + std::to_string(getpid()));
  return dir;
}

struct Bench {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<DataService> service;
  std::map<std::string, Actor> owners;  // dataset -> its owner
  std::string error;
};

Bench Open(const std::string& name) {
  Bench b;
  std::filesystem::create_directories(Dir());
  auto db = store::Database::Open("sqlite://" + (Dir() / (name + ".db")).string() + "?synchronous=full");
  if (!db.ok()) {
    b.error = db.status().ToString();
    return b;
  }
  b.db = std::move(db).value();
  std::vector<store::Migration> m = ledger::LogStorageMigrations();
  for (auto& x : DataService::Migrations()) m.push_back(x);
  if (Status s = store::Migrate(*b.db, m); !s.ok()) {
    b.error = s.ToString();
    return b;
  }
  DataServiceOptions o;
  o.hash = crypto::HashAlgorithm::kSm3;
  o.subject_hash = [](std::string_view s) {
    return crypto::HmacDigest(crypto::HashAlgorithm::kSm3, std::string(32, 'k'), s);
  };
  static SystemClock clock;
  b.service = std::make_unique<DataService>(*b.db, clock, Catalogue::Builtin(), std::move(o));
  int64_t account = 1;
  for (const Dataset& d : Catalogue::Builtin().datasets()) b.owners[d.code] = Actor{account++, d.owner};
  return b;
}

SyntheticOptions County(uint64_t seed) {
  SyntheticOptions o;
  o.people = 100'000'000;  // rounds are drawn until the benchmark stops
  o.enterprises = 500;
  o.seed = seed;
  o.today = ChinaDate(SystemClock().Now());
  return o;
}

void Push(benchmark::State& state) {
  Bench b = Open("push");
  if (!b.error.empty()) return state.SkipWithError(b.error.c_str());
  SyntheticCounty county(County(1));
  for (SyntheticBatch e = county.NextEnterprises(500); !e.empty(); e = county.NextEnterprises(500)) {
    for (const auto& [dataset, lines] : e) {
      std::string body;
      for (const auto& l : lines) body += l + "\n";
      (void)b.service->Push(b.owners[dataset], dataset, body, true);
    }
  }
  int64_t rows = 0;
  std::string body;
  for (auto _ : state) {
    state.PauseTiming();
    const SyntheticBatch batch = county.NextPeople(state.range(0));
    std::vector<std::pair<std::string, std::string>> bodies;
    for (const auto& [dataset, lines] : batch) {
      body.clear();
      for (const auto& l : lines) body.append(l).push_back('\n');
      bodies.emplace_back(dataset, body);
    }
    state.ResumeTiming();
    for (const auto& [dataset, ndjson] : bodies) {
      auto r = b.service->Push(b.owners[dataset], dataset, ndjson, true);
      if (!r.ok() || !r->rejected.empty()) {
        return state.SkipWithError(r.ok() ? r->rejected.front().reason.c_str() : r.status().ToString().c_str());
      }
      rows += r->accepted;
    }
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  b.db.reset();
  std::filesystem::remove_all(Dir());
}

void RawInsert(benchmark::State& state) {
  Bench b = Open("raw");
  if (!b.error.empty()) return state.SkipWithError(b.error.c_str());
  Status s = b.db->Transact([](store::Tx& tx) {
    return tx.ExecScript(
        "CREATE TABLE bench_record (id INTEGER PRIMARY KEY, dataset TEXT NOT NULL, subject_id TEXT NOT NULL, "
        "record_key TEXT NOT NULL, version INTEGER NOT NULL, fields TEXT NOT NULL, owner TEXT NOT NULL, "
        "pushed_by INTEGER NOT NULL, created_at INTEGER NOT NULL, UNIQUE (dataset, record_key, version));"
        "CREATE INDEX bench_record_subject ON bench_record (subject_id, dataset, record_key, version);");
  });
  if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  struct Row {
    std::string dataset, subject, key, fields;
  };
  SyntheticCounty county(County(2));
  county.NextEnterprises(500);
  int64_t rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Row> pool;
    while (static_cast<int64_t>(pool.size()) < state.range(0)) {
      for (const auto& [dataset, lines] : county.NextPeople(1'000)) {
        for (const auto& l : lines) {
          const auto v = boost::json::parse(l).as_object();
          pool.push_back({dataset, std::string(v.at("subject").as_string()), std::string(v.at("key").as_string()),
                          boost::json::serialize(v.at("fields"))});
        }
      }
    }
    pool.resize(static_cast<size_t>(state.range(0)));
    state.ResumeTiming();
    s = b.db->Transact([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto stmt, tx.PrepareBatch(
                                         "INSERT INTO bench_record (dataset, subject_id, record_key, version, "
                                         "fields, owner, pushed_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
      for (const Row& r : pool) {
        TB_RETURN_IF_ERROR(stmt->Add({r.dataset, r.subject, r.key, int64_t{1}, r.fields, b.owners[r.dataset].department,
                                      b.owners[r.dataset].account_id, int64_t{1796601600}}));
      }
      return stmt->Finish().status();
    });
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
    rows += state.range(0);
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  b.db.reset();
  std::filesystem::remove_all(Dir());
}

BENCHMARK(Push)->ArgName("people")->Arg(5'000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(RawInsert)->ArgName("rows")->Arg(20'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tongban::data

BENCHMARK_MAIN();
