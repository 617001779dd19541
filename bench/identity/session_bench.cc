// Session-token checks per second: the cost every authenticated request pays — a token the
// thread verified recently (the common case: a client reuses its token) is a cache hit; a new or
// rotating token costs one HMAC-SHA256 and two base64url decodes — next to a bare HMAC of the
// same bytes as the baseline.
#include <benchmark/benchmark.h>

#include <vector>

#include "crypto/hmac.h"
#include "identity/session_token.h"

namespace tongban::identity {
namespace {

void BM_DecodeSessionToken(benchmark::State& state) {
  SessionTokenCodec codec(std::string(32, 'k'));
  std::string token = codec.Encode({42, 7, Role::kCitizen, 1000, int64_t{1} << 40});
  for (auto _ : state) {
    auto claims = codec.Decode(token, 2000);
    benchmark::DoNotOptimize(claims);
  }
}
BENCHMARK(BM_DecodeSessionToken);

// Every check misses the cache: 4,096 distinct tokens in turn, more than a thread keeps.
void BM_DecodeSessionTokenUncached(benchmark::State& state) {
  SessionTokenCodec codec(std::string(32, 'k'));
  std::vector<std::string> tokens;
  for (int64_t i = 0; i < 4096; ++i) {
    tokens.push_back(codec.Encode({i, i, Role::kCitizen, 1000, int64_t{1} << 40}));
  }
  size_t next = 0;
  for (auto _ : state) {
    auto claims = codec.Decode(tokens[next++ % tokens.size()], 2000);
    benchmark::DoNotOptimize(claims);
  }
}
BENCHMARK(BM_DecodeSessionTokenUncached);

void BM_HmacSha256Baseline(benchmark::State& state) {
  crypto::Hmac hmac(crypto::HashAlgorithm::kSha256, std::string(32, 'k'));
  std::string message(60, 'm');
  for (auto _ : state) benchmark::DoNotOptimize(hmac.Mac(message));
}
BENCHMARK(BM_HmacSha256Baseline);

}  // namespace
}  // namespace tongban::identity

BENCHMARK_MAIN();
