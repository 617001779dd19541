// Checkpoint signing and verification: signed notes per second with Ed25519 (`intl`) and SM2
// (`gm`) keys from the crypto part, the per-batch cost the sequencer pays once per checkpoint.
//
//   ninja -C build-ledger-rel ledger_note_bench && build-ledger-rel/bench/ledger/ledger_note_bench
#include <benchmark/benchmark.h>

#include "crypto/key.h"
#include "ledger/checkpoint.h"
#include "ledger/note.h"
#include "ledger/note_keys.h"

namespace tongban::ledger {
namespace {

crypto::SignatureAlgorithm Alg(const benchmark::State& state) {
  return state.range(0) == 0 ? crypto::SignatureAlgorithm::kSm2
                             : crypto::SignatureAlgorithm::kEd25519;
}

std::string CheckpointText() {
  Checkpoint cp;
  cp.origin = "tongban.example/ledger";
  cp.size = 123456789;
  cp.root.fill(0x42);
  return *FormatCheckpoint(cp);
}

void BM_SignCheckpoint(benchmark::State& state) {
  crypto::PrivateKey key = *crypto::PrivateKey::Generate(Alg(state));
  std::unique_ptr<NoteSigner> signer = NewNoteSigner("tongban.example/ledger", key).value();
  const std::string text = CheckpointText();
  NoteSigner* signers[] = {signer.get()};
  for (auto _ : state) benchmark::DoNotOptimize(SignNote(text, signers));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(crypto::SignatureAlgorithmName(Alg(state))));
}
BENCHMARK(BM_SignCheckpoint)->ArgName("ed25519")->Arg(0)->Arg(1);

void BM_OpenCheckpoint(benchmark::State& state) {
  crypto::PrivateKey key = *crypto::PrivateKey::Generate(Alg(state));
  std::unique_ptr<NoteSigner> signer = NewNoteSigner("tongban.example/ledger", key).value();
  std::shared_ptr<const NoteVerifier> verifier =
      NewNoteVerifier("tongban.example/ledger", key.public_key()).value();
  NoteSigner* signers[] = {signer.get()};
  const std::string note = *SignNote(CheckpointText(), signers);
  for (auto _ : state) {
    Result<Checkpoint> cp = OpenCheckpoint(note, "tongban.example/ledger", verifier);
    if (!cp.ok()) state.SkipWithError("checkpoint did not verify");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(crypto::SignatureAlgorithmName(Alg(state))));
}
BENCHMARK(BM_OpenCheckpoint)->ArgName("ed25519")->Arg(0)->Arg(1);

}  // namespace
}  // namespace tongban::ledger

BENCHMARK_MAIN();
