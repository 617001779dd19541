// Tests for ledger/witness.h and ledger/witness_client.h on SQLite and PostgreSQL (TONGBAN_TEST_PG;
// skipped when unset): every add-checkpoint outcome of C2SP tlog-witness with the spec's HTTP
// status, the stored state, concurrent requests, and k-of-n collection through a fake transport
// that calls in-process witnesses. Proofs come from a MemoryTree.
#include "ledger/witness.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "core/base64.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/memory_tree.h"
#include "ledger/note_keys.h"
#include "ledger/witness_client.h"
#include "store/migration.h"
#include "testing/databases.h"

namespace tongban::ledger {
namespace {

using tongban::testing::Backend;
using tongban::testing::OpenTestDatabase;
using tongban::testing::TestDatabase;

constexpr std::string_view kOrigin = "tongban.test/intl/2026";
constexpr int64_t kStartMicros = int64_t{1'790'000'000} * 1'000'000;

crypto::PrivateKey NewEd25519() {
  return *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519);
}

void LeafTree(MemoryTree& tree, uint64_t n, std::string_view salt) {
  for (uint64_t i = tree.size(); i < n; ++i) {
    tree.AppendLeafData(std::string(salt) + std::to_string(i));
  }
}

template <typename T>
T Take(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

// Checks the reply's invariants and returns it.
const WitnessReply& Checked(const WitnessReply& r) {
  EXPECT_EQ(r.status.ok(), r.http_status == 200) << r.status.ToString();
  EXPECT_EQ(HttpStatusFor(r.status.code()), r.http_status) << r.status.ToString();
  EXPECT_FALSE(r.content_type.empty());
  EXPECT_FALSE(r.body.empty());
  EXPECT_EQ(r.body.back(), '\n');
  return r;
}

class WitnessTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = OpenDb();
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG is not set";
    log_signer_ = Take(NewNoteSigner(std::string(kOrigin), log_key_));
    log_verifier_ = *NewNoteVerifier(std::string(kOrigin), log_key_.public_key());
    LeafTree(tree_, 64, "leaf ");
    LeafTree(fork_, 64, "forked leaf ");
    witness_ = MakeWitness(db_->get(), "witness.test/w1", &witness_verifier_);
  }

  std::unique_ptr<TestDatabase> OpenDb() {
    std::unique_ptr<TestDatabase> db = OpenTestDatabase(GetParam());
    if (db) {
      Status s = store::Migrate(**db, WitnessMigrations());
      EXPECT_TRUE(s.ok()) << s.ToString() << " | " << s.detail();
    }
    return db;
  }

  std::unique_ptr<Witness> MakeWitness(store::Database* db, std::string name,
                                       std::shared_ptr<const NoteVerifier>* verifier) {
    crypto::PrivateKey key = NewEd25519();
    *verifier = *NewCosignatureVerifier(name, key.public_key());
    std::vector<std::unique_ptr<NoteSigner>> signers;
    signers.push_back(Take(NewCosignatureSigner(std::move(name), key, clock_)));
    std::vector<WitnessedLog> logs;
    logs.push_back({std::string(kOrigin), {log_verifier_}, crypto::HashAlgorithm::kSha256});
    auto w = Witness::Create(db, std::move(signers), std::move(logs), clock_);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return std::move(w).value();
  }

  std::string SignedNote(const Checkpoint& cp, NoteSigner* signer) {
    NoteSigner* signers[] = {signer};
    return *SignNote(*FormatCheckpoint(cp), signers);
  }
  std::string Note(uint64_t size) {
    return SignedNote({std::string(kOrigin), size, tree_.RootAt(size), {}}, log_signer_.get());
  }
  std::string ForkNote(uint64_t size) {
    return SignedNote({std::string(kOrigin), size, fork_.RootAt(size), {}}, log_signer_.get());
  }
  std::vector<Hash> Proof(uint64_t m, uint64_t n) { return *tree_.ConsistencyProof(m, n); }

