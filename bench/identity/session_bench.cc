// Session-token checks per second: the cost every authenticated request pays (one HMAC-SHA256,
// two base64url decodes), next to a bare HMAC of the same bytes as the baseline.
#include <benchmark/benchmark.h>

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

void BM_HmacSha256Baseline(benchmark::State& state) {
  crypto::Hmac hmac(crypto::HashAlgorithm::kSha256, std::string(32, 'k'));
  std::string message(60, 'm');
  for (auto _ : state) benchmark::DoNotOptimize(hmac.Mac(message));
}
BENCHMARK(BM_HmacSha256Baseline);

}  // namespace
}  // namespace tongban::identity

BENCHMARK_MAIN();
