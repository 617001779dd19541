// Benchmarks for core identifiers: citizen-ID validations/s, USCC validations/s, region
// lookups/s, yuan parsing. Inputs are synthetic numbers with valid check characters.
//   ./build/bench/core/core_id_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/citizen_id.h"
#include "core/money.h"
#include "core/region.h"
#include "core/uscc.h"

namespace tongban {
namespace {

constexpr CivilDate kToday{2026, 11, 24};

std::vector<std::string> SyntheticIds(size_t n) {
  const char* regions[] = {"330421", "330106", "370102", "429004", "110105", "500229", "440305"};
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%s%04zu%02zu%02zu%03zu", regions[i % 7], 1950 + i % 70,
                  1 + i % 12, 1 + i % 28, i % 1000);
    std::string first17(buf, 17);
    out.push_back(first17 + CitizenId::ComputeCheckChar(first17));
  }
  return out;
}

std::vector<std::string> SyntheticUsccs(size_t n) {
  const char* heads[] = {"91", "92", "11", "51", "N2"};
  const char* regions[] = {"330421", "330106", "370102", "429004", "110105"};
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    char body[9];
    std::snprintf(body, sizeof body, "MA%06zu", i * 7919 % 1000000);
    std::string s = std::string(heads[i % 5]) + regions[i % 5] + body;
    s += Uscc::ComputeOrgCodeCheckChar(body);
    s += Uscc::ComputeCheckChar(s);
    out.push_back(s);
  }
  return out;
}

void BM_CitizenIdParse(benchmark::State& state) {
  std::vector<std::string> ids = SyntheticIds(1024);
  size_t i = 0;
  for (auto _ : state) {
    Result<CitizenId> r = CitizenId::Parse(ids[i++ & 1023], kToday);
    if (!r.ok()) state.SkipWithError("synthetic ID rejected");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CitizenIdParse);

void BM_UsccParse(benchmark::State& state) {
  std::vector<std::string> codes = SyntheticUsccs(1024);
  size_t i = 0;
  for (auto _ : state) {
    Result<Uscc> r = Uscc::Parse(codes[i++ & 1023]);
    if (!r.ok()) state.SkipWithError("synthetic USCC rejected");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UsccParse);

void BM_RegionLookup(benchmark::State& state) {
  std::vector<RegionCode> codes;
  for (size_t i = 0; i < RegionCount(); i += 3) codes.push_back(RegionAt(i).code);
  size_t i = 0;
  for (auto _ : state) {
    Result<Region> r = LookupRegion(codes[i++ % codes.size()]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RegionLookup);

void BM_RegionChain(benchmark::State& state) {
  RegionCode code = RegionCode::FromInt(330421);
  for (auto _ : state) {
    Result<std::vector<Region>> r = RegionChain(code);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RegionChain);

void BM_FenParseYuan(benchmark::State& state) {
  const std::string amounts[] = {"12.30", "1234.56", "0.05", "99999.99", "7"};
  size_t i = 0;
  for (auto _ : state) {
    Result<Fen> r = Fen::ParseYuan(amounts[i++ % 5]);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FenParseYuan);

}  // namespace
}  // namespace tongban

BENCHMARK_MAIN();