  WitnessReply Add(uint64_t old_size, const std::vector<Hash>& proof, std::string_view note) {
    return Checked(witness_->AddCheckpoint(FormatAddCheckpointRequest(old_size, proof, note)));
  }
  // Grows the witness's view from `old_size` to `size` on the main tree.
  void Advance(uint64_t old_size, uint64_t size) {
    std::vector<Hash> proof = old_size == 0 ? std::vector<Hash>{} : Proof(old_size, size);
    WitnessReply r = Add(old_size, proof, Note(size));
    ASSERT_EQ(r.http_status, 200) << r.body;
  }
  uint64_t StoredSize() {
    auto s = witness_->State(kOrigin);
    EXPECT_TRUE(s.ok());
    return s.ok() && s->has_value() ? (*s)->size : 0;
  }

  FakeClock clock_{kStartMicros};
  std::unique_ptr<TestDatabase> db_;
  crypto::PrivateKey log_key_ = NewEd25519();
  std::unique_ptr<NoteSigner> log_signer_;
  std::shared_ptr<const NoteVerifier> log_verifier_;
  MemoryTree tree_{crypto::HashAlgorithm::kSha256};
  MemoryTree fork_{crypto::HashAlgorithm::kSha256};
  std::shared_ptr<const NoteVerifier> witness_verifier_;
  std::unique_ptr<Witness> witness_;
};

TEST_P(WitnessTest, FirstCheckpointFromSizeZeroIsCosignedAndStored) {
  const std::string note = Note(10);
  WitnessReply r = Add(0, {}, note);
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(r.content_type, kWitnessTextContentType);
  auto sigs = VerifyCosignatureLines(note, r.body, NoteVerifierList({witness_verifier_}));
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->size(), 1u);
  EXPECT_EQ(*CosignatureTimestamp((*sigs)[0].signature),
            static_cast<uint64_t>(kStartMicros / 1'000'000));

  auto state = witness_->State(kOrigin);
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->size, 10u);
  EXPECT_EQ((*state)->root, tree_.RootAt(10));
  EXPECT_EQ((*state)->updated_unix_micros, kStartMicros);
  // The monitoring view: the log's signature and the witness's cosignature, both valid.
  auto opened = OpenNote((*state)->checkpoint,
                         NoteVerifierList({log_verifier_, witness_verifier_}));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->verified.size(), 2u);
  EXPECT_EQ(*witness_->LatestCheckpoint(Witness::OriginHash(kOrigin)), (*state)->checkpoint);
}

TEST_P(WitnessTest, GrowsWithValidConsistencyProofs) {
  Advance(0, 10);
  clock_.Advance(std::chrono::seconds(5));
  Advance(10, 37);
  Advance(37, 64);
  EXPECT_EQ(StoredSize(), 64u);
  auto state = witness_->State(kOrigin);
  EXPECT_EQ((*state)->root, tree_.RootAt(64));
  EXPECT_EQ((*state)->updated_unix_micros, kStartMicros + 5'000'000);
}

TEST_P(WitnessTest, SameCheckpointAgainIsCosignedAgain) {
  Advance(0, 10);
  WitnessReply r = Add(10, {}, Note(10));
  EXPECT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(StoredSize(), 10u);
}

TEST_P(WitnessTest, ForkAtTheSameSizeIsRefusedWith422) {
  Advance(0, 10);
  WitnessReply r = Add(10, {}, ForkNote(10));
  EXPECT_EQ(r.http_status, 422) << r.body;
  EXPECT_EQ(r.status.code(), ErrorCode::kUnprocessable);
  EXPECT_EQ(witness_->State(kOrigin)->value().root, tree_.RootAt(10));
}

