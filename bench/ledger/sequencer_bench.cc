// Sequencer throughput on each store driver: leaves/s appended in batches of 1, 100 and 10,000,
// beside the raw insert rate of the same database measured here the same way (plain prepared
// INSERTs of 32 + 100-byte rows, N per transaction). Also inclusion proofs/s served from stored
// tiles. PostgreSQL runs only when TONGBAN_TEST_PG names a server (scripts/pg-tmp).
//
//   Integrate/<db>/<suite>/batch:N        queue pre-filled (untimed), then IntegrateOnce (timed):
//                                         the sequencer's own cost per leaf
//   EnqueueIntegrate/<db>/<suite>/batch:N one caller transaction enqueueing N entries, then the
//                                         batch: the whole path of a leaf
//   RawInsert/<db>/rows:N                 the database's own bound
//   IndexLeaves/<db>                      the leaf-hash index, 100,000 leaves per IndexOnce
//   ProofFromStorage/<db>/<suite>         LogReader::InclusionProof on a 100,000-leaf log
//
// Each Integrate line also reports the mean microseconds per batch spent in each step (us_read,
// us_hash, us_entries, us_tiles, us_sign, us_cp, us_dequeue, us_state; COMMIT is the rest).
// SEQ_BENCH_CACHE=<n> runs `PRAGMA cache_size = <n>` on the SQLite writer first (e.g. -262144 for
// 256 MiB), to show what the page cache costs a 10,000-leaf batch.
// Figures and the command: docs/ledger.md, "Sequencer and storage".
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "crypto/key.h"
#include "ledger/log_reader.h"
#include "ledger/log_storage.h"
#include "ledger/note_keys.h"
#include "ledger/sequencer.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::ledger {
namespace {

enum class Db { kSqlite, kPostgres };

std::string NewUrl(Db db) {
  static int counter = 0;
  const std::string name = "seqbench_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  if (db == Db::kSqlite) {
    const auto dir = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(dir);
    return "sqlite://" + (dir / "ledger.db").string();
  }
  std::string pg = std::getenv("TONGBAN_TEST_PG");
  return pg + (pg.find('?') == std::string::npos ? "?" : "&") + "schema=" + name;
}

void Cleanup(Db db, const std::string& url) {
  if (db == Db::kSqlite) {
    std::filesystem::remove_all(std::filesystem::path(url.substr(9)).parent_path());
  }
  // PostgreSQL schemas are left in the throwaway cluster.
}

// A fresh log on a fresh database.
struct BenchLog {
  std::string url;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<NoteSigner> signer;
  std::unique_ptr<Sequencer> seq;
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::kSm3;
  std::string error;
  uint64_t next = 0;
};

// Where a batch's time goes: the fault-injection hook, used as a probe, stamps each step.
struct StepClock {
  std::chrono::steady_clock::time_point last;
  double micros[kIntegrateSteps] = {};
};

BenchLog OpenLog(Db which, bool gm, size_t max_batch, StepClock* steps = nullptr) {
  BenchLog b;
  b.url = NewUrl(which);
  b.hash = gm ? crypto::HashAlgorithm::kSm3 : crypto::HashAlgorithm::kSha256;
  auto db = store::Database::Open(b.url);
  if (!db.ok()) {
    b.error = db.status().ToString() + " " + db.status().detail();
    return b;
  }
  b.db = std::move(*db);
  Status s = store::Migrate(*b.db, LogStorageMigrations());
  if (!s.ok()) {
    b.error = s.ToString() + " " + s.detail();
    return b;
  }
  if (const char* cs = std::getenv("SEQ_BENCH_CACHE"); cs != nullptr && which == Db::kSqlite) {
    (void)b.db->Transact([&](store::Tx& tx) {
      return tx.ExecScript(std::string("PRAGMA cache_size = ") + cs);
    });
  }
  auto key = crypto::PrivateKey::Generate(gm ? crypto::SignatureAlgorithm::kSm2
                                             : crypto::SignatureAlgorithm::kEd25519);
  const std::string origin = gm ? "bench.tongban/gm" : "bench.tongban/intl";
  b.signer = std::move(NewNoteSigner(origin, *key)).value();
  SequencerOptions o;
  o.origin = origin;
  o.hash = b.hash;
  o.signers = {b.signer.get()};
  o.max_batch = max_batch;
  if (steps != nullptr) {
    o.fault_hook = [steps](IntegrateStep step) {
      const auto now = std::chrono::steady_clock::now();
      steps->micros[static_cast<int>(step)] +=
          std::chrono::duration<double, std::micro>(now - steps->last).count();
      steps->last = now;
      return Status::Ok();
    };
  }
  auto seq = Sequencer::Create(*b.db, o);
  if (!seq.ok()) {
    b.error = seq.status().ToString() + " " + seq.status().detail();
    return b;
  }
  b.seq = std::move(*seq);
  return b;
}

