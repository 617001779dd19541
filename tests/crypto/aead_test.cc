// AeadSeal / AeadOpen: round trip, and every change (ciphertext, nonce, tag, key, associated
// data, truncation) refuses to open.
#include "crypto/aead.h"

#include <gtest/gtest.h>

#include "crypto/random.h"

namespace tongban::crypto {
namespace {

TEST(Aead, RoundTripsAndHidesThePlaintext) {
  const std::string key = RandomBytes(kAeadKeyBytes);
  const std::string secret = "杭州市示范第一医院 private scalar 0123456789abcdef";
  const std::string sealed = AeadSeal(key, "issuer 1 key ab", secret);
  EXPECT_EQ(sealed.size(), secret.size() + kAeadOverheadBytes);
  EXPECT_EQ(sealed.find(secret), std::string::npos);
  auto opened = AeadOpen(key, "issuer 1 key ab", sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, secret);
  // A fresh nonce each time: sealing twice gives different bytes.
  EXPECT_NE(AeadSeal(key, "issuer 1 key ab", secret), sealed);
  EXPECT_EQ(*AeadOpen(key, "", AeadSeal(key, "", "")), "");
}

TEST(Aead, AnyChangeRefusesToOpen) {
  const std::string key = RandomBytes(kAeadKeyBytes);
  const std::string sealed = AeadSeal(key, "issuer 1 key ab", "secret scalar");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto r = AeadOpen(key, "issuer 1 key ab", bad);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.status().code(), ErrorCode::kDataLoss);
  }
  EXPECT_FALSE(AeadOpen(RandomBytes(kAeadKeyBytes), "issuer 1 key ab", sealed).ok());
  EXPECT_FALSE(AeadOpen(key, "issuer 2 key ab", sealed).ok());
  EXPECT_FALSE(AeadOpen(key, "issuer 1 key ab", sealed.substr(0, sealed.size() - 1)).ok());
  EXPECT_FALSE(AeadOpen(key, "issuer 1 key ab", sealed.substr(0, 10)).ok());
  EXPECT_FALSE(AeadOpen(key, "issuer 1 key ab", "").ok());
}

}  // namespace
}  // namespace tongban::crypto
