// ReceiptService throughput without HTTP, on each store driver (PostgreSQL only when
// TONGBAN_TEST_PG names a server), gm suite (SM3 + SM2):
//
//   Issue/<db>_notified/1000  the same with each payer told (notify "receipt.issued" outbox rows
//                          in the issuing transaction), beside Issue/<db>/1000 in the same run
//   Issue/<db>/batch:N     receipts/s issued in calls of N (validation, documents, one signed
//                          manifest, receipt rows, ledger queue rows; the sequencer not running)
//   EnqueueOnly/<db>       the floor: the same number of ledger queue rows alone, 1,000 per
//                          transaction (baseline measured in the same run)
//   Verify/<db>            Get + CheckIntegrity of a random receipt among 10,000 (leaf resolved)
//   Claim/<db>             AddClaim of 1 fen on a random receipt
//   IssuerSign/<db>        the issuer's signature of a one-receipt manifest as IssueInTx makes
//                          it: CustodyIssuerKeys::Sign in a transaction (current-key query, key
//                          opened once and cached, SM2 sign)
//   PlainSign              the baseline, measured in the same run: PrivateKey::Sign of the same
//                          bytes with one key held in memory (the old deployment-wide issuer key)
// Figures and the command: docs/receipt.md, "Performance".
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "crypto/hmac.h"
#include "ledger/log_storage.h"
#include "ledger/note_keys.h"
#include "ledger/sequencer.h"
#include "receipt/receipt_service.h"
#include "store/migration.h"
#include "receipt/receipt_fixture.h"