Entry MakeEntry(crypto::HashAlgorithm hash, uint64_t i) {
  Entry e;
  e.type = "receipt.issue";
  for (size_t k = 0; k < 8; ++k) e.subject[k] = static_cast<uint8_t>(i >> (8 * k));
  e.document = crypto::Hash(hash, std::string_view(reinterpret_cast<const char*>(&i), sizeof i));
  e.time_micros = 1'700'000'000'000'000 + static_cast<int64_t>(i);
  return e;
}

Status EnqueueN(BenchLog& b, uint64_t n) {
  std::vector<Entry> entries;
  entries.reserve(n);
  for (uint64_t i = 0; i < n; ++i) entries.push_back(MakeEntry(b.hash, b.next + i));
  Status s = b.db->Transact([&](store::Tx& tx) { return EnqueueEntries(tx, entries); });
  if (s.ok()) b.next += n;
  return s;
}

void Fail(benchmark::State& state, const Status& s) {
  state.SkipWithError((s.ToString() + " " + s.detail()).c_str());
}

// state.range(0) = batch size; `enqueue_timed` includes the caller's enqueue transaction.
void Integrate(benchmark::State& state, Db which, bool gm, bool enqueue_timed) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  StepClock steps;
  BenchLog b = OpenLog(which, gm, n, &steps);
  if (!b.error.empty()) {
    state.SkipWithError(b.error.c_str());
    return;
  }
  uint64_t leaves = 0;
  for (auto _ : state) {
    if (!enqueue_timed) state.PauseTiming();
    Status s = EnqueueN(b, n);
    if (!enqueue_timed) state.ResumeTiming();
    if (!s.ok()) {
      Fail(state, s);
      break;
    }
    steps.last = std::chrono::steady_clock::now();
    Result<BatchResult> r = b.seq->IntegrateOnce();
    if (!r.ok() || r->count != n) {
      Fail(state, r.ok() ? Status::Internal("short batch") : r.status());
      break;
    }
    leaves += n;
  }
  state.counters["leaves/s"] = benchmark::Counter(static_cast<double>(leaves),
                                                  benchmark::Counter::kIsRate);
  state.counters["tree"] = static_cast<double>(b.seq ? b.seq->size() : 0);
  // Mean microseconds per batch in each step (the read step includes BEGIN and the state read;
  // COMMIT comes after the last step and is not in these).
  static const char* kStepNames[kIntegrateSteps] = {"us_read", "us_hash", "us_entries", "us_tiles",
                                                    "us_sign", "us_cp", "us_dequeue", "us_state"};
  const double batches = std::max<double>(1, static_cast<double>(state.iterations()));
  for (int i = 0; i < kIntegrateSteps; ++i) {
    state.counters[kStepNames[i]] = steps.micros[i] / batches;
  }
  b.seq.reset();
  b.db.reset();
  Cleanup(which, b.url);
}

// Raw insert rate of the same database: N plain prepared INSERTs of (id, 32-byte hash, 100-byte
// body) in one transaction, through the same store::Batch the sequencer writes with.
void RawInsert(benchmark::State& state, Db which) {
  const int64_t n = state.range(0);
  const std::string url = NewUrl(which);
  auto db = store::Database::Open(url);
  if (!db.ok()) {
    Fail(state, db.status());
    return;
  }
  Status s = (*db)->Transact([&](store::Tx& tx) {
    const bool pg = tx.dialect() == store::Dialect::kPostgres;
    return tx.ExecScript(std::string("CREATE TABLE raw_row (id ") +
                         (pg ? "BIGINT PRIMARY KEY, hash BYTEA NOT NULL, body BYTEA NOT NULL)"
                             : "INTEGER PRIMARY KEY, hash BLOB NOT NULL, body BLOB NOT NULL)"));
  });
  if (!s.ok()) {
    Fail(state, s);
    return;
  }
  std::string hash(32, '\x5a'), body(100, '\xa5');
  int64_t next = 0;
  for (auto _ : state) {
    s = (*db)->Transact([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto batch,
                          tx.PrepareBatch("INSERT INTO raw_row (id, hash, body) VALUES (?, ?, ?)"));
      for (int64_t i = 0; i < n; ++i) {
        hash[0] = static_cast<char>(i);
        TB_RETURN_IF_ERROR(batch->Add({next + i, store::Param::Blob(hash),
                                       store::Param::Blob(body)}));
      }
      return batch->Finish().status();
    });
    if (!s.ok()) {
      Fail(state, s);
      break;
    }
    next += n;
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(next),
                                                benchmark::Counter::kIsRate);
  db->reset();
  Cleanup(which, url);
}

