// Tests for the strict base64 / base64url codec: RFC 4648 §10 vectors and rejections.
#include "core/base64.h"

#include <gtest/gtest.h>

namespace tongban {
namespace {

TEST(Base64, Rfc4648Section10Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(std::string_view(plain)), encoded);
    Result<std::string> back = Base64Decode(encoded);
    ASSERT_TRUE(back.ok()) << encoded << ": " << back.status().ToString();
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base64Url, Rfc4648Section10VectorsUnpadded) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(std::string_view(plain)), encoded);
    Result<std::string> back = Base64UrlDecode(encoded);
    ASSERT_TRUE(back.ok()) << encoded;
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base64, AlphabetsDiffer) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_FALSE(Base64Decode("-_-_").ok());
  EXPECT_FALSE(Base64UrlDecode("+/+/").ok());
}

TEST(Base64, RejectsBadPadding) {
  for (const char* bad :
       {"Zg", "Zg=", "Zg===", "Z===", "====", "=", "Zm9v=", "Zg==Zg==", "Zm=v", "Zm8=Zm9v", "A"}) {
    EXPECT_FALSE(Base64Decode(bad).ok()) << bad;
  }
  EXPECT_FALSE(Base64UrlDecode("Zg==").ok());
  EXPECT_FALSE(Base64UrlDecode("Z").ok());
}

TEST(Base64, RejectsNonCanonicalTrailingBits) {
  // "Zg==" is canonical for "f"; "Zh==" decodes to the same byte with a non-zero trailing bit.
  EXPECT_FALSE(Base64Decode("Zh==").ok());
  EXPECT_FALSE(Base64Decode("Zm9=").ok());
  EXPECT_EQ(Base64Decode("Zm9=").status().message(), "base64: non-canonical trailing bits");
  EXPECT_FALSE(Base64UrlDecode("Zh").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9").ok());
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  for (const char* bad : {"Zm9v\n", " Zm9v", "Zm 9v", "Zm9v\r\nYmFy", "Zm9*"}) {
    EXPECT_FALSE(Base64Decode(bad).ok()) << bad;
  }
  EXPECT_FALSE(Base64Decode(std::string("Zm9\0", 4)).ok());
  EXPECT_FALSE(Base64Decode("Ｚｍ９ｖ").ok());
  EXPECT_EQ(Base64Decode("Zm*v").status().message(), "base64: invalid character at position 2");
}

TEST(Base64, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 17) {
    std::string prefix = all.substr(0, n);
    EXPECT_EQ(*Base64Decode(Base64Encode(prefix)), prefix);
    EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(prefix)), prefix);
  }
}

}  // namespace
}  // namespace tongban
