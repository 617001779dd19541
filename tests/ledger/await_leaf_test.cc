// ledger::AwaitLeaf on a stored log (SQLite and PostgreSQL): an integrated entry is found; a
// queued one is waited for; a record that matches no entry while the queue is empty is "absent"
// (its caller reports tampering); a queue the sequencer never drains ends in kUnavailable at the
// deadline; the entry integrated between a lookup and the queue read is still found (the race
// that once reported a just-issued receipt as tampered).
#include "ledger/await_leaf.h"

#include <gtest/gtest.h>

#include "ledger/log_reader.h"
#include "stored_log_fixture.h"

namespace tongban::ledger {
namespace {

using testing::AllStoredLogParams;
using testing::StoredLogTest;

class AwaitLeafTest : public StoredLogTest {
 protected:
  QueueId Enqueue(uint64_t i) {
    QueueId id{};
    Status s = db_->Transact([&](store::Tx& tx) -> Status {
      TB_ASSIGN_OR_RETURN(id, EnqueueEntry(tx, MakeEntry(i)));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return id;
  }
};

TEST_P(AwaitLeafTest, FindsIntegratedWaitsForQueuedAndReportsAbsent) {
  auto sequencer = MakeSequencer();
  ASSERT_NE(sequencer, nullptr);
  LogReader reader(*db_, hash_);
  const auto soon = [] { return std::chrono::steady_clock::now() + std::chrono::seconds(5); };

  // Integrated already: found at once.
  QueueId first = Enqueue(1);
  ASSERT_TRUE(sequencer->IntegrateOnce().ok());
  auto leaf_of = [&](QueueId id) -> LeafLookup {
    return [&, id]() -> Result<std::optional<uint64_t>> {
      auto l = sequencer->WaitForEntry(id, std::chrono::milliseconds(0));
      if (l.ok()) return std::optional<uint64_t>(l->value);
      return std::optional<uint64_t>();
    };
  };
  auto found = AwaitLeaf(reader, sequencer.get(), leaf_of(first), soon());
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, std::optional<uint64_t>(0));

  // Queued: AwaitLeaf nudges the running sequencer and waits for it.
  ASSERT_TRUE(sequencer->Start().ok());
  QueueId second = Enqueue(2);
  auto waited = AwaitLeaf(reader, sequencer.get(), leaf_of(second), soon());
  ASSERT_TRUE(waited.ok()) << waited.status().ToString();
  EXPECT_EQ(*waited, std::optional<uint64_t>(1));
  ASSERT_TRUE(sequencer->Stop().ok());

  // Nothing matches and nothing is queued: absent, at once.
  int lookups = 0;
  auto absent = AwaitLeaf(
      reader, sequencer.get(),
      [&]() -> Result<std::optional<uint64_t>> {
        ++lookups;
        return std::optional<uint64_t>();
      },
      soon());
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  EXPECT_EQ(lookups, 2);  // the lookup, and the final one after the empty queue

  // The race: the entry appears between the first lookup and the second.
  lookups = 0;
  auto raced = AwaitLeaf(
      reader, sequencer.get(),
      [&]() -> Result<std::optional<uint64_t>> {
        return ++lookups == 1 ? std::optional<uint64_t>() : std::optional<uint64_t>(7);
      },
      soon());
  ASSERT_TRUE(raced.ok());
  EXPECT_EQ(*raced, std::optional<uint64_t>(7));

  // Queued but never integrated (no sequencer running): kUnavailable at the deadline.
  Enqueue(3);
  auto late = AwaitLeaf(
      reader, nullptr, [&]() -> Result<std::optional<uint64_t>> { return std::optional<uint64_t>(); },
      std::chrono::steady_clock::now());
  EXPECT_EQ(late.status().code(), ErrorCode::kUnavailable);

  // Errors of the lookup are passed on.
  auto broken = AwaitLeaf(
      reader, nullptr, [&]() -> Result<std::optional<uint64_t>> { return Status::DataLoss("x"); },
      soon());
  EXPECT_EQ(broken.status().code(), ErrorCode::kDataLoss);
}

INSTANTIATE_TEST_SUITE_P(StoredLog, AwaitLeafTest, ::testing::ValuesIn(AllStoredLogParams()),
                         testing::ParamName);

}  // namespace
}  // namespace tongban::ledger
