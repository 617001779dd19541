// Test fixture for the stored log (log_storage, sequencer, log_reader, audit): one database per
// test on SQLite (a file in a fresh temp dir, WAL) or PostgreSQL (a fresh schema in the cluster
// at $TONGBAN_TEST_PG; the instantiation skips when it is unset), for both suites (gm: SM3 +
// SM2, intl: SHA-256 + Ed25519), with the ledger migrations applied and a fresh log key.
// Test-only; not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "crypto/key.h"
#include "ledger/entry.h"
#include "ledger/log_storage.h"
#include "ledger/memory_tree.h"
#include "ledger/note_keys.h"
#include "ledger/sequencer.h"
#include "store/database.h"
#include "store/migration.h"

namespace tongban::ledger::testing {

enum class Backend { kSqlite, kPostgres };
enum class Suite { kGm, kIntl };

struct StoredLogParam {
  Backend backend;
  Suite suite;
};

inline std::string ParamName(const ::testing::TestParamInfo<StoredLogParam>& info) {
  return std::string(info.param.backend == Backend::kSqlite ? "Sqlite" : "Postgres") +
         (info.param.suite == Suite::kGm ? "Gm" : "Intl");
}

inline std::vector<StoredLogParam> AllStoredLogParams() {
  return {{Backend::kSqlite, Suite::kGm},
          {Backend::kSqlite, Suite::kIntl},
          {Backend::kPostgres, Suite::kGm},
          {Backend::kPostgres, Suite::kIntl}};
}

// A unique name per database made by this process.
inline std::string UniqueName(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "_" + std::to_string(getpid()) + "_" +
         std::to_string(counter.fetch_add(1));
}

class StoredLogTest : public ::testing::TestWithParam<StoredLogParam> {
 protected:
  void SetUp() override {
    const StoredLogParam p = GetParam();
    hash_ = p.suite == Suite::kGm ? crypto::HashAlgorithm::kSm3 : crypto::HashAlgorithm::kSha256;
    origin_ = p.suite == Suite::kGm ? "tongban.test/gm/log" : "tongban.test/intl/log";
    if (p.backend == Backend::kPostgres) {
      const char* pg = std::getenv("TONGBAN_TEST_PG");
      if (pg == nullptr || *pg == '\0') GTEST_SKIP() << "TONGBAN_TEST_PG is not set";
      std::string url = pg;
      url += (url.find('?') == std::string::npos ? "?" : "&");
      url += "schema=" + UniqueName("ledger_t");
      url_ = url;
    } else {
      char tmpl[] = "/tmp/tongban-ledger-test-XXXXXX";
      ASSERT_NE(mkdtemp(tmpl), nullptr);
      dir_ = tmpl;
      url_ = "sqlite://" + dir_ + "/ledger.db";
    }
    auto db = store::Database::Open(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString() << " " << db.status().detail();
    db_ = std::move(*db);
    Status m = store::Migrate(*db_, LogStorageMigrations());
    ASSERT_TRUE(m.ok()) << m.ToString() << " " << m.detail();

    auto key = crypto::PrivateKey::Generate(p.suite == Suite::kGm
                                                ? crypto::SignatureAlgorithm::kSm2
                                                : crypto::SignatureAlgorithm::kEd25519);
    ASSERT_TRUE(key.ok());
    auto signer = NewNoteSigner(origin_, *key);
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    signer_ = std::move(*signer);
    auto verifier = NewNoteVerifier(origin_, key->public_key());
    ASSERT_TRUE(verifier.ok());
    verifier_ = std::move(*verifier);
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  // A second handle on the same database (a "restarted process").
  std::unique_ptr<store::Database> Reopen() {
    auto db = store::Database::Open(url_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  SequencerOptions Options(size_t max_batch = 100000) {
    SequencerOptions o;
    o.origin = origin_;
    o.hash = hash_;
    o.signers = {signer_.get()};
    o.max_batch = max_batch;
    o.max_delay = std::chrono::milliseconds(1);
    o.clock = &clock_;
    return o;
  }

  std::unique_ptr<Sequencer> MakeSequencer(size_t max_batch = 100000,
                                           store::Database* db = nullptr) {
    auto s = Sequencer::Create(db != nullptr ? *db : *db_, Options(max_batch));
    EXPECT_TRUE(s.ok()) << s.status().ToString() << " " << s.status().detail();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // Deterministic test entry number `i` (index unset).
  Entry MakeEntry(uint64_t i) const {
    Entry e;
    e.type = (i % 3 == 0) ? "receipt.issue" : "license.verify";
    for (size_t b = 0; b < e.subject.size(); ++b) e.subject[b] = static_cast<uint8_t>(i * 7 + b);
    e.document = crypto::Hash(hash_, "document " + std::to_string(i));
    e.time_micros = 1'700'000'000'000'000 + static_cast<int64_t>(i);
    return e;
  }

  // The canonical bytes entry `i` has once integrated at `index`.
  std::string EntryBytes(uint64_t i, uint64_t index) const {
    Entry e = MakeEntry(i);
    e.index = LeafIndex{index};
    return *EncodeEntry(e);
  }

  // Enqueues entries [begin, end) in one committed transaction.
  void Enqueue(uint64_t begin, uint64_t end) {
    std::vector<Entry> entries;
    for (uint64_t i = begin; i < end; ++i) entries.push_back(MakeEntry(i));
    Status s = db_->Transact([&](store::Tx& tx) { return EnqueueEntries(tx, entries); });
    ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  }

  // Appends entries [begin, end) to `tree` as the log integrates them (entry i at index i).
  void AppendExpected(MemoryTree& tree, uint64_t begin, uint64_t end) const {
    for (uint64_t i = begin; i < end; ++i) tree.AppendLeafData(EntryBytes(i, i));
  }

  crypto::HashAlgorithm hash_ = crypto::HashAlgorithm::kSm3;
  std::string origin_;
  std::string url_;
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<NoteSigner> signer_;
  std::shared_ptr<const NoteVerifier> verifier_;
  FakeClock clock_{1'700'000'000'000'000};
};

}  // namespace tongban::ledger::testing
