// Raw insert rate of each store driver: prepared INSERTs of rows of a 32-byte hash and a
// 100-byte body, N rows in one transaction, through store::Batch (the path the ledger sequencer
// uses) and through plain Tx::Exec. Reports rows/s. The PostgreSQL benchmarks are registered only
// when TONGBAN_TEST_PG names a server (scripts/pg-tmp). Figures: docs/store.md.
//
//   build/bench/store/store_insert_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/database.h"

namespace tongban::store {
namespace {

struct BenchDb {
  std::unique_ptr<Database> db;
  std::string error;
  int64_t next_id = 0;
};

std::filesystem::path TempDir() {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tongban-store-bench-" + std::to_string(getpid()));
  return dir;
}

BenchDb OpenBench(Dialect dialect) {
  BenchDb b;
  std::string url;
  if (dialect == Dialect::kSqlite) {
    std::filesystem::remove_all(TempDir());
    std::filesystem::create_directories(TempDir());
    url = "sqlite://" + (TempDir() / "bench.db").string();
  } else {
    std::string pg = std::getenv("TONGBAN_TEST_PG");
    url = pg + (pg.find('?') == std::string::npos ? "?" : "&") + "schema=bench_" +
          std::to_string(getpid());
  }
  auto db = Database::Open(url);
  if (!db.ok()) {
    b.error = db.status().ToString() + " " + db.status().detail();
    return b;
  }
  b.db = std::move(db).value();
  Status s = b.db->Transact([&](Tx& tx) {
    // SQLite: INTEGER PRIMARY KEY is the rowid itself, no separate index.
    bool pg = dialect == Dialect::kPostgres;
    std::string id = pg ? "BIGINT PRIMARY KEY" : "INTEGER PRIMARY KEY";
    std::string blob = pg ? "BYTEA" : "BLOB";
    return tx.ExecScript("DROP TABLE IF EXISTS bench_row; CREATE TABLE bench_row (id " + id +
                         ", hash " + blob + " NOT NULL, body " + blob + " NOT NULL)");
  });
  if (!s.ok()) b.error = s.ToString() + " " + s.detail();
  return b;
}

void CloseBench(BenchDb& b, Dialect dialect) {
  if (b.db != nullptr && dialect == Dialect::kPostgres) {
    (void)b.db->Transact([](Tx& tx) { return tx.ExecScript("DROP TABLE IF EXISTS bench_row"); });
  }
  b.db.reset();
  if (dialect == Dialect::kSqlite) std::filesystem::remove_all(TempDir());
}

constexpr char kInsert[] = "INSERT INTO bench_row (id, hash, body) VALUES (?, ?, ?)";
// Not a plain INSERT: on PostgreSQL a Batch of it is pipelined instead of streamed by COPY.
constexpr char kUpsert[] =
    "INSERT INTO bench_row (id, hash, body) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING";

// state.range(0) rows per transaction; state.range(1): 0 = Tx::Exec per row, 1 = Batch of a
// plain INSERT (PostgreSQL: COPY), 2 = Batch of an INSERT ... ON CONFLICT (PostgreSQL: pipeline).
void Insert(benchmark::State& state, Dialect dialect) {
  BenchDb b = OpenBench(dialect);
  if (!b.error.empty()) {
    state.SkipWithError(b.error.c_str());
    return;
  }
  const int64_t rows = state.range(0);
  const bool batch = state.range(1) != 0;
  const char* sql = state.range(1) == 2 ? kUpsert : kInsert;
  std::string hash(32, '\x5a'), body(100, '\xa5');
  for (auto _ : state) {
    Status s = b.db->Transact([&](Tx& tx) -> Status {
      if (batch) {
        TB_ASSIGN_OR_RETURN(auto stmt, tx.PrepareBatch(sql));
        for (int64_t i = 0; i < rows; ++i) {
          hash[0] = static_cast<char>(i);
          TB_RETURN_IF_ERROR(stmt->Add({b.next_id + i, Param::Blob(hash), Param::Blob(body)}));
        }
        return stmt->Finish().status();
      }
      for (int64_t i = 0; i < rows; ++i) {
        hash[0] = static_cast<char>(i);
        TB_RETURN_IF_ERROR(
            tx.Exec(kInsert, {b.next_id + i, Param::Blob(hash), Param::Blob(body)}).status());
      }
      return Status::Ok();
    });
    if (!s.ok()) {
      state.SkipWithError((s.ToString() + " " + s.detail()).c_str());
      break;
    }
    b.next_id += rows;
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(b.next_id), benchmark::Counter::kIsRate);
  CloseBench(b, dialect);
}

void Register(const char* name, Dialect dialect) {
  benchmark::RegisterBenchmark(name, [dialect](benchmark::State& s) { Insert(s, dialect); })
      ->ArgNames({"rows", "batch"})
      ->Args({1000, 1})
      ->Args({100000, 1})
      ->Args({100000, 2})
      ->Args({10000, 0})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace
}  // namespace tongban::store

int main(int argc, char** argv) {
  using tongban::store::Dialect;
  benchmark::Initialize(&argc, argv);
  tongban::store::Register("SqliteInsert", Dialect::kSqlite);
  const char* pg = std::getenv("TONGBAN_TEST_PG");
  if (pg != nullptr && *pg != '\0') tongban::store::Register("PostgresInsert", Dialect::kPostgres);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
