// One conformance suite for store::Database, run against both drivers:
//   Sqlite/DatabaseTest.*    a temporary file per test
//   Postgres/DatabaseTest.*  a schema per test in TONGBAN_TEST_PG (skipped when unset)
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <barrier>
#include <cstdlib>
#include <future>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/migration.h"
#include "store_test_env.h"

namespace tongban::store {
namespace {

using testing::TestDatabaseEnv;

class DatabaseTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string why = env_.Init(GetParam());
    if (!why.empty()) GTEST_SKIP() << why;
    auto db = env_.Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString() << " " << db.status().detail();
    db_ = std::move(db).value();
  }

  void Script(const std::string& sql) {
    Status s = db_->Transact([&](Tx& tx) { return tx.ExecScript(sql); });
    ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  }

  int64_t Count(const std::string& table) {
    int64_t n = -1;
    Status s = db_->Read([&](Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*) FROM " + table));
      n = row->Int64(0);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
    return n;
  }

  TestDatabaseEnv env_;
  std::unique_ptr<Database> db_;
};

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

TEST_P(DatabaseTest, CrudRoundTripsChineseTextBlobsNullsAndInt64Range) {
  Script("CREATE TABLE person (id BIGINT PRIMARY KEY, name TEXT NOT NULL, photo " +
         std::string(GetParam() == Dialect::kPostgres ? "BYTEA" : "BLOB") + ", note TEXT)");
  const std::string blob = Bytes({0, 1, 0, 255, 0, 0x7f, 0x80, 0});
  const std::string name = "张伟";
  Status s = db_->Transact([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("INSERT INTO person (id, name, photo, note) VALUES (?, ?, ?, ?)",
                                           {1, name, Param::Blob(blob), nullptr}));
    EXPECT_EQ(n, 1);
    TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO person (id, name, photo, note) VALUES (?, ?, ?, ?)",
                               {INT64_MAX, "李娜", Param::Blob(std::string_view()), "备注 'quoted' ?"})
                           .status());
    return tx.Exec("INSERT INTO person (id, name, photo, note) VALUES (?, ?, ?, ?)",
                   {INT64_MIN, "", nullptr, ""})
        .status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();

