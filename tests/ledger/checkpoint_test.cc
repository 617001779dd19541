// Tests for ledger/checkpoint.h: checkpoint-parse-vectors.json classified (strict C2SP), format
// and parse round trip, the size rules.
#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

#include "vectors.h"

namespace tongban::ledger {
namespace {

TEST(CheckpointVectors, LenientValidOnesAreClassifiedStrictly) {
  boost::json::value v = testing::ReadJson("checkpoint-parse-vectors.json");
  for (const auto& c : v.at("lenient_valid").as_array()) {
    const std::string m(c.at("m").as_string());
    Result<Checkpoint> cp = ParseCheckpoint(m);
    // Every upstream-"valid" body here has a non-32-byte hash or an empty extension line, which
    // a strict C2SP parser rejects (see the file's notes).
    EXPECT_FALSE(cp.ok()) << m;
  }
}

TEST(CheckpointVectors, InvalidOnesAreRejected) {
  boost::json::value v = testing::ReadJson("checkpoint-parse-vectors.json");
  for (const auto& c : v.at("invalid").as_array()) {
    const std::string m(c.at("m").as_string());
    EXPECT_FALSE(ParseCheckpoint(m).ok()) << c.at("why").as_string();
  }
  for (const auto& c : v.at("strict_extra_invalid_suggested").as_array()) {
    const std::string m(c.at("m").as_string());
    const bool valid = c.as_object().contains("valid") && c.at("valid").as_bool();
    Result<Checkpoint> cp = ParseCheckpoint(m);
    EXPECT_EQ(cp.ok(), valid) << c.at("why").as_string();
    if (valid) {
      EXPECT_EQ(cp->size, 0u);
      EXPECT_EQ(testing::Hex(cp->root),
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
  }
}

TEST(Checkpoint, ParsesWithExtensionsAndRoundTrips) {
  const std::string body =
      "example.com/log/testdata\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\next one\n二\n";
  Result<Checkpoint> cp = ParseCheckpoint(body);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->origin, "example.com/log/testdata");
  EXPECT_EQ(cp->size, 15u);
  EXPECT_EQ(cp->extensions, (std::vector<std::string>{"ext one", "二"}));
  EXPECT_EQ(*FormatCheckpoint(*cp), body);
}

TEST(Checkpoint, SizeRules) {
  const std::string root = "\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
  EXPECT_TRUE(ParseCheckpoint("o\n18446744073709551615" + root).ok());
  EXPECT_FALSE(ParseCheckpoint("o\n18446744073709551616" + root).ok());
  EXPECT_FALSE(ParseCheckpoint("o\n00" + root).ok());
  EXPECT_FALSE(ParseCheckpoint("o\n" + root).ok());
  EXPECT_FALSE(ParseCheckpoint("o\n 1" + root).ok());
  EXPECT_FALSE(ParseCheckpoint("o\n1 " + root).ok());
  EXPECT_EQ(ParseCheckpoint("o\n18446744073709551615" + root)->size, UINT64_MAX);
}

TEST(Checkpoint, RejectsBadLinesAndBase64) {
  EXPECT_FALSE(ParseCheckpoint("o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n").ok());
  EXPECT_FALSE(ParseCheckpoint("o\r\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").ok());
  EXPECT_FALSE(ParseCheckpoint("o\xff\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").ok());
  EXPECT_FALSE(ParseCheckpoint("o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n").ok());
  Checkpoint c;
  EXPECT_FALSE(FormatCheckpoint(c).ok());  // empty origin
  c.origin = "o";
  c.extensions = {""};
  EXPECT_FALSE(FormatCheckpoint(c).ok());
}

TEST(Utf8, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(ValidUtf8("a\xe2\x80\x94\xf0\x9f\x98\x80"));
  EXPECT_FALSE(ValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(ValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(ValidUtf8("\xe2\x80"));          // truncated
  EXPECT_FALSE(ValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(ValidUtf8("\x80"));
}

}  // namespace
}  // namespace tongban::ledger
