// RateLimiter: token buckets keyed by client (IP address or API key id). A request takes one
// token; a bucket refills at `rate_per_second` up to `burst`. An empty bucket means 429 with
// Retry-After (the seconds until a token is back).
//
// Memory is bounded: buckets live in shards of a fixed number of entries; when a shard is full
// the stalest bucket is evicted (an evicted client starts again with a full bucket, which errs on
// the side of serving). Thread-safe: one mutex per shard, so threads rarely contend.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tongban::api {

struct RateLimit {
  double rate_per_second = 50;
  double burst = 100;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit, size_t max_buckets_per_shard = 4096)
      : limit_(limit), max_per_shard_(max_buckets_per_shard) {}

  // Takes a token for `key` at time `now_seconds` (monotonic). Returns 0 when allowed, else the
  // whole seconds to wait (>= 1).
  int64_t Take(std::string_view key, double now_seconds);

 private:
  struct Bucket {
    double tokens = 0;
    double updated = 0;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
  };
  static constexpr size_t kShards = 16;
  RateLimit limit_;
  size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace tongban::api