TEST_P(WitnessTest, ForkAtTheSameSizeIsKeptAsEvidenceOnce) {
  Advance(0, 10);
  const std::string cosigned = witness_->State(kOrigin)->value().checkpoint;
  const std::string fork = ForkNote(10);
  EXPECT_EQ(Add(10, {}, fork).http_status, 422);
  EXPECT_EQ(Add(10, {}, fork).http_status, 422);  // the same fork again: one row
  auto forks = witness_->Forks(kOrigin);
  ASSERT_TRUE(forks.ok()) << forks.status().ToString();
  ASSERT_EQ(forks->size(), 1u);
  EXPECT_EQ((*forks)[0].size, 10u);
  EXPECT_EQ((*forks)[0].cosigned, cosigned);
  EXPECT_EQ((*forks)[0].conflicting, fork);
  EXPECT_EQ((*forks)[0].seen_unix_micros, kStartMicros);
  // Anyone can check it: both carry the log's signature, same size, different roots.
  auto a = OpenCheckpoint((*forks)[0].cosigned, kOrigin, log_verifier_);
  auto b = OpenCheckpoint((*forks)[0].conflicting, kOrigin, log_verifier_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size, b->size);
  EXPECT_NE(a->root, b->root);
  // Failed proofs to a larger size, and a proof where none is due, are not evidence.
  EXPECT_EQ(Add(10, Proof(10, 20), ForkNote(20)).http_status, 422);
  EXPECT_EQ(Add(10, Proof(5, 10), Note(10)).http_status, 422);
  EXPECT_EQ(witness_->Forks(kOrigin)->size(), 1u);
}

TEST_P(WitnessTest, InconsistentProofIsRefusedWith422) {
  Advance(0, 10);
  // A forked tree's checkpoint with the real tree's proof, and with its own proof.
  EXPECT_EQ(Add(10, Proof(10, 20), ForkNote(20)).http_status, 422);
  EXPECT_EQ(Add(10, *fork_.ConsistencyProof(10, 20), ForkNote(20)).http_status, 422);
  // The right checkpoint with a damaged, short or over-long proof.
  std::vector<Hash> bad = Proof(10, 20);
  bad[0][0] ^= 1;
  EXPECT_EQ(Add(10, bad, Note(20)).http_status, 422);
  std::vector<Hash> shorter = Proof(10, 20);
  shorter.pop_back();
  EXPECT_EQ(Add(10, shorter, Note(20)).http_status, 422);
  std::vector<Hash> longer = Proof(10, 20);
  longer.push_back(longer.back());
  EXPECT_EQ(Add(10, longer, Note(20)).http_status, 422);
  // A proof where none is due (same size).
  EXPECT_EQ(Add(10, Proof(5, 10), Note(10)).http_status, 422);
  EXPECT_EQ(StoredSize(), 10u);
  Advance(10, 20);  // the honest one still goes through
}

