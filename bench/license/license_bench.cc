// Licence benchmarks: presentations verified per second (SD-JWT VC + KB-JWT: two signature
// verifications each, plus parsing and disclosure hashing) with ES256 and SM2, on one and two
// threads, beside raw signature verifications of the same algorithm in the same binary; the full
// service verification (status lookup, replay check, verification log, ledger entry) on SQLite;
// and licences issued per second; and that verification with the ledger proof the HTTP route adds
// (the licence's anchor, its leaf, the inclusion proof). bench/license/run.sh runs this beside `openssl speed -multi 2`
// and prints the ratios recorded in docs/benchmarks.md.
//
//   ninja -C build license_bench && build/bench/license/license_bench
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "core/base64.h"
#include "core/citizen_id.h"
#include "crypto/hmac.h"
#include "crypto/random.h"
#include "ledger/log_reader.h"
#include "ledger/log_storage.h"
#include "ledger/note_keys.h"
#include "ledger/note_signer.h"
#include "ledger/sequencer.h"
#include "license/jws.h"
#include "license/license_service.h"
#include "license/sd_jwt.h"

namespace tongban::license {
namespace {

using boost::json::object;
using boost::json::value;

crypto::SignatureAlgorithm Alg(const benchmark::State& state) {
  return state.range(0) == 0 ? crypto::SignatureAlgorithm::kEs256 : crypto::SignatureAlgorithm::kSm2;
}

// A driving licence as the service issues it: five fields, two disclosed, with key binding.
struct Fixture {
  explicit Fixture(crypto::SignatureAlgorithm alg)
      : issuer(*crypto::PrivateKey::Generate(alg)), holder(*crypto::PrivateKey::Generate(alg)) {
    SdJwtIssue in;
    in.header = object{{"typ", kSdJwtVcTyp}, {"kid", "k1"}};
    in.claims = object{{"iss", "https://zj.tongban.example/api/v1/licenses"},
                       {"iat", 1'790'000'000},
                       {"exp", 1'990'000'000},
                       {"vct", "urn:tongban:license:driving_licence"},
                       {"license_id", "1.2.156.3005.2.11100000G00000015Q003.11330000P00001021X.0000001.01.7"},
                       {"cnf", object{{"jwk", *PublicKeyToJwk(holder.public_key())}}},
                       {"status", object{{"status_list", object{{"idx", 7}, {"uri", "https://x/status"}}}}}};
    in.disclosable = {{"name", value("张伟")},
                      {"id_number", value("330106198503122138")},
                      {"licence_class", value("C1")},
                      {"first_issue_date", value("2008-06-20")},
                      {"address", value("浙江省杭州市西湖区文三路 90 号")}};
    in.sd_alg = alg == crypto::SignatureAlgorithm::kSm2 ? crypto::HashAlgorithm::kSm3
                                                        : crypto::HashAlgorithm::kSha256;
    std::string issuance = *IssueSdJwt(in, issuer, [] { return Base64UrlEncode(crypto::RandomBytes(16)); });
    token = *PresentSdJwt(issuance, {"name", "licence_class"},
                          KeyBindingInput{&holder, "nonce-1", "staff", 1'790'000'100});
    crypto::PublicKey key = issuer.public_key();
    options.issuer_key = [key](const object&, const object&) -> Result<crypto::PublicKey> { return key; };
    options.expected_typ = std::string(kSdJwtVcTyp);
    options.vc_profile = true;
    options.require_key_binding = true;
    options.now = 1'790'000'120;
  }
  crypto::PrivateKey issuer, holder;
  std::string token;
  SdJwtVerifyOptions options;
};

void BM_VerifyPresentation(benchmark::State& state) {
  static Fixture* fixtures[2] = {nullptr, nullptr};
  if (state.thread_index() == 0 && fixtures[state.range(0)] == nullptr) {
    fixtures[state.range(0)] = new Fixture(Alg(state));
  }
  // Other threads wait for thread 0's setup at the start of the loop (benchmark's barrier).
  for (auto _ : state) {
    auto r = VerifySdJwt(fixtures[state.range(0)]->token, fixtures[state.range(0)]->options);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "ES256" : "SM2");
  if (state.thread_index() == 0) state.counters["token_bytes"] = double(fixtures[state.range(0)]->token.size());
}
BENCHMARK(BM_VerifyPresentation)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

// The baseline: one raw signature verification of the same algorithm (a 300-byte message).
void BM_RawVerify(benchmark::State& state) {
  static std::pair<crypto::PublicKey, std::string>* fx[2] = {nullptr, nullptr};
  if (state.thread_index() == 0 && fx[state.range(0)] == nullptr) {
    auto key = *crypto::PrivateKey::Generate(Alg(state));
    fx[state.range(0)] = new std::pair<crypto::PublicKey, std::string>(key.public_key(), *key.Sign(std::string(300, 'm')));
  }
  const std::string msg(300, 'm');
  for (auto _ : state) benchmark::DoNotOptimize(fx[state.range(0)]->first.Verify(msg, fx[state.range(0)]->second));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "ES256" : "SM2");
}
BENCHMARK(BM_RawVerify)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

// Paired measurement, robust to the load of a shared machine: each iteration times 20 raw
// verifications and then 10 presentation verifications back to back, so both see the same load.
// ratio = presentations/s / (raw verifications/s / 2): 1.0 means everything but the two
// signature checks is free. Run on 1 and 2 threads (the counters are per-thread averages).
void BM_PairedRatio(benchmark::State& state) {
  static Fixture* fixtures[2] = {nullptr, nullptr};
  static std::pair<crypto::PublicKey, std::string>* raw[2] = {nullptr, nullptr};
  const int a = static_cast<int>(state.range(0));
  if (state.thread_index() == 0 && fixtures[a] == nullptr) {
    fixtures[a] = new Fixture(Alg(state));
    // The same message size as an issuer JWT's signing input, so hashing cost is alike.
    std::string msg(fixtures[a]->token.find('.', fixtures[a]->token.find('.') + 1), 'm');
    auto key = *crypto::PrivateKey::Generate(Alg(state));
    raw[a] = new std::pair<crypto::PublicKey, std::string>(key.public_key(), *key.Sign(msg));
  }
  double raw_s = 0, pres_s = 0;
  int64_t raw_n = 0, pres_n = 0;
  for (auto _ : state) {
    const std::string msg(fixtures[a]->token.find('.', fixtures[a]->token.find('.') + 1), 'm');
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) benchmark::DoNotOptimize(raw[a]->first.Verify(msg, raw[a]->second));
    auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) benchmark::DoNotOptimize(VerifySdJwt(fixtures[a]->token, fixtures[a]->options));
    auto t2 = std::chrono::steady_clock::now();
    raw_s += std::chrono::duration<double>(t1 - t0).count();
    pres_s += std::chrono::duration<double>(t2 - t1).count();
    raw_n += 20;
    pres_n += 10;
  }
  double raw_rate = raw_n / raw_s, pres_rate = pres_n / pres_s;
  state.counters["raw_verify_per_s"] = benchmark::Counter(raw_rate, benchmark::Counter::kAvgThreads);
  state.counters["presentations_per_s"] = benchmark::Counter(pres_rate, benchmark::Counter::kAvgThreads);
  state.counters["ratio"] = benchmark::Counter(pres_rate * 2 / raw_rate, benchmark::Counter::kAvgThreads);
  state.SetLabel(a == 0 ? "ES256" : "SM2");
}
BENCHMARK(BM_PairedRatio)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

std::string SyntheticId(int i) {
  char first17[18];
  std::snprintf(first17, sizeof first17, "3301061985031%04d", i % 10000);
  std::string s(first17, 17);
  return s + CitizenId::ComputeCheckChar(s);
}

struct ServiceFixture {
  explicit ServiceFixture(crypto::SignatureAlgorithm alg) {
    dir = std::filesystem::temp_directory_path() / ("tongban_license_bench_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    db = std::move(store::Database::Open("sqlite://" + (dir / "b.db").string())).value();
    std::vector<store::Migration> m = ledger::LogStorageMigrations();
    for (auto& x : LicenseService::Migrations()) m.push_back(x);
    (void)store::Migrate(*db, m);
    LicenseServiceOptions o;
    o.issuer_url = "https://bench.tongban.example/api/v1/licenses";
    o.issuer_key = *crypto::PrivateKey::Generate(alg);
    o.ledger_hash = alg == crypto::SignatureAlgorithm::kSm2 ? crypto::HashAlgorithm::kSm3 : crypto::HashAlgorithm::kSha256;
    o.subject_hash = [h = o.ledger_hash](std::string_view s) { return crypto::HmacDigest(h, std::string(32, 's'), s); };
    service = std::move(LicenseService::Create(*db, clock, std::move(o))).value();
  }
  ~ServiceFixture() {
    service.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  Result<License> Issue(int i) {
    std::string id = SyntheticId(i);
    IssueRequest r{"driving_licence", id,
                   object{{"name", "张伟"}, {"id_number", id}, {"licence_class", "C1"},
                          {"first_issue_date", "2008-06-20"}, {"address", "浙江省杭州市西湖区文三路 90 号"}},
                   std::nullopt};
    return service->Issue(r, "zj-traffic");
  }
  SystemClock clock;
  std::filesystem::path dir;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<LicenseService> service;
};

// Issue: validation, serial and status index, licence row, event document, ledger queue row.
void BM_IssueLicence(benchmark::State& state) {
  ServiceFixture f(Alg(state));
  int i = 0;
  for (auto _ : state) {
    auto l = f.Issue(i++);
    if (!l.ok()) state.SkipWithError(l.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "ES256 sqlite" : "SM2 sqlite");
}
BENCHMARK(BM_IssueLicence)->Arg(0)->Arg(1)->UseRealTime();

// The whole verify path of the service on SQLite: signatures, status, replay (nonce consumed),
// verification log and ledger entry, one transaction. Presentations are made outside the timing.
void BM_ServiceVerify(benchmark::State& state) {
  ServiceFixture f(Alg(state));
  std::vector<License> licences;
  for (int i = 0; i < 50; ++i) licences.push_back(*f.Issue(i));
  std::vector<std::string> tokens;
  size_t next = 0;
  for (auto _ : state) {
    if (next == tokens.size()) {
      state.PauseTiming();
      tokens.clear();
      next = 0;
      for (int i = 0; i < 200; ++i) {
        const License& l = licences[static_cast<size_t>(i) % licences.size()];
        tokens.push_back(f.service->Present(PresentRequest{l.holder_subject, l.id, {"name", "licence_class"}, "", ""})->token);
      }
      state.ResumeTiming();
    }
    auto r = f.service->Verify(VerifyRequest{tokens[next++], "", "bench", "public", 0});
    if (!r.ok() || !r->valid) state.SkipWithError("verification failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "ES256 sqlite" : "SM2 sqlite");
}
BENCHMARK(BM_ServiceVerify)->Arg(0)->Arg(1)->UseRealTime();

// BM_ServiceVerify plus what POST /api/v1/licenses/verify adds for the ledger proof, in the same
// order: the presented licence's anchor and leaf before Verify, the anchor again after it, and the
// inclusion proof from the tiles. The log holds the 50 licences' issue entries among 20,000
// others. Arg 1 = the leaves already remembered (every verification after a licence's first).
void BM_ServiceVerifyWithProof(benchmark::State& state) {
  ServiceFixture f(crypto::SignatureAlgorithm::kSm2);
  auto key = *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
  auto signer = std::move(ledger::NewNoteSigner("bench.tongban.example/log", key)).value();
  ledger::SequencerOptions so;
  so.origin = "bench.tongban.example/log";
  so.hash = crypto::HashAlgorithm::kSm3;
  so.signers = {signer.get()};
  auto seq = std::move(ledger::Sequencer::Create(*f.db, std::move(so))).value();
  ledger::LogReader reader(*f.db, crypto::HashAlgorithm::kSm3);
  auto filler = [&](int n) {
    std::vector<ledger::Entry> entries(static_cast<size_t>(n));
    for (auto& e : entries) {
      e.type = "bench.filler";
      e.time_micros = 1;
    }
    (void)f.db->Transact([&](store::Tx& tx) { return ledger::EnqueueEntries(tx, entries); });
    while (seq->IntegrateOnce()->count > 0) {
    }
  };
  filler(10000);
  std::vector<License> licences;
  for (int i = 0; i < 50; ++i) licences.push_back(*f.Issue(i));
  filler(10000);
  if (state.range(0) == 1) {
    for (const License& l : licences) (void)f.service->AnchorLeaf(*f.service->Anchor(l.id));
  } else {
    (void)f.db->Transact([&](store::Tx& tx) { return tx.Exec("UPDATE license_event SET leaf_index = NULL").status(); });
  }
  std::vector<std::string> tokens;
  size_t next = 0;
  for (auto _ : state) {
    if (next == tokens.size()) {
      state.PauseTiming();
      tokens.clear();
      next = 0;
      if (state.range(0) == 0) {
        (void)f.db->Transact([&](store::Tx& tx) { return tx.Exec("UPDATE license_event SET leaf_index = NULL").status(); });
      }
      for (int i = 0; i < 200; ++i) {
        const License& l = licences[static_cast<size_t>(i) % licences.size()];
        tokens.push_back(f.service->Present(PresentRequest{l.holder_subject, l.id, {"name", "licence_class"}, "", ""})->token);
      }
      state.ResumeTiming();
    }
    VerifyRequest in{tokens[next++], "", "bench", "public", 0};
    auto claimed = f.service->PresentedLicenseId(in);
    auto early = f.service->AnchorLeaf(*f.service->Anchor(**claimed));
    auto r = f.service->Verify(in);
    auto anchor = f.service->Anchor(r->license_id);
    auto proof = reader.InclusionProof(**early);
    if (!r.ok() || !r->valid || !anchor.ok() || !proof.ok()) state.SkipWithError("verification failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "SM2 sqlite, leaf scanned for" : "SM2 sqlite, leaf remembered");
}
BENCHMARK(BM_ServiceVerifyWithProof)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
}  // namespace tongban::license
BENCHMARK_MAIN();
