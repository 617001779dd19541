// Crypto benchmarks: SM3 and SHA-256 throughput (1 KiB and 16 KiB messages), HMAC of a subject
// ID, Ed25519 / SM2 / ES256 signatures and verifications per second, Argon2id password hashes
// per second (interactive limits). bench/crypto/openssl-speed.sh runs this beside `openssl speed`
// and prints ratios; figures are in docs/crypto.md.
//
//   ninja -C build-rel crypto_bench && build-rel/bench/crypto/crypto_bench
#include <benchmark/benchmark.h>

#include <string>

#include "crypto/hash.h"
#include "crypto/hmac.h"
#include "crypto/key.h"
#include "crypto/password.h"

namespace tongban::crypto {
namespace {

HashAlgorithm HashAlg(const benchmark::State& state) {
  return state.range(0) == 0 ? HashAlgorithm::kSm3 : HashAlgorithm::kSha256;
}

SignatureAlgorithm SigAlg(const benchmark::State& state) {
  switch (state.range(0)) {
    case 0:
      return SignatureAlgorithm::kSm2;
    case 1:
      return SignatureAlgorithm::kEd25519;
    default:
      return SignatureAlgorithm::kEs256;
  }
}

// One-shot Hash() of a message of range(1) bytes: what Merkle and document hashing do.
void BM_Hash(benchmark::State& state) {
  const HashAlgorithm alg = HashAlg(state);
  const std::string msg(static_cast<size_t>(state.range(1)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(Hash(alg, msg));
  state.SetBytesProcessed(state.iterations() * state.range(1));
  state.SetLabel(std::string(HashAlgorithmName(alg)));
}
BENCHMARK(BM_Hash)->ArgsProduct({{0, 1}, {1024, 16384}});

// HMAC of an 18-character citizen ID with one keyed Hmac: the ledger's subject hash.
void BM_HmacSubjectId(benchmark::State& state) {
  const HashAlgorithm alg = HashAlg(state);
  Hmac mac(alg, std::string(32, 'k'));
  for (auto _ : state) benchmark::DoNotOptimize(mac.Mac("33010219900101123X"));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(HashAlgorithmName(alg)));
}
BENCHMARK(BM_HmacSubjectId)->Arg(0)->Arg(1);

// Signing a 100-byte message (the size of a checkpoint body).
void BM_Sign(benchmark::State& state) {
  const SignatureAlgorithm alg = SigAlg(state);
  Result<PrivateKey> key = PrivateKey::Generate(alg);
  if (!key.ok()) {
    state.SkipWithError("key generation failed");
    return;
  }
  const std::string msg(100, 'm');
  for (auto _ : state) benchmark::DoNotOptimize(key->Sign(msg));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(SignatureAlgorithmName(alg)));
}
BENCHMARK(BM_Sign)->Arg(0)->Arg(1)->Arg(2);

void BM_Verify(benchmark::State& state) {
  const SignatureAlgorithm alg = SigAlg(state);
  Result<PrivateKey> key = PrivateKey::Generate(alg);
  if (!key.ok()) {
    state.SkipWithError("key generation failed");
    return;
  }
  const std::string msg(100, 'm');
  const std::string sig = *key->Sign(msg);
  const PublicKey& pub = key->public_key();
  for (auto _ : state) {
    if (!pub.Verify(msg, sig)) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(SignatureAlgorithmName(alg)));
}
BENCHMARK(BM_Verify)->Arg(0)->Arg(1)->Arg(2);

void BM_PublicKeyFromRaw(benchmark::State& state) {
  const SignatureAlgorithm alg = SigAlg(state);
  const std::string raw = PrivateKey::Generate(alg)->public_key().ToRaw();
  for (auto _ : state) benchmark::DoNotOptimize(PublicKey::FromRaw(alg, raw));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(SignatureAlgorithmName(alg)));
}
BENCHMARK(BM_PublicKeyFromRaw)->Arg(0)->Arg(1)->Arg(2);

// Argon2id at the default (interactive) limits: t = 2, m = 64 MiB, one thread.
void BM_Argon2idInteractive(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(HashPassword("correct horse battery staple"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Argon2idInteractive)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tongban::crypto

BENCHMARK_MAIN();
