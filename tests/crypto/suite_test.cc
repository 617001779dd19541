// Suites by name.
#include "crypto/suite.h"

#include <gtest/gtest.h>

namespace tongban::crypto {
namespace {

TEST(Suite, GmIsSm3AndSm2AndTheDefault) {
  Result<Suite> s = ParseSuite("gm");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->hash, HashAlgorithm::kSm3);
  EXPECT_EQ(s->signature, SignatureAlgorithm::kSm2);
  EXPECT_EQ(*s, kDefaultSuite);
}

TEST(Suite, IntlIsSha256AndEd25519) {
  Result<Suite> s = ParseSuite("intl");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "intl");
  EXPECT_EQ(s->hash, HashAlgorithm::kSha256);
  EXPECT_EQ(s->signature, SignatureAlgorithm::kEd25519);
}

TEST(Suite, UnknownNameIsAClearInvalidArgument) {
  for (std::string_view bad : {"", "GM", "Intl", "gm ", "sm2", "国密"}) {
    Result<Suite> s = ParseSuite(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), ErrorCode::kInvalidArgument);
    ASSERT_EQ(s.status().fields().size(), 1u);
    EXPECT_EQ(s.status().fields()[0].field, "suite");
  }
  EXPECT_EQ(ParseSuite("fips").status().message(),
            "suite: unknown crypto suite \"fips\" (expected \"gm\" for SM3 + SM2 or \"intl\" for "
            "SHA-256 + Ed25519)");
}

}  // namespace
}  // namespace tongban::crypto
