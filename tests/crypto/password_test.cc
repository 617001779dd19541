// Argon2id password hashing: hash/verify, wrong password, damaged records, rehash policy.
// Uses the test-only minimum parameters except where the default is the point.
#include "crypto/password.h"

#include <gtest/gtest.h>

namespace tongban::crypto {
namespace {

const PasswordParams kFast = PasswordParams::ForTestsOnly();

TEST(Password, HashThenVerify) {
  Result<std::string> h = HashPassword("correct horse 电池 staple", kFast);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->rfind("$argon2id$v=19$", 0), 0u) << *h;
  EXPECT_TRUE(VerifyPassword("correct horse 电池 staple", *h).ok());
}

TEST(Password, WrongPasswordIsUnauthenticated) {
  Result<std::string> h = HashPassword("s3cret", kFast);
  ASSERT_TRUE(h.ok());
  for (std::string_view wrong : {"s3creT", "s3cret ", "", "s3cre"}) {
    Status s = VerifyPassword(wrong, *h);
    EXPECT_EQ(s.code(), ErrorCode::kUnauthenticated) << wrong;
    EXPECT_EQ(s.message(), "wrong user name or password");
  }
}

TEST(Password, SaltIsFreshEachTime) {
  Result<std::string> a = HashPassword("same", kFast);
  Result<std::string> b = HashPassword("same", kFast);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword("same", *b).ok());
}

TEST(Password, DefaultIsInteractiveArgon2id) {
  Result<std::string> h = HashPassword("staff-password");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(VerifyPassword("staff-password", *h).ok());
  EXPECT_FALSE(PasswordNeedsRehash(*h));
  EXPECT_TRUE(PasswordNeedsRehash(*h, PasswordParams::Moderate()));
}

TEST(Password, WeakParametersNeedRehash) {
  Result<std::string> h = HashPassword("x", kFast);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(PasswordNeedsRehash(*h));
  EXPECT_FALSE(PasswordNeedsRehash(*h, kFast));
  EXPECT_TRUE(PasswordNeedsRehash("not a hash"));
}

TEST(Password, DamagedOrForeignRecordIsInvalidArgument) {
  Result<std::string> h = HashPassword("pw", kFast);
  ASSERT_TRUE(h.ok());
  const std::string cases[] = {
      "",
      "plaintext",
      "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",  // argon2i, not argon2id
      "$2y$10$abcdefghijklmnopqrstuuDsGe6Nqq8P0UJbHBbWMAJbRyHh3T7W2",  // bcrypt
      h->substr(0, 20),
      "$argon2id$v=19$m=8,t=1,p=1$!!!$???",
      std::string(*h).append(std::string(200, 'A')),
  };
  for (const std::string& c : cases) {
    Status s = VerifyPassword("pw", c);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << c;
  }
}

TEST(Password, EmptyAndOverlongPasswordsAreRefused) {
  EXPECT_EQ(HashPassword("", kFast).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(HashPassword(std::string(kMaxPasswordSize + 1, 'a'), kFast).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(HashPassword(std::string(kMaxPasswordSize, 'a'), kFast).ok());
}

}  // namespace
}  // namespace tongban::crypto
