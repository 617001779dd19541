// Token buckets: burst, refill, independence of keys, and bounded memory.
#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace tongban::api {
namespace {

TEST(RateLimiter, AllowsTheBurstThenAsksToWait) {
  RateLimiter limiter({.rate_per_second = 1, .burst = 3});
  EXPECT_EQ(limiter.Take("10.0.0.1", 100.0), 0);
  EXPECT_EQ(limiter.Take("10.0.0.1", 100.0), 0);
  EXPECT_EQ(limiter.Take("10.0.0.1", 100.0), 0);
  EXPECT_EQ(limiter.Take("10.0.0.1", 100.0), 1);
  EXPECT_EQ(limiter.Take("10.0.0.2", 100.0), 0) << "another client has its own bucket";
  EXPECT_EQ(limiter.Take("10.0.0.1", 101.0), 0) << "one token back after a second";
  EXPECT_EQ(limiter.Take("10.0.0.1", 101.0), 1);
}

TEST(RateLimiter, RetryAfterRoundsUpToWholeSeconds) {
  RateLimiter limiter({.rate_per_second = 0.25, .burst = 1});
  EXPECT_EQ(limiter.Take("k", 0.0), 0);
  EXPECT_EQ(limiter.Take("k", 0.0), 4);
  EXPECT_EQ(limiter.Take("k", 2.0), 2);
}

TEST(RateLimiter, MemoryIsBoundedByEvictingStaleBuckets) {
  RateLimiter limiter({.rate_per_second = 1, .burst = 1}, /*max_buckets_per_shard=*/2);
  for (int i = 0; i < 10000; ++i) limiter.Take("client-" + std::to_string(i), i);
  // No crash and no unbounded growth; an evicted client starts with a full bucket.
  EXPECT_EQ(limiter.Take("client-0", 20000.0), 0);
}

}  // namespace
}  // namespace tongban::api