namespace tongban::receipt {
namespace {

using testing::ReceiptFixture;
using testing::SampleReceipt;
using tongban::testing::Backend;

// One fixture per backend, shared by the benchmarks of that backend (created on first use).
// `notify`: a fixture of its own whose payers are told (notify "receipt.issued" per receipt).
ReceiptFixture* Fixture(Backend b, bool notify = false) {
  static ReceiptFixture* fixtures[4] = {nullptr, nullptr, nullptr, nullptr};
  int i = (b == Backend::kSqlite ? 0 : 1) + (notify ? 2 : 0);
  if (fixtures[i] == nullptr) {
    auto* f = new ReceiptFixture();
    f->notify_payers = notify;
    if (!f->Open(b)) return nullptr;
    (void)f->service_->AssignRange(f->issuer_.id, f->Code(), 100001, 9'999'999'999);
    fixtures[i] = f;
  }
  return fixtures[i];
}

void Issue(benchmark::State& state, Backend b, bool notify = false) {
  ReceiptFixture* f = Fixture(b, notify);
  if (f == nullptr) return state.SkipWithError("TONGBAN_TEST_PG not set");
  std::vector<NewReceipt> batch(static_cast<size_t>(state.range(0)), SampleReceipt());
  for (auto _ : state) {
    auto r = f->service_->Issue(ReceiptFixture::kHospitalAccount, batch, batch.size() > 1, 0);
    if (!r.ok()) return state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  f->Integrate();
}

void EnqueueOnly(benchmark::State& state, Backend b) {
  ReceiptFixture* f = Fixture(b);
  if (f == nullptr) return state.SkipWithError("TONGBAN_TEST_PG not set");
  std::vector<ledger::Entry> entries(1000);
  for (auto& e : entries) e.type = "receipt.issue";
  for (auto _ : state) {
    Status s = (*f->db_)->Transact([&](store::Tx& tx) { return ledger::EnqueueEntries(tx, entries); });
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  f->Integrate();
}

// Receipts to verify and claim: 10,000 by default; the CTest smoke run sets
// RECEIPT_BENCH_POPULATION low so that it stays a smoke run (bench/receipt/CMakeLists.txt).
int PopulationBatches() {
  const char* env = std::getenv("RECEIPT_BENCH_POPULATION");
  int n = env != nullptr ? std::atoi(env) : 10000;
  return std::max(1, n / 1000);
}

std::vector<Receipt> Population(ReceiptFixture* f) {
  static std::vector<Receipt> sqlite, pg;
  auto& out = (*f->db_)->dialect() == store::Dialect::kSqlite ? sqlite : pg;
  if (out.empty()) {
    const int batches = PopulationBatches();
    std::vector<NewReceipt> batch(1000, SampleReceipt());
    for (int i = 0; i < batches; ++i) {
      auto r = f->service_->Issue(ReceiptFixture::kHospitalAccount, batch, true, f->sequencer_->size());
      if (r.ok()) out.insert(out.end(), r->begin(), r->end());
    }
    f->Integrate();
    for (const Receipt& r : out) (void)f->service_->ResolveLeaf(f->service_->Get(r.code, r.number).value());
  }
  return out;
}

void Verify(benchmark::State& state, Backend b) {
  ReceiptFixture* f = Fixture(b);
  if (f == nullptr) return state.SkipWithError("TONGBAN_TEST_PG not set");
  auto receipts = Population(f);
  std::mt19937 rng(1);
  for (auto _ : state) {
    const Receipt& pick = receipts[rng() % receipts.size()];
    auto r = f->service_->Get(pick.code, pick.number);
    auto in = f->service_->CheckIntegrity(*r, r->leaf_index);
    if (!in.ok() || !in->intact) return state.SkipWithError("not intact");
  }
  state.SetItemsProcessed(state.iterations());
}

void Claim(benchmark::State& state, Backend b) {
  ReceiptFixture* f = Fixture(b);
  if (f == nullptr) return state.SkipWithError("TONGBAN_TEST_PG not set");
  auto receipts = Population(f);
  std::mt19937 rng(2);
  for (auto _ : state) {
    const Receipt& pick = receipts[rng() % receipts.size()];
    auto c = f->service_->AddClaim(pick.code, pick.number, ReceiptFixture::kInsurerAccount,
                                   "杭州市医疗保障局", 1, "");
    if (!c.ok()) return state.SkipWithError(c.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

// A one-receipt manifest (where the per-batch cost of the issuer key weighs most).
std::string OneReceiptManifest() {
  return "tongban-receipt-batch/1\nissuer: 12330100H0000001XX\ntime: 2026-12-02T18:00:00Z\n"
         "count: 1\n33040126/0000000001 " + std::string(64, 'a') + "\n";
}

void IssuerSign(benchmark::State& state, Backend b) {
  ReceiptFixture* f = Fixture(b);
  if (f == nullptr) return state.SkipWithError("TONGBAN_TEST_PG not set");
  const std::string manifest = OneReceiptManifest();
  Status s = (*f->db_)->Read([&](store::Tx& tx) -> Status {
    for (auto _ : state) {
      auto sig = f->issuer_keys_->Sign(tx, f->issuer_.id, manifest);
      if (!sig.ok()) return sig.status();
      benchmark::DoNotOptimize(sig->signature);
    }
    return Status::Ok();
  });
  if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  state.SetItemsProcessed(state.iterations());
}

void PlainSign(benchmark::State& state) {
  auto key = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
  const std::string manifest = OneReceiptManifest();
  for (auto _ : state) {
    auto sig = key->Sign(manifest);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(PlainSign)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(IssuerSign, sqlite, Backend::kSqlite)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(IssuerSign, postgres, Backend::kPostgres)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(EnqueueOnly, sqlite, Backend::kSqlite)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Issue, sqlite, Backend::kSqlite)->Arg(1)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Issue, sqlite_notified, Backend::kSqlite, true)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Verify, sqlite, Backend::kSqlite)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Claim, sqlite, Backend::kSqlite)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(EnqueueOnly, postgres, Backend::kPostgres)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Issue, postgres, Backend::kPostgres)->Arg(1)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Issue, postgres_notified, Backend::kPostgres, true)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Verify, postgres, Backend::kPostgres)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Claim, postgres, Backend::kPostgres)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tongban::receipt

BENCHMARK_MAIN();
