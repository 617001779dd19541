// Tests for ledger/entry.h: canonical encoding layout, round trip, strict rejection.
#include "ledger/entry.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"

namespace tongban::ledger {
namespace {

Entry Sample() {
  Entry e;
  e.type = "receipt.issue";
  for (size_t i = 0; i < 32; ++i) e.subject[i] = static_cast<uint8_t>(i);
  e.document = crypto::Hash(crypto::HashAlgorithm::kSm3, "document");
  e.time_micros = 1764000000123456;
  e.index.value = 0x0102030405060708;
  return e;
}

TEST(Entry, EncodingIsTheDocumentedLayout) {
  Entry e = Sample();
  Result<std::string> b = EncodeEntry(e);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), Entry::kFixedSize + e.type.size());
  EXPECT_EQ((*b)[0], 1);
  EXPECT_EQ(b->substr(1, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(crypto::ToHex(std::span(reinterpret_cast<const uint8_t*>(b->data()) + 9, 8)),
            "0006445941642240");  // 1764000000123456
  EXPECT_EQ(static_cast<uint8_t>((*b)[17]), 0);
  EXPECT_EQ(static_cast<uint8_t>((*b)[48]), 31);
  EXPECT_EQ(static_cast<uint8_t>((*b)[81]), e.type.size());
  EXPECT_EQ(b->substr(82), "receipt.issue");
}

TEST(Entry, RoundTripsAndLeafHashIsPrefixedHash) {
  Entry e = Sample();
  std::string bytes = *EncodeEntry(e);
  Result<Entry> back = ParseEntry(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
  TreeHasher h(crypto::HashAlgorithm::kSm3);
  EXPECT_EQ(*EntryLeafHash(h, e), crypto::Hash(crypto::HashAlgorithm::kSm3, std::string(1, '\0') + bytes));
}

TEST(Entry, EncodeRejectsBadTypeAndTime) {
  for (std::string bad : std::vector<std::string>{"", "Receipt", "1abc", "a b", "a/b", std::string(65, 'a'), "类型"}) {
    Entry e = Sample();
    e.type = bad;
    EXPECT_FALSE(EncodeEntry(e).ok()) << bad;
  }
  Entry e = Sample();
  e.type = std::string(64, 'z');
  EXPECT_TRUE(EncodeEntry(e).ok());
  e.time_micros = -1;
  EXPECT_FALSE(EncodeEntry(e).ok());
}

TEST(Entry, ParseRejectsEveryTruncationAndExtension) {
  const std::string good = *EncodeEntry(Sample());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(ParseEntry(std::string_view(good).substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(ParseEntry(good + "x").ok());
}

TEST(Entry, ParseRejectsBadVersionTimeAndType) {
  const std::string good = *EncodeEntry(Sample());
  std::string v = good;
  v[0] = 2;
  EXPECT_FALSE(ParseEntry(v).ok());
  std::string t = good;
  t[9] = static_cast<char>(0x80);  // time >= 2^63
  EXPECT_FALSE(ParseEntry(t).ok());
  std::string ty = good;
  ty[82] = 'R';
  EXPECT_FALSE(ParseEntry(ty).ok());
  std::string len = good;
  len[81] = 0;
  EXPECT_FALSE(ParseEntry(len.substr(0, 82)).ok());  // empty type
}

}  // namespace
}  // namespace tongban::ledger
