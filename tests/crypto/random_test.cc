// RandomBytes and ConstantTimeEqual.
#include "crypto/random.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/constant_time.h"

namespace tongban::crypto {
namespace {

TEST(RandomBytes, LengthAndNoRepeats) {
  EXPECT_EQ(RandomBytes(0), "");
  EXPECT_EQ(RandomBytes(1000).size(), 1000u);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.insert(RandomBytes(16)).second);
}

TEST(RandomBytes, AllByteValuesAppear) {
  const std::string r = RandomBytes(1 << 16);
  std::set<unsigned char> values(r.begin(), r.end());
  EXPECT_EQ(values.size(), 256u);  // fails with probability ~256 * (255/256)^65536, i.e. never
}

TEST(ConstantTimeEqual, Basics) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEqual("", "a"));
  EXPECT_TRUE(ConstantTimeEqual(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEqual(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace tongban::crypto
