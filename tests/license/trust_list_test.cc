// Trust list parsing and the Token Status List encoding (round trip, bounds, malformed input).
#include <gtest/gtest.h>

#include "license/jws.h"
#include "license/status_list.h"
#include "license/trust_list.h"

namespace tongban::license {
namespace {

TEST(TrustList, ParsesIssuersAndRefusesMalformedOnes) {
  auto key = *crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEs256);
  std::string jwk = boost::json::serialize(*PublicKeyToJwk(key.public_key()));
  auto t = TrustList::Parse(R"({"issuers":[{"iss":"https://sh.example/licenses","name":"上海市大数据中心",
      "region_code":"310000","jwk":)" + jwk + R"(,"vct":["urn:tongban:license:driving_licence"]}]})");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const TrustedIssuer* i = t->Find("https://sh.example/licenses");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->name, "上海市大数据中心");
  EXPECT_EQ(i->key, key.public_key());
  EXPECT_EQ(i->vct.size(), 1u);
  EXPECT_EQ(t->Find("https://other.example"), nullptr);

  EXPECT_FALSE(TrustList::Parse("[]").ok());
  EXPECT_FALSE(TrustList::Parse(R"({"issuers":[{"iss":"x"}]})").ok());
  auto bad = TrustList::Parse(
      R"({"issuers":[{"iss":"x","jwk":{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().fields()[0].field, "/issuers/0/jwk");
  // A private key where a public one is expected is refused.
  EXPECT_FALSE(TrustList::Parse(
                   R"({"issuers":[{"iss":"x","jwk":{"kty":"EC","crv":"P-256","d":"AA","x":"AA","y":"AA"}}]})")
                   .ok());
}

TEST(StatusList, RoundTripsTwoBitStatuses) {
  std::vector<uint8_t> statuses(10001, kStatusValid);
  statuses[0] = kStatusInvalid;
  statuses[5] = kStatusSuspended;
  statuses[10000] = kStatusInvalid;
  auto lst = EncodeStatusList(statuses);
  ASSERT_TRUE(lst.ok());
  EXPECT_LT(lst->size(), 100u);  // mostly zeros: zlib makes it tiny
  EXPECT_EQ(*StatusAt(*lst, 0), kStatusInvalid);
  EXPECT_EQ(*StatusAt(*lst, 1), kStatusValid);
  EXPECT_EQ(*StatusAt(*lst, 5), kStatusSuspended);
  EXPECT_EQ(*StatusAt(*lst, 10000), kStatusInvalid);
  EXPECT_EQ(StatusAt(*lst, 10004).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(StatusAt(*lst, -1).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(StatusAt("!!", 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(StatusAt("AAAA", 0).status().code(), ErrorCode::kInvalidArgument);
}

TEST(StatusList, DecodesTheDraftsExampleBytes) {
  // draft-ietf-oauth-status-list's example list "eNrbuRgAAhcBXQ" inflates to 0xB9 0xA3. Read
  // with 2 bits per status, least significant first, byte 0xB9 = 10 11 10 01 holds indices
  // 0..3 = 1, 2, 3, 2.
  EXPECT_EQ(*StatusAt("eNrbuRgAAhcBXQ", 0), 1);
  EXPECT_EQ(*StatusAt("eNrbuRgAAhcBXQ", 1), 2);
  EXPECT_EQ(*StatusAt("eNrbuRgAAhcBXQ", 2), 3);
  EXPECT_EQ(*StatusAt("eNrbuRgAAhcBXQ", 3), 2);
}

}  // namespace
}  // namespace tongban::license
