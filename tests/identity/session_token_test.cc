// Session token codec: round trip, expiry, and malformed or forged input.
#include "identity/session_token.h"

#include <gtest/gtest.h>

#include <new>

namespace tongban::identity {
namespace {

TEST(SessionToken, RoundTrips) {
  SessionTokenCodec codec(std::string(32, 's'));
  SessionClaims c{42, 7, Role::kStaff, 1000, 2000};
  std::string t = codec.Encode(c);
  EXPECT_TRUE(SessionTokenCodec::LooksLikeSessionToken(t));
  auto d = codec.Decode(t, 1500);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->account_id, 42);
  EXPECT_EQ(d->session_id, 7);
  EXPECT_EQ(d->role, Role::kStaff);
  EXPECT_EQ(d->expires_at, 2000);
}

TEST(SessionToken, ExpiresAtItsExpiryTime) {
  SessionTokenCodec codec(std::string(32, 's'));
  std::string t = codec.Encode({1, 1, Role::kCitizen, 0, 100});
  EXPECT_TRUE(codec.Decode(t, 99).ok());
  EXPECT_FALSE(codec.Decode(t, 100).ok());
}

TEST(SessionToken, RejectsMalformedAndForged) {
  SessionTokenCodec codec(std::string(32, 's'));
  SessionTokenCodec other(std::string(32, 'o'));
  std::string good = codec.Encode({1, 1, Role::kCitizen, 0, 100});
  for (const std::string& bad :
       {std::string(), std::string("tb1."), std::string("tb1.."), std::string("tb2.AAAA.BBBB"),
        std::string("tb1.!!!!.AAAA"), good + "A", good.substr(0, good.size() - 1),
        other.Encode({1, 1, Role::kAdmin, 0, 100}), std::string("tb1.") + std::string(5000, 'A')}) {
    auto d = codec.Decode(bad, 50);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), ErrorCode::kUnauthenticated);
  }
}

// The per-thread cache of verified tokens must never accept what a full check would refuse.
TEST(SessionToken, VerifiedTokenCacheAcceptsOnlyTheExactTokenAndRechecksExpiry) {
  SessionTokenCodec codec(std::string(32, 's'));
  std::string good = codec.Encode({5, 9, Role::kAuditor, 0, 100});
  ASSERT_TRUE(codec.Decode(good, 10).ok());  // now cached
  ASSERT_TRUE(codec.Decode(good, 11).ok());  // served from the cache
  for (size_t i = 4; i < good.size(); ++i) {
    std::string forged = good;
    forged[i] = forged[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.Decode(forged, 12).ok()) << "position " << i;
  }
  EXPECT_TRUE(codec.Decode(good, 99).ok());
  auto expired = codec.Decode(good, 100);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().code(), ErrorCode::kUnauthenticated);
  // Many distinct tokens (evictions) all still verify with their own claims.
  for (int64_t account = 1; account <= 3000; ++account) {
    std::string t = codec.Encode({account, account, Role::kCitizen, 0, 100});
    auto d = codec.Decode(t, 50);
    ASSERT_TRUE(d.ok());
    ASSERT_EQ(d->account_id, account);
    d = codec.Decode(t, 51);
    ASSERT_TRUE(d.ok());
    ASSERT_EQ(d->account_id, account);
  }
}

}  // namespace
}  // namespace tongban::identity

namespace tongban::identity {
namespace {

// Regression: the per-thread HMAC cache was keyed by the codec's address, so a codec created
// where a destroyed one lived (same stack slot, other key) verified with the old key.
TEST(SessionToken, NewCodecAtTheSameAddressUsesItsOwnKey) {
  std::string token_a;
  alignas(SessionTokenCodec) unsigned char slot[sizeof(SessionTokenCodec)];
  {
    auto* a = new (slot) SessionTokenCodec(std::string(32, 'a'));
    token_a = a->Encode({1, 1, Role::kCitizen, 0, 100});
    EXPECT_TRUE(a->Decode(token_a, 50).ok());
    a->~SessionTokenCodec();
  }
  auto* b = new (slot) SessionTokenCodec(std::string(32, 'b'));
  EXPECT_FALSE(b->Decode(token_a, 50).ok()) << "a token of key A must not verify under key B";
  EXPECT_TRUE(b->Decode(b->Encode({1, 1, Role::kCitizen, 0, 100}), 50).ok());
  b->~SessionTokenCodec();
}

}  // namespace
}  // namespace tongban::identity
