// Token-bucket rate limiting; see rate_limiter.h.
#include "api/rate_limiter.h"

#include <cmath>
#include <functional>

namespace tongban::api {

int64_t RateLimiter::Take(std::string_view key, double now) {
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) {
      auto stalest = shard.buckets.begin();
      for (auto j = shard.buckets.begin(); j != shard.buckets.end(); ++j) {
        if (j->second.updated < stalest->second.updated) stalest = j;
      }
      shard.buckets.erase(stalest);
    }
    it = shard.buckets.emplace(std::string(key), Bucket{limit_.burst, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = std::min(limit_.burst, b.tokens + (now - b.updated) * limit_.rate_per_second);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  double wait = (1.0 - b.tokens) / limit_.rate_per_second;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait)));
}

}  // namespace tongban::api