TEST_P(WitnessTest, RollbackIsRefusedWith400) {
  Advance(0, 20);
  WitnessReply r = Add(20, {}, Note(10));
  EXPECT_EQ(r.http_status, 400) << r.body;
  EXPECT_EQ(r.status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(StoredSize(), 20u);
}

TEST_P(WitnessTest, StaleOldSizeGets409WithTheWitnessSize) {
  Advance(0, 20);
  for (uint64_t stale : {0, 10, 25}) {
    std::vector<Hash> proof = stale == 0 ? std::vector<Hash>{} : Proof(stale, 30);
    WitnessReply r = Add(stale, proof, Note(30));
    EXPECT_EQ(r.http_status, 409) << stale;
    EXPECT_EQ(r.content_type, "text/x.tlog.size");
    EXPECT_EQ(r.body, "20\n");
    EXPECT_EQ(r.witness_size, 20u);
    EXPECT_EQ(r.status.code(), ErrorCode::kConflict);
  }
  // Before any checkpoint the witness's size is 0.
  auto other = OpenDb();
  std::shared_ptr<const NoteVerifier> v;
  auto fresh = MakeWitness(other->get(), "witness.test/fresh", &v);
  WitnessReply r = Checked(fresh->AddCheckpoint(FormatAddCheckpointRequest(5, Proof(5, 8), Note(8))));
  EXPECT_EQ(r.http_status, 409);
  EXPECT_EQ(r.body, "0\n");
}

TEST_P(WitnessTest, ProofFromSizeZeroMustBeEmpty) {
  EXPECT_EQ(Add(0, Proof(5, 10), Note(10)).http_status, 422);
  EXPECT_EQ(StoredSize(), 0u);
}

TEST_P(WitnessTest, EmptyTreeCheckpointNeedsTheEmptyRoot) {
  const std::string wrong =
      SignedNote({std::string(kOrigin), 0, tree_.RootAt(1), {}}, log_signer_.get());
  EXPECT_EQ(Add(0, {}, wrong).http_status, 422);
  const std::string empty = SignedNote(
      {std::string(kOrigin), 0, tree_.hasher().EmptyRoot(), {}}, log_signer_.get());
  EXPECT_EQ(Add(0, {}, empty).http_status, 200);
  Advance(0, 7);  // from size 0 any tree is consistent
}

TEST_P(WitnessTest, UnknownOriginIs404) {
  auto other_key = NewEd25519();
  auto other = Take(NewNoteSigner("someone.else/log", other_key));
  const std::string note =
      SignedNote({"someone.else/log", 3, tree_.RootAt(3), {}}, other.get());
  WitnessReply r = Add(0, {}, note);
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(r.status.code(), ErrorCode::kNotFound);
}

TEST_P(WitnessTest, BadOrMissingLogSignatureIs403) {
  // Tampered signature by the log's key (name and key ID match, bytes do not verify).
  std::string note = Note(10);
  auto parsed = *ParseNote(note);
  parsed.signatures[0].signature[0] ^= 1;
  EXPECT_EQ(Add(0, {}, *FormatNote(parsed)).http_status, 403);
  // Signed by another key under the log's name: unknown key, so no trusted signature at all.
  auto impostor = Take(NewNoteSigner(std::string(kOrigin), NewEd25519()));
  const std::string forged =
      SignedNote({std::string(kOrigin), 10, tree_.RootAt(10), {}}, impostor.get());
  WitnessReply r = Add(0, {}, forged);
  EXPECT_EQ(r.http_status, 403);
  EXPECT_EQ(r.status.code(), ErrorCode::kPermissionDenied);
  // A body changed after signing.
  std::string changed = Note(10);
  changed.replace(changed.find("\n10\n"), 4, "\n11\n");
  EXPECT_EQ(Add(0, {}, changed).http_status, 403);
  EXPECT_EQ(StoredSize(), 0u);
}

TEST_P(WitnessTest, ExtraSignaturesFromUnknownKeysAreIgnored) {
  auto other = Take(NewNoteSigner("witness.elsewhere", NewEd25519()));
  auto parsed = *ParseNote(Note(10));
  NoteSigner* signers[] = {other.get()};
  auto extra = *ParseNote(*SignNote(parsed.text, signers));
  const std::string note = *AddNoteSignatures(Note(10), extra.signatures);
  EXPECT_EQ(Add(0, {}, note).http_status, 200);
}

TEST_P(WitnessTest, MalformedRequestsAre400) {
  const std::string note = Note(10);
  const std::string good = FormatAddCheckpointRequest(0, {}, note);
  ASSERT_EQ(good.substr(0, 7), "old 0\n\n");
  std::vector<std::string> bodies = {
      "",
      "old 0\n" + note,                    // no empty line: the note's first line is a proof line
      "old 00\n\n" + note,
      "old -1\n\n" + note,
      "old 1x\n\n" + note,
      "new 0\n\n" + note,
      "old 0\n\n",                         // no checkpoint
      "old 0\nnot-base64!\n\n" + note,
      "old 0\nAAAA\n\n" + note,            // base64 but not a hash
      "old 0\n\nnot a note\n",
      "old 0\n\n" + note.substr(0, note.rfind("\n\n") + 1),  // unsigned text
      "old 99999999999999999999\n\n" + note,
  };
  std::string many = "old 5\n";
  for (int i = 0; i < 64; ++i) many += Base64Encode(tree_.RootAt(1)) + "\n";
  bodies.push_back(many + "\n" + note);
  for (const std::string& b : bodies) {
    WitnessReply r = Checked(witness_->AddCheckpoint(b));
    EXPECT_EQ(r.http_status, 400) << b.substr(0, 40) << " -> " << r.body;
  }
  EXPECT_EQ(StoredSize(), 0u);
}

TEST_P(WitnessTest, RequestFormatRoundTrips) {
  const std::vector<Hash> proof = Proof(10, 37);
  auto req = ParseAddCheckpointRequest(FormatAddCheckpointRequest(10, proof, Note(37)));
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->old_size, 10u);
  EXPECT_EQ(req->proof, proof);
  EXPECT_EQ(req->checkpoint, Note(37));
}

