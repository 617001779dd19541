// LoginGuard: the per-account back-off schedule, its memory bound, and the bounded password-check
// slots (at most N checks at once, at most Q waiting, the rest refused at once).
#include "identity/login_guard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace tongban::identity {
namespace {

TEST(LoginGuard, BackOffDoublesFromOneSecondUpToTheMaximum) {
  FakeClock clock(int64_t{1'790'000'000} * 1'000'000);
  LoginGuard guard(clock, LoginGuardOptions{.free_failures = 3, .max_backoff_seconds = 10});
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(guard.CheckAllowed("a").ok());
    guard.RecordFailure("a");
  }
  // Three free failures: the next attempt is allowed, then the schedule starts.
  EXPECT_TRUE(guard.CheckAllowed("a").ok());
  std::vector<int64_t> waits;
  for (int i = 0; i < 6; ++i) {
    guard.RecordFailure("a");
    waits.push_back(guard.RetryAfterSeconds("a"));
    EXPECT_EQ(guard.CheckAllowed("a").code(), ErrorCode::kResourceExhausted);
    clock.Advance(std::chrono::seconds(waits.back()));
    EXPECT_TRUE(guard.CheckAllowed("a").ok());
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{1, 2, 4, 8, 10, 10}));
  EXPECT_TRUE(guard.CheckAllowed("b").ok());
  EXPECT_EQ(guard.backoff_refusals(), 6);
}

// Review finding: concurrent guesses at the back-off's edge all passed the check before the
// first failure was recorded. Past the free failures, one attempt at a time is let through.
TEST(LoginGuard, PastTheFreeFailuresOneAttemptAtATime) {
  FakeClock clock(int64_t{1'790'000'000} * 1'000'000);
  LoginGuard guard(clock, LoginGuardOptions{.free_failures = 2});
  for (int i = 0; i < 2; ++i) guard.RecordFailure("a");
  ASSERT_TRUE(guard.CheckAllowed("a").ok());                             // one in flight
  EXPECT_EQ(guard.CheckAllowed("a").code(), ErrorCode::kResourceExhausted);  // a second at once
  guard.EndAttempt("a");  // the first checked no password (the store failed)
  ASSERT_TRUE(guard.CheckAllowed("a").ok());
  guard.RecordFailure("a");  // ends it: now the back-off runs
  EXPECT_EQ(guard.CheckAllowed("a").code(), ErrorCode::kResourceExhausted);
  clock.Advance(std::chrono::seconds(1));
  ASSERT_TRUE(guard.CheckAllowed("a").ok());
  EXPECT_EQ(guard.CheckAllowed("a").code(), ErrorCode::kResourceExhausted);
  guard.RecordSuccess("a");
  EXPECT_TRUE(guard.CheckAllowed("a").ok());
  EXPECT_TRUE(guard.CheckAllowed("a").ok());  // before the free failures: no limit on attempts
}

TEST(LoginGuard, AnHourWithoutFailuresForgetsThem) {
  FakeClock clock(int64_t{1'790'000'000} * 1'000'000);
  LoginGuard guard(clock, LoginGuardOptions{.free_failures = 2});
  for (int i = 0; i < 4; ++i) guard.RecordFailure("a");
  EXPECT_GT(guard.RetryAfterSeconds("a"), 0);
  clock.Advance(std::chrono::hours(1));
  EXPECT_TRUE(guard.CheckAllowed("a").ok());
  guard.RecordFailure("a");
  EXPECT_TRUE(guard.CheckAllowed("a").ok());  // counted from one again
}

TEST(LoginGuard, MemoryIsBoundedAndTheOldestAreForgottenFirst) {
  FakeClock clock(int64_t{1'790'000'000} * 1'000'000);
  LoginGuard guard(clock, LoginGuardOptions{.free_failures = 1, .max_tracked = 100});
  for (int i = 0; i < 1000; ++i) {
    guard.RecordFailure("login-" + std::to_string(i));
    guard.RecordFailure("login-" + std::to_string(i));
    clock.Advance(std::chrono::milliseconds(1));
  }
  // The newest are still backing off; the oldest were dropped to stay within 100.
  EXPECT_GT(guard.RetryAfterSeconds("login-999"), 0);
  EXPECT_EQ(guard.RetryAfterSeconds("login-0"), 0);
}

TEST(LoginGuard, PasswordSlotsBoundConcurrencyAndQueue) {
  FakeClock clock(0);
  LoginGuard guard(clock, LoginGuardOptions{.password_threads = 2, .password_queue = 3});
  std::atomic<int> running{0}, most{0}, refused{0};
  std::atomic<bool> release{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto slot = guard.AcquirePasswordSlot();
      if (!slot.ok()) {
        EXPECT_EQ(slot.status().code(), ErrorCode::kUnavailable);
        ++refused;
        return;
      }
      int now = ++running;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      --running;
    });
  }
  // 2 run, 3 wait, 3 are refused at once.
  for (int i = 0; i < 2000 && refused.load() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(refused.load(), 3);
  release = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(most.load(), 2);
  EXPECT_EQ(guard.busy_refusals(), 3);
  // Every slot was given back.
  auto a = guard.AcquirePasswordSlot();
  auto b = guard.AcquirePasswordSlot();
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(b.ok());
}

}  // namespace
}  // namespace tongban::identity
