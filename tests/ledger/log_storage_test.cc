// LogStorage's SQL on both drivers: the migration, the queue, tile rows (UPSERT and prefix reads),
// checkpoint paging, and the guards that refuse corrupt state.
#include <gtest/gtest.h>

#include "ledger/log_storage.h"
#include "stored_log_fixture.h"

namespace tongban::ledger {
namespace {

using testing::AllStoredLogParams;
using testing::ParamName;

class LogStorageTest : public testing::StoredLogTest {};

TEST_P(LogStorageTest, MigrationIsIdempotent) {
  EXPECT_TRUE(store::Migrate(*db_, LogStorageMigrations()).ok());
  auto v = store::AppliedVersion(*db_, "ledger");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, static_cast<int>(LogStorageMigrations().size()));
}

TEST_P(LogStorageTest, QueueKeepsInsertionOrderAndEntriesWithIndexZero) {
  std::vector<QueueId> ids;
  Status s = db_->Transact([&](store::Tx& tx) -> Status {
    for (uint64_t i = 0; i < 5; ++i) {
      Entry e = MakeEntry(i);
      e.index = LeafIndex{99};  // ignored: the sequencer assigns it
      TB_ASSIGN_OR_RETURN(QueueId id, EnqueueEntry(tx, e));
      ids.push_back(id);
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  s = db_->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(std::vector<QueuedEntry> q, ReadQueue(tx, 3));
    EXPECT_EQ(q.size(), 3u);
    for (size_t i = 0; i < q.size(); ++i) {
      EXPECT_EQ(q[i].id, ids[i]);
      EXPECT_EQ(q[i].entry, EntryBytes(i, 0));
    }
    TB_ASSIGN_OR_RETURN(QueueStats st, ReadQueueStats(tx));
    EXPECT_EQ(st.depth, 5);
    EXPECT_EQ(st.oldest_time_micros, MakeEntry(0).time_micros);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  // Deleting a range must remove exactly what was read.
  s = db_->Transact([&](store::Tx& tx) { return DeleteQueued(tx, ids[0], ids[2], 2); });
  EXPECT_EQ(s.code(), ErrorCode::kInternal);
  s = db_->Transact([&](store::Tx& tx) { return DeleteQueued(tx, ids[0], ids[2], 3); });
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_P(LogStorageTest, TileRowsGrowByUpsertAndServePrefixes) {
  std::string hashes;
  for (int i = 0; i < 10; ++i) hashes.append(32, static_cast<char>('a' + i));
  Status s = db_->Transact([&](store::Tx& tx) -> Status {
    TB_RETURN_IF_ERROR(WriteTileRow(tx, 0, 5, std::string_view(hashes).substr(0, 4 * 32)));
    return WriteTileRow(tx, 0, 5, hashes);  // the partial tile grows
  });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  s = db_->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto row, ReadTileRow(tx, 0, 5));
    EXPECT_EQ(row, hashes);
    TB_ASSIGN_OR_RETURN(auto none, ReadTileRow(tx, 1, 5));
    EXPECT_FALSE(none.has_value());
    StoredTileReader reader(tx);
    std::vector<TileId> ids = {{0, 5, 3}, {0, 5, 10}};
    std::vector<std::string> out(2);
    TB_RETURN_IF_ERROR(reader.ReadTiles(ids, out));
    EXPECT_EQ(out[0], hashes.substr(0, 96));
    EXPECT_EQ(out[1], hashes);
    std::vector<TileId> too_wide = {{0, 5, 11}};
    EXPECT_EQ(reader.ReadTiles(too_wide, std::span(out).subspan(0, 1)).code(),
              ErrorCode::kNotFound);
    TB_ASSIGN_OR_RETURN(auto list, ListTileRows(tx));
    EXPECT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].bytes, 320);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST_P(LogStorageTest, CheckpointsPageInSizeOrder) {
  Status s = db_->Transact([&](store::Tx& tx) -> Status {
    for (uint64_t size : {0, 3, 9, 27, 81}) {
      TB_RETURN_IF_ERROR(WriteCheckpoint(
          tx, StoredCheckpoint{size, std::string(32, 'r'), "note " + std::to_string(size), 1}));
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = db_->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(auto page, ReadCheckpoints(tx, std::nullopt, 2));
    EXPECT_EQ(page.size(), 2u);
    EXPECT_EQ(page[0].size, 0u);
    EXPECT_EQ(page[1].size, 3u);
    TB_ASSIGN_OR_RETURN(page, ReadCheckpoints(tx, 3, 10));
    EXPECT_EQ(page.size(), 3u);
    EXPECT_EQ(page[2].note, "note 81");
    TB_ASSIGN_OR_RETURN(auto latest, ReadLatestCheckpoint(tx));
    EXPECT_EQ(latest->size, 81u);
    TB_ASSIGN_OR_RETURN(auto nine, ReadCheckpoint(tx, 9));
    EXPECT_EQ(nine->note, "note 9");
    TB_ASSIGN_OR_RETURN(auto none, ReadCheckpoint(tx, 10));
    EXPECT_FALSE(none.has_value());
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  // Sizes are unique: a second checkpoint for a size is refused.
  s = db_->Transact([&](store::Tx& tx) {
    return WriteCheckpoint(tx, StoredCheckpoint{9, std::string(32, 'r'), "again", 2});
  });
  EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists);
}

TEST_P(LogStorageTest, StateRoundTripsAndRefusesACorruptFrontier) {
  LogState empty;
  empty.origin = origin_;
  empty.hash = hash_;
  empty.root = TreeHasher(hash_).EmptyRoot();
  Status s = db_->Transact([&](store::Tx& tx) { return InitLogState(tx, empty, "note"); });
  ASSERT_TRUE(s.ok()) << s.ToString() << " " << s.detail();
  s = db_->Transact([&](store::Tx& tx) { return InitLogState(tx, empty, "note"); });
  EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists);

  LogState three = empty;
  three.size = 3;  // two frontier nodes
  three.frontier = {Hash{1}, Hash{2}};
  s = db_->Transact([&](store::Tx& tx) { return WriteLogState(tx, three); });
  ASSERT_TRUE(s.ok());
  s = db_->Read([&](store::Tx& tx) -> Status {
    TB_ASSIGN_OR_RETURN(LogState got, ReadLogState(tx));
    EXPECT_EQ(got.size, 3u);
    EXPECT_EQ(got.frontier, three.frontier);
    EXPECT_EQ(got.origin, origin_);
    EXPECT_EQ(got.hash, hash_);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  three.frontier.pop_back();
  s = db_->Transact([&](store::Tx& tx) { return WriteLogState(tx, three); });
  ASSERT_TRUE(s.ok());
  s = db_->Read([&](store::Tx& tx) { return ReadLogState(tx).status(); });
  EXPECT_EQ(s.code(), ErrorCode::kDataLoss);
}

INSTANTIATE_TEST_SUITE_P(Stores, LogStorageTest, ::testing::ValuesIn(AllStoredLogParams()),
                         ParamName);

}  // namespace
}  // namespace tongban::ledger