TEST_P(WitnessTest, ConcurrentRequestsFromOneStateLetOnlyOneAdvance) {
  Advance(0, 10);
  constexpr int kThreads = 8;
  std::vector<std::string> bodies;
  for (int i = 0; i < kThreads; ++i) {
    const uint64_t size = 11 + static_cast<uint64_t>(i) * 6;
    bodies.push_back(FormatAddCheckpointRequest(10, Proof(10, size), Note(size)));
  }
  std::vector<WitnessReply> replies(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      replies[i] = witness_->AddCheckpoint(bodies[i]);
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  uint64_t winner = 0;
  for (int i = 0; i < kThreads; ++i) {
    Checked(replies[i]);
    if (replies[i].http_status == 200) {
      ++ok;
      winner = 11 + static_cast<uint64_t>(i) * 6;
    } else {
      EXPECT_EQ(replies[i].http_status, 409) << replies[i].status.ToString();
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(StoredSize(), winner);
  for (const WitnessReply& r : replies) {
    if (r.http_status == 409) {
      EXPECT_EQ(r.witness_size, winner);
    }
  }
}

TEST_P(WitnessTest, ConcurrentFirstCheckpointsLetOnlyOneIn) {
  constexpr int kThreads = 6;
  std::vector<WitnessReply> replies(kThreads);
  std::vector<std::string> bodies;
  for (int i = 0; i < kThreads; ++i) bodies.push_back(FormatAddCheckpointRequest(0, {}, Note(5 + i)));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { replies[i] = witness_->AddCheckpoint(bodies[i]); });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (const WitnessReply& r : replies) {
    Checked(r);
    ok += r.http_status == 200;
    if (r.http_status != 200) {
      EXPECT_EQ(r.http_status, 409) << r.status.ToString();
    }
  }
  EXPECT_EQ(ok, 1);
}

TEST_P(WitnessTest, StateSurvivesANewWitnessOnTheSameDatabase) {
  Advance(0, 12);
  std::shared_ptr<const NoteVerifier> v;
  auto again = MakeWitness(db_->get(), "witness.test/w1", &v);
  WitnessReply r = Checked(again->AddCheckpoint(FormatAddCheckpointRequest(0, {}, Note(20))));
  EXPECT_EQ(r.http_status, 409);
  EXPECT_EQ(r.body, "12\n");
}

TEST_P(WitnessTest, WitnessesAGmLogWithSm2AndSm3) {
  constexpr std::string_view kGm = "tongban.test/gm/2026";
  auto sm2 = *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kSm2);
  auto gm_signer = Take(NewNoteSigner(std::string(kGm), sm2));
  auto other = OpenDb();
  crypto::PrivateKey wkey = NewEd25519();
  std::vector<std::unique_ptr<NoteSigner>> signers;
  signers.push_back(Take(NewCosignatureSigner("witness.test/gm", wkey, clock_)));
  std::vector<WitnessedLog> logs;
  logs.push_back({std::string(kGm), {*NewNoteVerifier(std::string(kGm), sm2.public_key())},
                  crypto::HashAlgorithm::kSm3});
  auto w = Take(Witness::Create(other->get(), std::move(signers), std::move(logs), clock_));
  MemoryTree gm(crypto::HashAlgorithm::kSm3);
  LeafTree(gm, 30, "gm ");
  auto note = [&](uint64_t n) {
    return SignedNote({std::string(kGm), n, gm.RootAt(n), {}}, gm_signer.get());
  };
  EXPECT_EQ(Checked(w->AddCheckpoint(FormatAddCheckpointRequest(0, {}, note(9)))).http_status, 200);
  // A SHA-256 tree's proof of the same shape does not verify under SM3; the SM3 one does.
  EXPECT_EQ(Checked(w->AddCheckpoint(FormatAddCheckpointRequest(9, Proof(9, 30), note(30))))
                .http_status,
            422);
  EXPECT_EQ(Checked(w->AddCheckpoint(FormatAddCheckpointRequest(9, *gm.ConsistencyProof(9, 30),
                                                                note(30))))
                .http_status,
            200);
  // Size 0 needs SM3's empty root, and after 30 it is a rollback anyway.
  const std::string empty_sha = SignedNote({std::string(kGm), 0, tree_.hasher().EmptyRoot(), {}},
                                           gm_signer.get());
  EXPECT_EQ(Checked(w->AddCheckpoint(FormatAddCheckpointRequest(30, {}, empty_sha))).http_status,
            400);
}

TEST_P(WitnessTest, CreateRefusesBadConfiguration) {
  auto signer = [&] {
    std::vector<std::unique_ptr<NoteSigner>> s;
    s.push_back(Take(NewCosignatureSigner("w", NewEd25519(), clock_)));
    return s;
  };
  WitnessedLog log{std::string(kOrigin), {log_verifier_}, crypto::HashAlgorithm::kSha256};
  EXPECT_FALSE(Witness::Create(db_->get(), {}, {log}, clock_).ok());
  EXPECT_FALSE(Witness::Create(db_->get(), signer(), {log, log}, clock_).ok());
  EXPECT_FALSE(Witness::Create(db_->get(), signer(), {{std::string(kOrigin), {}}}, clock_).ok());
  EXPECT_FALSE(Witness::Create(db_->get(), signer(), {{"", {log_verifier_}}}, clock_).ok());
  EXPECT_TRUE(Witness::Create(db_->get(), signer(), {log}, clock_).ok());
}

TEST_P(WitnessTest, LatestCheckpointIsNotFoundUntilCosigned) {
  EXPECT_EQ(witness_->LatestCheckpoint(Witness::OriginHash(kOrigin)).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(witness_->LatestCheckpoint(Witness::OriginHash("other")).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(Witness::OriginHash("").size(), 64u);
  EXPECT_EQ(Witness::OriginHash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// ---- The log side: WitnessClient and CollectCosignatures over a fake transport. ----

class FakeTransport {
 public:
  void Add(std::string url, Witness* w) { witnesses_[url + "/add-checkpoint"] = w; }
  void Down(std::string url) { down_.push_back(url + "/add-checkpoint"); }
  void Up(std::string url) { std::erase(down_, url + "/add-checkpoint"); }
  void Override(std::string url, HttpReply reply) { fixed_[url + "/add-checkpoint"] = reply; }
  int requests() const { return requests_.load(); }

  HttpPostFn Post() {
    return [this](const std::string& url, const std::string& body) -> Result<HttpReply> {
      requests_.fetch_add(1);
      for (const std::string& d : down_) {
        if (d == url) return Status::Unavailable("connection refused");
      }
      if (auto f = fixed_.find(url); f != fixed_.end()) return f->second;
      auto it = witnesses_.find(url);
      if (it == witnesses_.end()) return HttpReply{404, "text/plain", "no such witness\n"};
      WitnessReply r = it->second->AddCheckpoint(body);
      return HttpReply{r.http_status, r.content_type, r.body};
    };
  }

 private:
  std::map<std::string, Witness*> witnesses_;
  std::map<std::string, HttpReply> fixed_;
  std::vector<std::string> down_;
  std::atomic<int> requests_{0};
};

class WitnessClientTest : public WitnessTest {
 protected:
  void SetUp() override {
    WitnessTest::SetUp();
    if (IsSkipped()) return;
    db2_ = OpenDb();
    db3_ = OpenDb();
    w2_ = MakeWitness(db2_->get(), "witness.test/w2", &v2_);
    w3_ = MakeWitness(db3_->get(), "witness.test/w3", &v3_);
    net_.Add("https://w1.test", witness_.get());
    net_.Add("https://w2.test", w2_.get());
    net_.Add("https://w3.test", w3_.get());
    c1_ = std::make_unique<WitnessClient>(WitnessEndpoint{"https://w1.test", witness_verifier_},
                                          net_.Post());
    c2_ = std::make_unique<WitnessClient>(WitnessEndpoint{"https://w2.test", v2_}, net_.Post());
    c3_ = std::make_unique<WitnessClient>(WitnessEndpoint{"https://w3.test", v3_}, net_.Post());
    proofs_ = [this](uint64_t m, uint64_t n) -> Result<std::vector<Hash>> {
      std::lock_guard lock(proof_mu_);
      proof_calls_.push_back({m, n});
      return tree_.ConsistencyProof(m, n);
    };
  }

  std::unique_ptr<TestDatabase> db2_, db3_;
  std::unique_ptr<Witness> w2_, w3_;
  std::shared_ptr<const NoteVerifier> v2_, v3_;
  FakeTransport net_;
  std::unique_ptr<WitnessClient> c1_, c2_, c3_;
  std::mutex proof_mu_;
  std::vector<std::pair<uint64_t, uint64_t>> proof_calls_;
  ConsistencyProofFn proofs_;
};

TEST_P(WitnessClientTest, CollectsTwoOfThreeWithOneWitnessDown) {
  net_.Down("https://w3.test");
  WitnessClient* all[] = {c1_.get(), c2_.get(), c3_.get()};
  auto got = CollectCosignatures(Note(10), all, 2, proofs_);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->cosigners, (std::vector<std::string>{"witness.test/w1", "witness.test/w2"}));
  ASSERT_EQ(got->failures.size(), 1u);
  EXPECT_EQ(got->failures[0].code(), ErrorCode::kUnavailable);
  EXPECT_NE(got->failures[0].message().find("witness.test/w3"), std::string::npos);
  auto opened = OpenNote(got->note, NoteVerifierList({log_verifier_, witness_verifier_, v2_, v3_}));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->verified.size(), 3u);  // log + w1 + w2
  EXPECT_TRUE(OpenCheckpoint(got->note, kOrigin, log_verifier_).ok());

  // The next checkpoint: the clients remember the sizes, so proofs start at 10 (w1, w2) and
  // w3, back up, is brought in from 0 with no proof.
  net_.Up("https://w3.test");
  auto next = CollectCosignatures(Note(30), all, 3, proofs_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->cosigners.size(), 3u);
  EXPECT_EQ(proof_calls_, (std::vector<std::pair<uint64_t, uint64_t>>{{10, 30}, {10, 30}}));
  EXPECT_EQ(c3_->known_size(), 30u);
  EXPECT_EQ(w2_->State(kOrigin)->value().size, 30u);
}

TEST_P(WitnessClientTest, FewerThanKIsUnavailable) {
  net_.Down("https://w2.test");
  net_.Down("https://w3.test");
  WitnessClient* all[] = {c1_.get(), c2_.get(), c3_.get()};
  auto got = CollectCosignatures(Note(10), all, 2, proofs_);
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(got.status().message().find("1 of 3 witnesses cosigned, 2 required"),
            std::string::npos)
      << got.status().message();
  EXPECT_EQ(CollectCosignatures(Note(10), all, 4, proofs_).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CollectCosignatures("not a note", all, 1, proofs_).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_P(WitnessClientTest, LearnsTheWitnessSizeFrom409AndRetriesWithAProof) {
  Advance(0, 20);  // w1 saw size 20 from another submitter; c1 does not know
  auto sigs = c1_->Cosign(Note(40), proofs_);
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  EXPECT_EQ(sigs->size(), 1u);
  EXPECT_EQ(proof_calls_, (std::vector<std::pair<uint64_t, uint64_t>>{{20, 40}}));
  EXPECT_EQ(c1_->known_size(), 40u);
  EXPECT_EQ(net_.requests(), 2);
}

TEST_P(WitnessClientTest, ForkReportedByTheWitnessIsUnprocessable) {
  // w1 cosigned a forked tree at 20; our honest checkpoint at 40 cannot be consistent with it.
  WitnessReply r = Add(0, {}, ForkNote(20));
  ASSERT_EQ(r.http_status, 200);
  WitnessClient c(WitnessEndpoint{"https://w1.test", witness_verifier_}, net_.Post(), 20);
  EXPECT_EQ(c.Cosign(Note(40), proofs_).status().code(), ErrorCode::kUnprocessable);
  // A witness that is ahead of the checkpoint is not asked at all.
  WitnessClient ahead(WitnessEndpoint{"https://w2.test", v2_}, net_.Post(), 50);
  const int before = net_.requests();
  EXPECT_EQ(ahead.Cosign(Note(40), proofs_).status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(net_.requests(), before);
}

TEST_P(WitnessClientTest, ForgedOrMalformedRepliesDoNotCount) {
  // w2's reply is a cosignature under w2's name by a different key.
  auto impostor = Take(NewCosignatureSigner("witness.test/w2", NewEd25519(), clock_));
  const std::string text = ParseNote(Note(10))->text;
  const NoteSignature fake{impostor->name(), v2_->key_id(), *impostor->Sign(text)};
  net_.Override("https://w2.test",
                HttpReply{200, "text/plain", *FormatSignatureLines(std::span(&fake, 1))});
  net_.Override("https://w3.test", HttpReply{409, "text/x.tlog.size", "ten\n"});
  WitnessClient* all[] = {c1_.get(), c2_.get(), c3_.get()};
  auto got = CollectCosignatures(Note(10), all, 1, proofs_);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->cosigners, std::vector<std::string>{"witness.test/w1"});
  ASSERT_EQ(got->failures.size(), 2u);
  EXPECT_EQ(got->failures[0].code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(got->failures[1].code(), ErrorCode::kUnavailable);
  EXPECT_EQ(c2_->known_size(), 0u);  // nothing learned from a forged reply
}

TEST_P(WitnessClientTest, StatusCodesMapToErrors) {
  const std::pair<int, ErrorCode> cases[] = {
      {400, ErrorCode::kInvalidArgument}, {403, ErrorCode::kPermissionDenied},
      {404, ErrorCode::kFailedPrecondition}, {422, ErrorCode::kUnprocessable},
      {500, ErrorCode::kUnavailable}, {503, ErrorCode::kUnavailable},
  };
  for (const auto& [http, code] : cases) {
    FakeTransport t;
    t.Override("https://x.test", HttpReply{http, "text/plain", "no\n"});
    WitnessClient c(WitnessEndpoint{"https://x.test", witness_verifier_}, t.Post());
    EXPECT_EQ(c.Cosign(Note(10), proofs_).status().code(), code) << http;
  }
  // A witness that answers 409 twice (its size keeps moving) gives up with kConflict.
  FakeTransport t;
  t.Override("https://x.test", HttpReply{409, "text/x.tlog.size", "5\n"});
  WitnessClient c(WitnessEndpoint{"https://x.test", witness_verifier_}, t.Post());
  EXPECT_EQ(c.Cosign(Note(10), proofs_).status().code(), ErrorCode::kConflict);
  EXPECT_EQ(t.requests(), 2);
}

TEST(WitnessSizeBody, ParsesOnlyADecimalAndANewline) {
  EXPECT_EQ(*ParseWitnessSizeBody("0\n"), 0u);
  EXPECT_EQ(*ParseWitnessSizeBody("20852163\n"), 20852163u);
  EXPECT_EQ(*ParseWitnessSizeBody("18446744073709551615\n"), UINT64_MAX);
  for (std::string_view bad : {"", "\n", "5", "05\n", "-1\n", "1 \n", "18446744073709551616\n"}) {
    EXPECT_FALSE(ParseWitnessSizeBody(bad).ok()) << bad;
  }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, WitnessTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, WitnessTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Sqlite, WitnessClientTest, ::testing::Values(Backend::kSqlite),
                         tongban::testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Postgres, WitnessClientTest, ::testing::Values(Backend::kPostgres),
                         tongban::testing::BackendName);

}  // namespace
}  // namespace tongban::ledger