// The leaf-hash index, built after integration: per iteration 100,000 leaves are integrated
// (untimed) and then indexed by one IndexOnce (timed).
void IndexLeaves(benchmark::State& state, Db which) {
  constexpr uint64_t kBatch = 100'000;
  BenchLog b = OpenLog(which, /*gm=*/false, kBatch);
  if (!b.error.empty()) {
    state.SkipWithError(b.error.c_str());
    return;
  }
  uint64_t leaves = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Status s = EnqueueN(b, kBatch);
    if (s.ok()) s = b.seq->IntegrateOnce().status();
    state.ResumeTiming();
    Result<uint64_t> added = s.ok() ? b.seq->IndexOnce() : Result<uint64_t>(s);
    if (!added.ok() || *added != kBatch) {
      Fail(state, added.ok() ? Status::Internal("short index batch") : added.status());
      break;
    }
    leaves += kBatch;
  }
  state.counters["leaves/s"] = benchmark::Counter(static_cast<double>(leaves),
                                                  benchmark::Counter::kIsRate);
  b.seq.reset();
  b.db.reset();
  Cleanup(which, b.url);
}

void ProofFromStorage(benchmark::State& state, Db which, bool gm) {
  constexpr uint64_t kSize = 100'000;
  BenchLog b = OpenLog(which, gm, kSize);
  if (!b.error.empty()) {
    state.SkipWithError(b.error.c_str());
    return;
  }
  Status s = EnqueueN(b, kSize);
  if (s.ok()) s = b.seq->IntegrateOnce().status();
  if (!s.ok()) {
    Fail(state, s);
    return;
  }
  LogReader reader(*b.db, b.hash);
  uint64_t i = 0;
  for (auto _ : state) {
    auto p = reader.InclusionProof((i * 7919) % kSize, kSize);
    if (!p.ok()) {
      Fail(state, p.status());
      break;
    }
    benchmark::DoNotOptimize(p->proof.data());
    ++i;
  }
  state.counters["proofs/s"] = benchmark::Counter(static_cast<double>(i),
                                                  benchmark::Counter::kIsRate);
  b.seq.reset();
  b.db.reset();
  Cleanup(which, b.url);
}

void RegisterAll(Db which, const std::string& db_name) {
  for (bool gm : {true, false}) {
    const std::string suite = gm ? "gm" : "intl";
    benchmark::RegisterBenchmark(("Integrate/" + db_name + "/" + suite).c_str(),
                                 [=](benchmark::State& s) { Integrate(s, which, gm, false); })
        ->ArgName("batch")->Arg(1)->Arg(100)->Arg(10000)
        ->Unit(benchmark::kMicrosecond)->UseRealTime();
    benchmark::RegisterBenchmark(("EnqueueIntegrate/" + db_name + "/" + suite).c_str(),
                                 [=](benchmark::State& s) { Integrate(s, which, gm, true); })
        ->ArgName("batch")->Arg(1)->Arg(100)->Arg(10000)
        ->Unit(benchmark::kMicrosecond)->UseRealTime();
    benchmark::RegisterBenchmark(("ProofFromStorage/" + db_name + "/" + suite).c_str(),
                                 [=](benchmark::State& s) { ProofFromStorage(s, which, gm); })
        ->Unit(benchmark::kMicrosecond)->UseRealTime();
  }
  benchmark::RegisterBenchmark(("IndexLeaves/" + db_name).c_str(),
                               [=](benchmark::State& s) { IndexLeaves(s, which); })
      ->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark(("RawInsert/" + db_name).c_str(),
                               [=](benchmark::State& s) { RawInsert(s, which); })
      ->ArgName("rows")->Arg(1)->Arg(100)->Arg(10000)
      ->Unit(benchmark::kMicrosecond)->UseRealTime();
}

}  // namespace
}  // namespace tongban::ledger

int main(int argc, char** argv) {
  using tongban::ledger::Db;
  benchmark::Initialize(&argc, argv);
  tongban::ledger::RegisterAll(Db::kSqlite, "sqlite");
  const char* pg = std::getenv("TONGBAN_TEST_PG");
  if (pg != nullptr && *pg != '\0') tongban::ledger::RegisterAll(Db::kPostgres, "postgres");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
