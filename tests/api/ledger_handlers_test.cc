// The ledger's public HTTP endpoints on SQLite and PostgreSQL: a client that trusts only the
// verifier key fetches a checkpoint, an entry and its inclusion proof, a consistency proof and
// tiles over HTTP, and verifies all of it itself. Malformed parameters get precise problems.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "api/dispatcher.h"
#include "ledger/part/ledger_handlers.h"
#include "api/server.h"
#include "core/base64.h"
#include "crypto/key.h"
#include "crypto/suite.h"
#include "ledger/checkpoint.h"
#include "ledger/log_storage.h"
#include "ledger/note_keys.h"
#include "ledger/proof.h"
#include "ledger/sequencer.h"
#include "ledger/tile.h"
#include "store/migration.h"
#include "testing/databases.h"
#include "testing/http_client.h"
#include "testing/test_server.h"

namespace tongban::api {
namespace {

using tongban::testing::Backend;
using tongban::testing::HttpClient;

constexpr char kOrigin[] = "test.tongban.example/ledger";

struct SuiteCase {
  Backend backend;
  const char* suite;
};

class LedgerHandlersTest : public ::testing::TestWithParam<SuiteCase> {
 protected:
  void SetUp() override {
    db_ = tongban::testing::OpenTestDatabase(GetParam().backend);
    if (!db_) GTEST_SKIP() << "TONGBAN_TEST_PG not set";
    suite_ = *crypto::ParseSuite(GetParam().suite);
    ASSERT_TRUE(store::Migrate(**db_, ledger::LogStorageMigrations()).ok());
    auto key = crypto::PrivateKey::Generate(suite_.signature);
    ASSERT_TRUE(key.ok());
    verifier_key_ = *ledger::NoteVerifierKeyString(kOrigin, key->public_key());
    signer_ = std::move(ledger::NewNoteSigner(kOrigin, *key)).value();
    ledger::SequencerOptions options;
    options.origin = kOrigin;
    options.hash = suite_.hash;
    options.signers = {signer_.get()};
    options.max_batch = 100;
    auto seq = ledger::Sequencer::Create(**db_, options);
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    sequencer_ = std::move(seq).value();
    // 300 entries in batches of 100: checkpoints at 100, 200, 300; one full tile at level 0.
    std::vector<ledger::Entry> entries;
    for (int i = 0; i < 300; ++i) {
      ledger::Entry e;
      e.type = "test.event";
      e.subject[0] = static_cast<uint8_t>(i);
      e.document[1] = static_cast<uint8_t>(i);
      e.time_micros = 1'790'000'000'000'000 + i;
      entries.push_back(e);
    }
    ASSERT_TRUE((*db_)->Transact([&](store::Tx& tx) { return ledger::EnqueueEntries(tx, entries); }).ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(sequencer_->IntegrateOnce().ok());
    reader_ = std::make_unique<ledger::LogReader>(**db_, suite_.hash);
    AddLedgerRoutes(dispatcher_.router(), *reader_, {.verifier_key = verifier_key_});
    server_ = std::make_unique<tongban::testing::TestServer>(dispatcher_);
  }

  tongban::testing::RawResponse Get(const std::string& target) {
    HttpClient c(server_->port());
    auto r = c.Request("GET", target);
    EXPECT_TRUE(r) << target;
    return r ? *r : tongban::testing::RawResponse{};
  }
  static ledger::Hash DecodeHash(const boost::json::value& v) {
    auto bytes = Base64Decode(std::string_view(v.as_string()));
    ledger::Hash h{};
    EXPECT_TRUE(bytes.ok() && bytes->size() == h.size()) << v;
    if (bytes.ok() && bytes->size() == h.size()) std::copy(bytes->begin(), bytes->end(), h.begin());
    return h;
  }

  std::unique_ptr<tongban::testing::TestDatabase> db_;
  crypto::Suite suite_;
  std::string verifier_key_;
  std::unique_ptr<ledger::NoteSigner> signer_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  std::unique_ptr<ledger::LogReader> reader_;
  Dispatcher dispatcher_{"test"};
  std::unique_ptr<tongban::testing::TestServer> server_;
};

TEST_P(LedgerHandlersTest, ClientVerifiesInclusionAndConsistencyFromHttpAlone) {
  auto verifier = ledger::ParseNoteVerifier(verifier_key_);
  ASSERT_TRUE(verifier.ok());
  auto note = Get("/ledger/checkpoint");
  ASSERT_EQ(note.status, 200);
  auto checkpoint = ledger::OpenCheckpoint(note.body, kOrigin, *verifier);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->size, 300u);

  ledger::TreeHasher hasher(suite_.hash);
  auto entry = Get("/api/v1/ledger/entries/123");
  ASSERT_EQ(entry.status, 200);
  auto e = boost::json::parse(entry.body).as_object();
  EXPECT_EQ(e["type"].as_string(), "test.event");
  auto entry_bytes = Base64Decode(std::string_view(e["entry"].as_string()));
  ASSERT_TRUE(entry_bytes.ok());
  ledger::Hash leaf = hasher.HashLeaf(*entry_bytes);
  EXPECT_EQ(leaf, DecodeHash(e["leaf_hash"]));