  s = db_->Read([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, name, photo, note FROM person ORDER BY id"));
    EXPECT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].Int64(0), INT64_MIN);
    EXPECT_EQ(rows[0].Text(1), "");
    EXPECT_TRUE(rows[0].IsNull(2));
    EXPECT_FALSE(rows[0].IsNull(3));
    EXPECT_EQ(rows[1].Int64(0), 1);
    EXPECT_EQ(rows[1].Text(1), "张伟");
    auto photo = rows[1].Blob(2);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(photo.data()), photo.size()), blob);
    EXPECT_TRUE(rows[1].IsNull(3));
    EXPECT_FALSE(rows[1].OptText(3).has_value());
    EXPECT_EQ(rows[2].Int64(0), INT64_MAX);
    EXPECT_FALSE(rows[2].IsNull(2));
    EXPECT_EQ(rows[2].Blob(2).size(), 0u);
    EXPECT_EQ(rows[2].Text(3), "备注 'quoted' ?");
    // A literal `?` inside a string is not a placeholder.
    TB_ASSIGN_OR_RETURN(auto by_name, tx.QueryRow(
        "SELECT id FROM person WHERE name = ? AND COALESCE(note, '') <> '?' -- is this ?\n", {"张伟"}));
    EXPECT_TRUE(by_name.has_value());
    TB_ASSIGN_OR_RETURN(auto none, tx.QueryRow("SELECT id FROM person WHERE name = ?", {"王芳"}));
    EXPECT_FALSE(none.has_value());
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();

  s = db_->Transact([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE person SET note = ? WHERE id = ?", {"已核验", 1}));
    EXPECT_EQ(n, 1);
    TB_ASSIGN_OR_RETURN(int64_t d, tx.Exec("DELETE FROM person WHERE id <> ?", {1}));
    EXPECT_EQ(d, 2);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  EXPECT_EQ(Count("person"), 1);
}

// Review finding (issue 15): libpq takes text parameters as C strings, so a NUL cut a value short
// ("admin\0x" was looked up as "admin"). PostgreSQL now refuses such a value; SQLite keeps it whole.
TEST_P(DatabaseTest, TextWithANulByteIsNeverCutShort) {
  Script("CREATE TABLE nul_test (login TEXT NOT NULL)");
  const std::string with_nul("admin\0x", 7);
  Status s = db_->Transact([&](Tx& tx) {
    return tx.Exec("INSERT INTO nul_test (login) VALUES (?)", {with_nul}).status();
  });
  if (GetParam() == Dialect::kPostgres) {
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << s.ToString();
  } else {
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  Status read = db_->Read([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT login FROM nul_test WHERE login = ?", {"admin"}));
    EXPECT_FALSE(row.has_value()) << "a value with a NUL matched its prefix";
    return Status::Ok();
  });
  EXPECT_TRUE(read.ok()) << read.ToString();
}

TEST_P(DatabaseTest, InsertReturningIdGivesNewIds) {
  Script(GetParam() == Dialect::kPostgres
             ? "CREATE TABLE item (id BIGSERIAL PRIMARY KEY, name TEXT)"
             : "CREATE TABLE item (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)");
  std::vector<int64_t> ids;
  Status s = db_->Transact([&](Tx& tx) -> Status {
    for (const char* n : {"出生医学证明", "营业执照"}) {
      TB_ASSIGN_OR_RETURN(int64_t id, tx.InsertReturningId(
          "INSERT INTO item (name) VALUES (?) RETURNING id", {n}));
      ids.push_back(id);
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2}));
}

TEST_P(DatabaseTest, ErrorFromFunctionRollsBackEverything) {
  Script("CREATE TABLE t (k BIGINT PRIMARY KEY)");
  Status s = db_->Transact([&](Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO t (k) VALUES (?)", {1}).status());
    TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO t (k) VALUES (?)", {2}).status());
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_EQ(Count("t"), 0);
  EXPECT_EQ(db_->stats().failures, 1);
}

TEST_P(DatabaseTest, UniqueViolationIsAlreadyExistsAndRollsBack) {
  Script("CREATE TABLE t (k BIGINT PRIMARY KEY)");
  Status s = db_->Transact([&](Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(tx.Exec("INSERT INTO t (k) VALUES (?)", {1}).status());
    return tx.Exec("INSERT INTO t (k) VALUES (?)", {1}).status();
  });
  EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists) << s.ToString();
  EXPECT_NE(s.detail(), "");  // driver text goes to the detail, not the message
  EXPECT_EQ(s.message().find("UNIQUE"), std::string::npos);
  EXPECT_EQ(Count("t"), 0);
}

TEST_P(DatabaseTest, SwallowedStatementErrorIsNeverCommitted) {
  Script("CREATE TABLE t (k BIGINT PRIMARY KEY)");
  Status s = db_->Transact([&](Tx& tx) -> Status {
    (void)tx.Exec("INSERT INTO t (k) VALUES (?)", {1});
    (void)tx.Exec("INSERT INTO t (k) VALUES (?)", {1});  // fails; the caller ignores it
    return Status::Ok();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Count("t"), 0);
}

TEST_P(DatabaseTest, ForeignKeysAreEnforced) {
  Script("CREATE TABLE parent (id BIGINT PRIMARY KEY)");
  Script("CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT REFERENCES parent(id))");
  Status s = db_->Transact([&](Tx& tx) {
    return tx.Exec("INSERT INTO child (id, parent_id) VALUES (?, ?)", {1, 42}).status();
  });
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition) << s.ToString() << " " << s.detail();
}

TEST_P(DatabaseTest, BadSqlIsInternalWithDetail) {
  Status s = db_->Transact([&](Tx& tx) { return tx.Exec("SELEC nonsense").status(); });
  EXPECT_EQ(s.code(), ErrorCode::kInternal);
  EXPECT_NE(s.detail(), "");
  s = db_->Transact([&](Tx& tx) { return tx.Exec("SELECT ? + ?", {1}).status(); });
  EXPECT_EQ(s.code(), ErrorCode::kInternal) << "wrong parameter count";
}

TEST_P(DatabaseTest, ReadOnlyTransactionRejectsWrites) {
  Script("CREATE TABLE t (k BIGINT PRIMARY KEY)");
  Status s = db_->Read([&](Tx& tx) {
    EXPECT_TRUE(tx.read_only());
    return tx.Exec("INSERT INTO t (k) VALUES (?)", {1}).status();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Count("t"), 0);
}

TEST_P(DatabaseTest, ReaderKeepsItsSnapshotWhileWriterCommits) {
  Script("CREATE TABLE t (k BIGINT PRIMARY KEY)");
  Script("INSERT INTO t (k) VALUES (1)");
  Status s = db_->Read([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto before, tx.QueryRow("SELECT COUNT(*) FROM t"));
    EXPECT_EQ(before->Int64(0), 1);
    // A commit by another thread while this snapshot is open...
    std::thread writer([&] { Script("INSERT INTO t (k) VALUES (2)"); });
    writer.join();
    TB_ASSIGN_OR_RETURN(auto after, tx.QueryRow("SELECT COUNT(*) FROM t"));
    EXPECT_EQ(after->Int64(0), 1);  // ...is not seen inside it.
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  EXPECT_EQ(Count("t"), 2);
}

TEST_P(DatabaseTest, BatchInsertsManyRowsAndCountsThem) {
  Script(std::string("CREATE TABLE leaf (idx BIGINT PRIMARY KEY, hash ") +
         (GetParam() == Dialect::kPostgres ? "BYTEA" : "BLOB") + " NOT NULL, note TEXT)");
  constexpr int kRows = 5000;
  Status s = db_->Transact([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto batch, tx.PrepareBatch("INSERT INTO leaf (idx, hash, note) VALUES (?, ?, ?)"));
    std::string hash(32, '\0');
    for (int i = 0; i < kRows; ++i) {
      hash[0] = static_cast<char>(i);
      TB_RETURN_IF_ERROR(batch->Add(
          {i, Param::Blob(hash), i % 2 ? Param("张伟\t\\N\n\\") : Param(nullptr)}));
    }
    TB_ASSIGN_OR_RETURN(int64_t n, batch->Finish());
    EXPECT_EQ(n, kRows);
    // Statements after a batch see its rows.
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*), MAX(idx) FROM leaf"));
    EXPECT_EQ(row->Int64(0), kRows);
    EXPECT_EQ(row->Int64(1), kRows - 1);
    TB_ASSIGN_OR_RETURN(auto r7, tx.QueryRow("SELECT hash, note FROM leaf WHERE idx = 7"));
    if (!r7) return Status::NotFound("leaf", "7");
    EXPECT_EQ(r7->Blob(0).size(), 32u);
    EXPECT_EQ(r7->Blob(0)[0], 7);
    EXPECT_EQ(r7->Blob(0)[1], 0);
    EXPECT_EQ(r7->Text(1), "张伟\t\\N\n\\");
    TB_ASSIGN_OR_RETURN(auto r8, tx.QueryRow("SELECT note FROM leaf WHERE idx = 8"));
    if (!r8) return Status::NotFound("leaf", "8");
    EXPECT_TRUE(r8->IsNull(0));
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  EXPECT_EQ(Count("leaf"), kRows);
}

TEST_P(DatabaseTest, BatchRowsAreCopiedAndSeenByLaterStatementsBeforeFinish) {
  // SQLite buffers a plain INSERT's rows into multi-row statements: values must be copied at Add
  // (the caller's strings die right after it), and any other statement of the transaction, or the
  // batch's destruction without Finish, writes what is buffered first.
  Script(std::string("CREATE TABLE t (id ") +
         (GetParam() == Dialect::kPostgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT") +
         ", k BIGINT NOT NULL, name TEXT NOT NULL)");
  Status s = db_->Transact([&](Tx& tx) -> Status {
    {
      TB_ASSIGN_OR_RETURN(auto batch, tx.PrepareBatch("INSERT INTO t (k, name) VALUES (?, ?)"));
      for (int i = 0; i < 100; ++i) {
        std::string name = "李娜-" + std::to_string(i) + std::string(40, 'x');  // dies after Add
        TB_RETURN_IF_ERROR(batch->Add({i, name}));
      }
      TB_ASSIGN_OR_RETURN(auto mid, tx.QueryRow("SELECT COUNT(*), MAX(k) FROM t"));
      EXPECT_EQ(mid->Int64(0), 100);
      EXPECT_EQ(mid->Int64(1), 99);
    }
    {
      TB_ASSIGN_OR_RETURN(auto batch, tx.PrepareBatch("INSERT INTO t (k, name) VALUES (?, ?)"));
      for (int i = 100; i < 130; ++i) {
        TB_RETURN_IF_ERROR(batch->Add({i, "张伟-" + std::to_string(i)}));
      }
    }  // destroyed without Finish
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT COUNT(*), MIN(id), MAX(id) FROM t"));
    EXPECT_EQ(row->Int64(0), 130);
    EXPECT_EQ(row->Int64(2) - row->Int64(1), 129);  // ids in insertion order, no gaps
    TB_ASSIGN_OR_RETURN(auto r, tx.QueryRow("SELECT name FROM t WHERE k = 42"));
    EXPECT_EQ(r->Text(0), "李娜-42" + std::string(40, 'x'));
    TB_ASSIGN_OR_RETURN(auto r2, tx.QueryRow("SELECT name FROM t WHERE k = 129"));
    EXPECT_EQ(r2->Text(0), "张伟-129");
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  EXPECT_EQ(Count("t"), 130);
}

TEST_P(DatabaseTest, BatchOfUpsertsAndUpdatesRunsEveryRow) {
  Script("CREATE TABLE t (k BIGINT PRIMARY KEY, v BIGINT NOT NULL)");
  Status s = db_->Transact([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto ins, tx.PrepareBatch(
        "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING"));
    for (int i = 0; i < 2500; ++i) TB_RETURN_IF_ERROR(ins->Add({i % 2000, 1}));
    TB_ASSIGN_OR_RETURN(int64_t inserted, ins->Finish());
    EXPECT_EQ(inserted, 2000);
    TB_ASSIGN_OR_RETURN(auto upd, tx.PrepareBatch("UPDATE t SET v = v + ? WHERE k = ?"));
    for (int i = 0; i < 1500; ++i) TB_RETURN_IF_ERROR(upd->Add({10, i}));
    // A second batch opened while the first is in flight: the first is synced.
    TB_ASSIGN_OR_RETURN(auto upd2, tx.PrepareBatch("UPDATE t SET v = v + ? WHERE k = ?"));
    TB_RETURN_IF_ERROR(upd2->Add({100, 0}));
    TB_ASSIGN_OR_RETURN(int64_t updated, upd->Finish());
    EXPECT_EQ(updated, 1500);
    return upd2->Finish().status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  s = db_->Read([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT SUM(v), COUNT(*) FROM t"));
    EXPECT_EQ(row->Int64(0), 2000 + 1500 * 10 + 100);
    EXPECT_EQ(row->Int64(1), 2000);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
}

TEST_P(DatabaseTest, BatchWithADuplicateFailsAndStoresNothing) {
  Script("CREATE TABLE t (k BIGINT PRIMARY KEY)");
  Status s = db_->Transact([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto batch, tx.PrepareBatch("INSERT INTO t (k) VALUES (?)"));
    for (int i = 0; i < 3000; ++i) TB_RETURN_IF_ERROR(batch->Add({i == 1500 ? 7 : i}));
    return batch->Finish().status();
  });
  EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists) << s.ToString() << " " << s.detail();
  EXPECT_EQ(Count("t"), 0);
}

TEST_P(DatabaseTest, ConflictingTransactionIsRetried) {
  Script("CREATE TABLE counter (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)");
  Script("INSERT INTO counter (id, v) VALUES (1, 0)");
  auto other = env_.Open("busy_timeout_ms=1");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  int attempts = 0;
  if (GetParam() == Dialect::kPostgres) {
    // Attempt 1 reads the row, another connection commits a change to it, then attempt 1's
    // update fails with 40001 and the transaction runs again on fresh data.
    Status s = db_->Transact([&](Tx& tx) -> Status {
      ++attempts;
      TB_RETURN_IF_ERROR(tx.Query("SELECT v FROM counter WHERE id = 1").status());
      if (attempts == 1) {
        Status o = (*other)->Transact([](Tx& t) {
          return t.Exec("UPDATE counter SET v = v + 10 WHERE id = 1").status();
        });
        EXPECT_TRUE(o.ok()) << o.ToString();
      }
      return tx.Exec("UPDATE counter SET v = v + 1 WHERE id = 1").status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
    EXPECT_EQ(attempts, 2);
  } else {
    // Another connection holds the write lock for a while; our BEGIN IMMEDIATE gets
    // SQLITE_BUSY (busy_timeout 1 ms) and the transaction is retried until the lock is free.
    db_.reset();
    auto mine = env_.Open("busy_timeout_ms=1&max_attempts=100");
    ASSERT_TRUE(mine.ok());
    db_ = std::move(mine).value();
    std::promise<void> holding;
    std::thread holder([&] {
      Status o = (*other)->Transact([&](Tx& t) -> Status {
        TB_RETURN_IF_ERROR(t.Exec("UPDATE counter SET v = v + 10 WHERE id = 1").status());
        holding.set_value();
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        return Status::Ok();
      });
      EXPECT_TRUE(o.ok()) << o.ToString();
    });
    holding.get_future().wait();
    Status s = db_->Transact([&](Tx& tx) {
      ++attempts;
      return tx.Exec("UPDATE counter SET v = v + 1 WHERE id = 1").status();
    });
    holder.join();
    ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
    EXPECT_EQ(attempts, 1);  // the retries happened at BEGIN, before the function ran
  }
  EXPECT_GE(db_->stats().retries, 1);
  Status s = db_->Read([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT v FROM counter WHERE id = 1"));
    EXPECT_EQ(row->Int64(0), 11);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok());
}

TEST_P(DatabaseTest, ConcurrentIncrementsAllCommit) {
  Script("CREATE TABLE counter (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)");
  Script("INSERT INTO counter (id, v) VALUES (1, 0)");
  auto db = env_.Open("pool_size=8&max_attempts=100");
  ASSERT_TRUE(db.ok());
  constexpr int kThreads = 8, kEach = 25;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        Status s = (*db)->Transact([](Tx& tx) -> Status {
          TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT v FROM counter WHERE id = 1"));
          return tx.Exec("UPDATE counter SET v = ? WHERE id = 1", {row->Int64(0) + 1}).status();
        });
        if (!s.ok()) failed++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  std::cout << "retries: " << (*db)->stats().retries << "\n";
  Status s = db_->Read([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT v FROM counter WHERE id = 1"));
    // Read-modify-write with no lost update: serializable on both drivers.
    EXPECT_EQ(row->Int64(0), kThreads * kEach);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok());
}

TEST_P(DatabaseTest, TwoHundredConcurrentClaimsExactlyOneWins) {
  Script("CREATE TABLE receipt (id BIGINT PRIMARY KEY, total_fen BIGINT NOT NULL, claimed_by TEXT)");
  Script("INSERT INTO receipt (id, total_fen) VALUES (1, 12345)");
  // Four Database objects (separate connection pools, separate SQLite writer connections).
  constexpr int kThreads = 200, kDatabases = 4;
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < kDatabases; ++i) {
    auto db = env_.Open("pool_size=" + std::to_string(kThreads / kDatabases) + "&max_attempts=200");
    ASSERT_TRUE(db.ok()) << db.status().ToString() << " " << db.status().detail();
    dbs.push_back(std::move(db).value());
  }
  std::atomic<int> won{0}, conflicts{0}, other{0};
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      Status s = dbs[t % kDatabases]->Transact([&](Tx& tx) -> Status {
        TB_ASSIGN_OR_RETURN(int64_t n, tx.Exec(
            "UPDATE receipt SET claimed_by = ? WHERE id = ? AND claimed_by IS NULL",
            {"insurer-" + std::to_string(t), 1}));
        if (n == 0) return Status::Conflict("receipt already claimed");
        return Status::Ok();
      });
      if (s.ok()) {
        won++;
      } else if (s.code() == ErrorCode::kConflict) {
        conflicts++;
      } else {
        other++;
        ADD_FAILURE() << s.ToString() << " " << s.detail();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  Status s = db_->Read([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT claimed_by FROM receipt WHERE id = 1"));
    if (!row) return Status::NotFound("receipt", "1");
    EXPECT_FALSE(row->IsNull(0));
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok());
}

TEST_P(DatabaseTest, InjectedFaultsFailRetryAndLoseAcknowledgements) {
  Script("CREATE TABLE t (k BIGINT PRIMARY KEY)");
  std::mutex mu;
  std::map<std::string, int> seen;
  std::map<std::string, std::vector<Status>> plan;  // point -> errors to return, in order
  DatabaseOptions options;
  options.fault_hook = [&](std::string_view point) -> Status {
    std::lock_guard g(mu);
    std::string key(point.substr(0, point.find(' ')));  // "BEGIN", "INSERT", "COMMIT", ...
    seen[key]++;
    auto& errors = plan[key];
    if (errors.empty()) return Status::Ok();
    Status s = errors.front();
    errors.erase(errors.begin());
    return s;
  };
  auto db = env_.Open("", options);
  ASSERT_TRUE(db.ok());
  int calls = 0;
  auto insert = [&](int k) {
    return (*db)->Transact([&](Tx& tx) {
      ++calls;
      return tx.Exec("INSERT INTO t (k) VALUES (?)", {k}).status();
    });
  };

  // A busy COMMIT is retried; the first attempt left nothing behind.
  plan["COMMIT"] = {Status::Unavailable("injected busy")};
  EXPECT_TRUE(insert(1).ok());
  EXPECT_EQ(calls, 2);
  // A hard failure at a statement is not retried.
  calls = 0;
  plan["INSERT"] = {Status::Internal("injected")};
  EXPECT_EQ(insert(2).code(), ErrorCode::kInternal);
  EXPECT_EQ(calls, 1);
  // A failure at BEGIN that looks transient is retried before the function runs.
  calls = 0;
  plan["BEGIN"] = {Status::Unavailable("injected"), Status::Unavailable("injected")};
  EXPECT_TRUE(insert(3).ok());
  EXPECT_EQ(calls, 1);
  // A lost acknowledgement: committed, but the caller sees an error.
  DatabaseOptions lost;
  lost.fault_hook = [](std::string_view point) {
    return point == "COMMITTED" ? Status::Unavailable("injected lost reply") : Status::Ok();
  };
  auto db2 = env_.Open("", lost);
  ASSERT_TRUE(db2.ok());
  Status s = (*db2)->Transact([](Tx& tx) { return tx.Exec("INSERT INTO t (k) VALUES (4)").status(); });
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(Count("t"), 3);  // 1, 3 and 4
  EXPECT_GE(seen["BEGIN"], 3);
}

TEST_P(DatabaseTest, ManyDistinctStatementsAreCachedAndTrimmed) {
  // More distinct SQL texts than the per-connection cache keeps (1,000), then a new transaction
  // (which trims the cache) using them again.
  for (int round = 0; round < 2; ++round) {
    Status s = db_->Transact([&](Tx& tx) -> Status {
      for (int i = 0; i < 1100; ++i) {
        TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT ? + " + std::to_string(i), {1}));
        EXPECT_EQ(row->Int64(0), i + 1);
      }
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  }
}

TEST_P(DatabaseTest, LostConnectionsAreReplaced) {
  if (GetParam() != Dialect::kPostgres) GTEST_SKIP() << "PostgreSQL only: SQLite has no server";
  std::string app = "tb_victim_" + std::to_string(getpid()) + "_" + std::to_string(rand() % 100000);
  auto victim = env_.Open("pool_size=2&application_name=" + app);
  ASSERT_TRUE(victim.ok()) << victim.status().ToString() << " " << victim.status().detail();
  Script("CREATE TABLE t (k BIGINT PRIMARY KEY)");
  auto insert = [&](int k) {
    return (*victim)->Transact([&](Tx& tx) { return tx.Exec("INSERT INTO t (k) VALUES (?)", {k}).status(); });
  };
  ASSERT_TRUE(insert(1).ok());
  // The server drops the pooled connection (a restart or a failover looks the same); the
  // two-argument form waits until the backend is gone.
  Status s = db_->Transact([&](Tx& tx) {
    return tx.Query("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = ?",
                    {app}).status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  s = insert(2);  // BEGIN fails on the dead connection; Transact reconnects and runs again
  EXPECT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  EXPECT_GE((*victim)->stats().retries, 1);
  EXPECT_EQ(Count("t"), 2);
}

std::vector<Migration> TestMigrations(int up_to) {
  std::vector<Migration> all = {
      {.part = "demo", .version = 1,
       .sql = "CREATE TABLE demo_doc (id {{id}}, body {{blob}} NOT NULL, n {{int64}});"
              "INSERT INTO demo_doc (body, n) VALUES (X'00ff', 1);",
       .postgres_sql = "CREATE TABLE demo_doc (id {{id}}, body {{blob}} NOT NULL, n {{int64}});"
                       "INSERT INTO demo_doc (body, n) VALUES ('\\x00ff'::bytea, 1);"},
      {.part = "demo", .version = 2, .sql = "CREATE INDEX demo_doc_n ON demo_doc (n)"},
      {.part = "other", .version = 1, .sql = "CREATE TABLE other_t (k {{text}} PRIMARY KEY)"},
  };
  std::vector<Migration> out;
  for (const auto& m : all) {
    if (m.part != "demo" || m.version <= up_to) out.push_back(m);
  }
  return out;
}

TEST_P(DatabaseTest, MigrationsApplyOnceAndAreIdempotent) {
  Status s = Migrate(*db_, TestMigrations(1));
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  EXPECT_EQ(AppliedVersion(*db_, "demo").value(), 1);
  s = Migrate(*db_, TestMigrations(2));  // an upgrade applies only version 2
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  s = Migrate(*db_, TestMigrations(2));  // a restart applies nothing
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  EXPECT_EQ(AppliedVersion(*db_, "demo").value(), 2);
  EXPECT_EQ(AppliedVersion(*db_, "other").value(), 1);
  EXPECT_EQ(AppliedVersion(*db_, "nobody").value(), 0);
  EXPECT_EQ(Count("demo_doc"), 1);  // version 1's INSERT ran once
  EXPECT_EQ(Count("schema_migrations"), 3);
  s = db_->Read([&](Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT body FROM demo_doc"));
    EXPECT_EQ(row->Blob(0).size(), 2u);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
}

TEST_P(DatabaseTest, ConcurrentMigratorsApplyEachVersionOnce) {
  auto other = env_.Open();
  ASSERT_TRUE(other.ok());
  Status a, b;
  std::thread t([&] { a = Migrate(**other, TestMigrations(2)); });
  b = Migrate(*db_, TestMigrations(2));
  t.join();
  EXPECT_TRUE(a.ok()) << a.ToString() << " " << a.detail();
  EXPECT_TRUE(b.ok()) << b.ToString() << " " << b.detail();
  EXPECT_EQ(Count("demo_doc"), 1);
  EXPECT_EQ(Count("schema_migrations"), 3);
}

TEST_P(DatabaseTest, FailedMigrationLeavesThePreviousVersion) {
  ASSERT_TRUE(Migrate(*db_, TestMigrations(1)).ok());
  auto bad = TestMigrations(1);
  bad.push_back({.part = "demo", .version = 2,
                 .sql = "CREATE TABLE demo_two (k BIGINT); CREATE TABLE broken ("});
  Status s = Migrate(*db_, bad);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.detail().find("migration demo"), std::string::npos) << s.detail();
  EXPECT_EQ(AppliedVersion(*db_, "demo").value(), 1);
  s = db_->Read([&](Tx& tx) { return tx.Query("SELECT * FROM demo_two").status(); });
  EXPECT_FALSE(s.ok()) << "the half of migration 2 that ran was rolled back";
}

TEST_P(DatabaseTest, NewerSchemaIsRefused) {
  ASSERT_TRUE(Migrate(*db_, TestMigrations(2)).ok());
  Script("INSERT INTO schema_migrations (part, version, applied_at_ms) VALUES ('demo', 3, 0)");
  Status s = Migrate(*db_, TestMigrations(2));
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("newer"), std::string::npos) << s.message();
}

TEST_P(DatabaseTest, MigrationListWithGapsIsRejected) {
  std::vector<Migration> gap = {{.part = "demo", .version = 1, .sql = "SELECT 1"},
                                {.part = "demo", .version = 3, .sql = "SELECT 1"}};
  EXPECT_EQ(Migrate(*db_, gap).code(), ErrorCode::kInvalidArgument);
  std::vector<Migration> dup = {{.part = "demo", .version = 1, .sql = "SELECT 1"},
                                {.part = "demo", .version = 1, .sql = "SELECT 1"}};
  EXPECT_EQ(Migrate(*db_, dup).code(), ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DatabaseTest, ::testing::Values(Dialect::kSqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, DatabaseTest, ::testing::Values(Dialect::kPostgres));

}  // namespace
}  // namespace tongban::store
