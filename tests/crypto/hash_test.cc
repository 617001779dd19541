// SM3 (GB/T 32905-2016 Appendix A) and SHA-256 (FIPS 180-4 / NIST examples) vectors, incremental
// hashing, names and hex.
#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace tongban::crypto {
namespace {

TEST(Sm3, GbT32905AppendixAExample1Abc) {
  EXPECT_EQ(ToHex(Hash(HashAlgorithm::kSm3, "abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

TEST(Sm3, GbT32905AppendixAExample2Abcd16) {
  std::string m;
  for (int i = 0; i < 16; ++i) m += "abcd";
  EXPECT_EQ(ToHex(Hash(HashAlgorithm::kSm3, m)),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST(Sha256, NistAbc) {
  EXPECT_EQ(ToHex(Hash(HashAlgorithm::kSha256, "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, NistEmpty) {
  EXPECT_EQ(ToHex(Hash(HashAlgorithm::kSha256, "")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Nist448BitMessage) {
  EXPECT_EQ(ToHex(Hash(HashAlgorithm::kSha256,
                       "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, NistMillionA) {
  Hasher h(HashAlgorithm::kSha256);
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.Update(chunk);
  EXPECT_EQ(ToHex(h.Final()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

class HasherTest : public ::testing::TestWithParam<HashAlgorithm> {};

TEST_P(HasherTest, IncrementalEqualsOneShotAtEverySplit) {
  std::string m;
  for (int i = 0; i < 200; ++i) m += static_cast<char>(i * 7);
  const Digest want = Hash(GetParam(), m);
  Hasher h(GetParam());
  for (size_t split = 0; split <= m.size(); split += 13) {
    h.Update(std::string_view(m).substr(0, split));
    h.Update(std::string_view(m).substr(split));
    EXPECT_EQ(h.Final(), want) << split;  // Final() also resets for the next round
  }
  for (char c : m) h.Update(static_cast<uint8_t>(c));
  EXPECT_EQ(h.Final(), want);
}

TEST_P(HasherTest, MovedHasherKeepsState) {
  Hasher a(GetParam());
  a.Update("ab");
  Hasher b = std::move(a);
  b.Update("c");
  EXPECT_EQ(b.Final(), Hash(GetParam(), "abc"));
  EXPECT_EQ(b.algorithm(), GetParam());
}

TEST_P(HasherTest, NameRoundTrip) {
  Result<HashAlgorithm> back = ParseHashAlgorithm(HashAlgorithmName(GetParam()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, GetParam());
}

INSTANTIATE_TEST_SUITE_P(All, HasherTest,
                         ::testing::Values(HashAlgorithm::kSha256, HashAlgorithm::kSm3),
                         [](const auto& info) {
                           return std::string(HashAlgorithmName(info.param));
                         });

TEST(HashAlgorithmName, UnknownIsInvalidArgument) {
  Result<HashAlgorithm> r = ParseHashAlgorithm("SM3");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ParseHashAlgorithm("md5").ok());
}

TEST(Hex, RoundTripAndErrors) {
  const std::string bytes("\x00\x01\xab\xff", 4);
  const std::string hex = ToHex(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), 4));
  EXPECT_EQ(hex, "0001abff");
  EXPECT_EQ(*FromHex("0001ABff"), bytes);
  EXPECT_EQ(FromHex("abc").status().message(), "hex: hex string has an odd number of digits");
  EXPECT_EQ(FromHex("0g", "key").status().message(), "key: not a hex digit at position 1");
  EXPECT_EQ(*FromHex(""), "");
}

}  // namespace
}  // namespace tongban::crypto
