// GB/T 36904 identifiers and ISO 7064 MOD 37,36, including malformed input.
#include "license/license_id.h"

#include <gtest/gtest.h>

namespace tongban::license {
namespace {

constexpr const char* kType = "11100000G00000015Q003";  // definer's USCC + 3 digits
constexpr const char* kIssuer = "11330000R00000031E";

TEST(Iso7064Mod3736, KnownValueAndEverySingleCharacterChangeIsDetected) {
  // ISO 7064 MOD 37,36 example used by GB/T 36904 implementations: the check makes the
  // recomputation over text + check come out at 1 (the hybrid system's invariant).
  std::string body = "1215630052" + std::string(kType) + kIssuer + "000000101";
  char check = Iso7064Mod3736Check(body);
  ASSERT_NE(check, '\0');
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (size_t i = 0; i < body.size(); ++i) {
    for (char c : alphabet) {
      if (c == body[i]) continue;
      std::string changed = body;
      changed[i] = c;
      EXPECT_NE(Iso7064Mod3736Check(changed), check) << i << c;
    }
  }
  // Adjacent transpositions are caught too.
  for (size_t i = 0; i + 1 < body.size(); ++i) {
    if (body[i] == body[i + 1]) continue;
    std::string swapped = body;
    std::swap(swapped[i], swapped[i + 1]);
    EXPECT_NE(Iso7064Mod3736Check(swapped), check) << i;
  }
  EXPECT_EQ(Iso7064Mod3736Check("a"), '\0');
}

TEST(Iso7064Mod3736, HybridInvariant) {
  // ISO 7064 hybrid check: after the data characters, (p + value(check)) mod 36 == 1.
  for (std::string s : {"0", "A", "1215630052", "ZZZZ", "1234567890ABCDEF"}) {
    char c = Iso7064Mod3736Check(s);
    int p = 36;
    for (char ch : s) {
      int v = ch <= '9' ? ch - '0' : ch - 'A' + 10;
      int x = (p + v) % 36;
      if (x == 0) x = 36;
      p = (x * 2) % 37;
    }
    int cv = c <= '9' ? c - '0' : c - 'A' + 10;
    EXPECT_EQ((p + cv) % 36, 1) << s;
  }
}

TEST(LicenseId, MakeAndParseRoundTrip) {
  auto id = LicenseId::Make(kType, kIssuer, 1, 1);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(id->text().starts_with("1.2.156.3005.2.11100000G00000015Q003.11330000R00000031E.0000001.01."));
  auto parsed = LicenseId::Parse(id->text());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->type_code(), kType);
  EXPECT_EQ(parsed->issuer_uscc(), kIssuer);
  EXPECT_EQ(parsed->serial(), "0000001");
  EXPECT_EQ(parsed->version(), 1);
  EXPECT_EQ(LicenseId::Make(kType, kIssuer, 1, 2)->version(), 2);
}

TEST(LicenseId, MalformedIdentifiersAreRejectedWithAReason) {
  std::string good = LicenseId::Make(kType, kIssuer, 42, 1)->text();
  std::string wrong_check = good;
  wrong_check.back() = wrong_check.back() == '0' ? '1' : '0';
  std::string lower = good;
  lower[good.find('G')] = 'g';
  std::string bad_serial = good;
  bad_serial.replace(bad_serial.find(".0000042."), 9, ".00000X2.");
  for (const std::string& bad :
       {std::string(""), std::string("1.2.156.3005.2"), std::string("1.2.156.3005.3.") + kType,
        wrong_check, lower, bad_serial, good + ".1", good.substr(0, good.size() - 2),
        good.substr(0, good.find(".01.")) + ".00." + good.back(),
        std::string("1.2.156.3005.2.11100000G00000082F00.11330000R00000031E.1.01.0")}) {
    auto r = LicenseId::Parse(bad, "id");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    ASSERT_FALSE(r.status().fields().empty());
    EXPECT_EQ(r.status().fields()[0].field, "id");
  }
  EXPECT_EQ(LicenseId::Parse(wrong_check).status().fields()[0].reason,
            "wrong check character (ISO 7064 MOD 37,36)");
}

}  // namespace
}  // namespace tongban::license