  auto proof = Get("/api/v1/ledger/proofs/inclusion?index=123");
  ASSERT_EQ(proof.status, 200);
  auto p = boost::json::parse(proof.body).as_object();
  std::vector<ledger::Hash> path;
  for (const auto& h : p["hashes"].as_array()) path.push_back(DecodeHash(h));
  EXPECT_TRUE(ledger::VerifyInclusion(hasher, 123, 300, leaf, path, checkpoint->root).ok());
  // The same proof by leaf hash.
  auto by_hash = Get("/api/v1/ledger/proofs/inclusion?leaf_hash=" + crypto::ToHex(leaf));
  ASSERT_EQ(by_hash.status, 200);
  EXPECT_EQ(boost::json::parse(by_hash.body).at("index").as_int64(), 123);

  // Consistency from the checkpoint at 100 to the one at 300.
  auto old_cp = Get("/api/v1/ledger/checkpoints?after=0&limit=1");
  ASSERT_EQ(old_cp.status, 200);
  auto first = boost::json::parse(old_cp.body).at("items").at(0).as_object();
  uint64_t old_size = first["size"].as_int64();
  ASSERT_GT(old_size, 0u);
  auto cons = Get("/api/v1/ledger/proofs/consistency?from=" + std::to_string(old_size) + "&to=300");
  ASSERT_EQ(cons.status, 200);
  std::vector<ledger::Hash> cpath;
  boost::json::value cons_json = boost::json::parse(cons.body);
  for (const auto& h : cons_json.at("hashes").as_array()) cpath.push_back(DecodeHash(h));
  EXPECT_TRUE(ledger::VerifyConsistency(hasher, old_size, 300, cpath, DecodeHash(first["root"]),
                                        checkpoint->root)
                  .ok());
}

TEST_P(LedgerHandlersTest, TilesServeHashesAndEntryBundles) {
  auto tile = Get("/ledger/tile/0/000");
  ASSERT_EQ(tile.status, 200);
  EXPECT_EQ(tile.body.size(), 256u * 32);
  EXPECT_NE(tile.headers["cache-control"].find("immutable"), std::string::npos);
  auto partial = Get("/ledger/tile/0/001.p/44");
  ASSERT_EQ(partial.status, 200);
  EXPECT_EQ(partial.body.size(), 44u * 32);
  auto bundle = Get("/ledger/tile/entries/000");
  ASSERT_EQ(bundle.status, 200);
  auto entries = ledger::ParseEntryBundle(bundle.body);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 256u);
  // The first level-0 tile hashes to the first 256 leaves' subtree: leaf 0 is the first hash.
  ledger::TreeHasher hasher(suite_.hash);
  ledger::Hash first_leaf = hasher.HashLeaf((*entries)[0]);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(first_leaf.data()), 32), tile.body.substr(0, 32));
}

TEST_P(LedgerHandlersTest, MalformedParametersGetProblems) {
  EXPECT_EQ(Get("/api/v1/ledger/entries/abc").status, 400);
  EXPECT_EQ(Get("/api/v1/ledger/entries/007").status, 400);
  EXPECT_EQ(Get("/api/v1/ledger/entries/99999999999999999999").status, 400);
  EXPECT_EQ(Get("/api/v1/ledger/entries/300").status, 404);
  EXPECT_EQ(Get("/api/v1/ledger/proofs/inclusion").status, 400);
  EXPECT_EQ(Get("/api/v1/ledger/proofs/inclusion?index=300").status, 400);
  EXPECT_EQ(Get("/api/v1/ledger/proofs/inclusion?index=1&tree_size=301").status, 400);
  EXPECT_EQ(Get("/api/v1/ledger/proofs/inclusion?leaf_hash=zz").status, 400);
  EXPECT_EQ(Get("/api/v1/ledger/proofs/inclusion?leaf_hash=" + std::string(64, 'a')).status, 404);
  EXPECT_EQ(Get("/api/v1/ledger/proofs/consistency?from=0&to=300").status, 400);
  EXPECT_EQ(Get("/api/v1/ledger/proofs/consistency?from=200&to=100").status, 400);
  EXPECT_EQ(Get("/api/v1/ledger/checkpoints?limit=0").status, 400);
  EXPECT_EQ(Get("/ledger/tile/0/x1").status, 400);
  EXPECT_EQ(Get("/ledger/tile/0/005").status, 404);
  EXPECT_EQ(Get("/ledger/tile/entries/001.p/0").status, 400);
  auto problem = Get("/api/v1/ledger/entries/abc");
  EXPECT_EQ(problem.headers["content-type"], "application/problem+json");
  EXPECT_EQ(boost::json::parse(problem.body).at("errors").at(0).at("field").as_string(), "index");
}

INSTANTIATE_TEST_SUITE_P(All, LedgerHandlersTest,
                         ::testing::Values(SuiteCase{Backend::kSqlite, "gm"},
                                           SuiteCase{Backend::kSqlite, "intl"},
                                           SuiteCase{Backend::kPostgres, "gm"},
                                           SuiteCase{Backend::kPostgres, "intl"}),
                         [](const ::testing::TestParamInfo<SuiteCase>& info) {
                           return std::string(info.param.backend == Backend::kSqlite ? "Sqlite"
                                                                                     : "Postgres") +
                                  "_" + info.param.suite;
                         });

}  // namespace
}  // namespace tongban::api
