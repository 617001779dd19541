// NumberLanes (receipt/number_lanes.h) without a database: reservations see the numbers handed
// out before them, commit in order, and a dropped reservation sends the later ones back to start.
#include "receipt/number_lanes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

namespace tongban::receipt {
namespace {

struct FakeStore {
  std::vector<RangeCursor> ranges = {{1, "33040126", 100, 1}};
  int loads = 0;
  NumberLanes::Loader Loader() {
    return [this]() -> Result<std::vector<RangeCursor>> {
      ++loads;
      return ranges;
    };
  }
};

NumberLanes::Assigner Take(int n) {
  return [n](std::vector<RangeCursor>& ranges) -> Status {
    for (RangeCursor& r : ranges) {
      if (r.last - r.next + 1 >= n) {
        r.next += n;
        return Status::Ok();
      }
    }
    return Status::Conflict("used up");
  };
}

TEST(NumberLanes, ReservationsFollowEachOtherAndCommitInOrder) {
  NumberLanes lanes;
  FakeStore store;
  auto a = lanes.Reserve(7, store.Loader(), Take(10));
  auto b = lanes.Reserve(7, store.Loader(), Take(5));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(store.loads, 1);
  EXPECT_EQ(a->before()[0].next, 1);
  EXPECT_EQ(a->after()[0].next, 11);
  EXPECT_EQ(b->before()[0].next, 11);
  EXPECT_EQ(b->after()[0].next, 16);
  // b waits for a.
  std::atomic<bool> b_went{false};
  std::thread t([&] {
    EXPECT_TRUE(b->WaitTurn());
    b_went = true;
    b->Commit();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(b_went.load());
  ASSERT_TRUE(a->WaitTurn());
  a->Commit();
  t.join();
  EXPECT_TRUE(b_went.load());
  // Another issuer has its own lane.
  auto other = lanes.Reserve(8, store.Loader(), Take(1));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->WaitTurn());
}

TEST(NumberLanes, ADroppedReservationSendsLaterOnesBack) {
  NumberLanes lanes;
  FakeStore store;
  auto reserved = lanes.Reserve(7, store.Loader(), Take(10));
  ASSERT_TRUE(reserved.ok());
  std::optional<NumberLanes::Ticket> a(std::move(*reserved));
  auto b = lanes.Reserve(7, store.Loader(), Take(5));
  ASSERT_TRUE(b.ok());
  a.reset();  // failed before committing: its numbers will not be written
  EXPECT_FALSE(b->WaitTurn());
  // The next reservation reloads what the database says.
  store.ranges[0].next = 1;
  auto c = lanes.Reserve(7, store.Loader(), Take(5));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(store.loads, 2);
  EXPECT_EQ(c->before()[0].next, 1);
  EXPECT_TRUE(c->WaitTurn());
  c->Commit();
}

TEST(NumberLanes, AFailedAssignmentReloadsOnceAndReservesNothing) {
  NumberLanes lanes;
  FakeStore store;
  ASSERT_TRUE(lanes.Reserve(7, store.Loader(), Take(100)).ok());  // dropped: lane reset
  auto full = lanes.Reserve(7, store.Loader(), Take(100));
  ASSERT_TRUE(full.ok());
  // Used up in the lane; a range assigned since is found by the reload.
  auto none = lanes.Reserve(7, store.Loader(), Take(1));
  EXPECT_EQ(none.status().code(), ErrorCode::kConflict);
  store.ranges.push_back({2, "33040126", 300, 200});
  auto more = lanes.Reserve(7, store.Loader(), Take(1));
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->after()[1].next, 201);
  EXPECT_EQ(more->after()[0].next, 101);  // what the lane handed out stays taken
  ASSERT_TRUE(full->WaitTurn());
  full->Commit();
  EXPECT_TRUE(more->WaitTurn());
}

}  // namespace
}  // namespace tongban::receipt
