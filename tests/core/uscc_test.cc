// Tests for Uscc (GB 32100-2015). Codes other than the standard's worked example are synthetic:
// built from parts with computed check characters.
#include "core/uscc.h"

#include <gtest/gtest.h>

#include <string>

namespace tongban {
namespace {

// authority+type (2), region (6), organisation code body (8) -> a valid 18-character code.
std::string MakeUscc(std::string_view head, std::string_view region, std::string_view body) {
  std::string s = std::string(head) + std::string(region) + std::string(body);
  s += Uscc::ComputeOrgCodeCheckChar(body);
  s += Uscc::ComputeCheckChar(s);
  return s;
}

std::string ReasonOf(std::string_view text) {
  Result<Uscc> r = Uscc::Parse(text);
  EXPECT_FALSE(r.ok()) << "accepted: " << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().fields().at(0).field, "uscc");
  return r.status().fields().at(0).reason;
}

TEST(UsccStandard, WorkedExampleGivesCheckCharacter3) {
  EXPECT_EQ(Uscc::ComputeCheckChar("91350100M000100Y4"), '3');
  EXPECT_EQ(Uscc::ComputeOrgCodeCheckChar("M000100Y"), '4');
  Result<Uscc> u = Uscc::Parse("91350100M000100Y43");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->registration_authority(), '9');
  EXPECT_EQ(u->organization_type(), '1');
  EXPECT_EQ(u->region_code().value(), 350100);
  EXPECT_EQ(u->organization_code(), "M000100Y4");
  EXPECT_EQ(u->check_char(), '3');
}

TEST(UsccStandard, OrgCodeCheckMapsTenToXAndElevenToZero) {
  // Search synthetic bodies for each special case rather than hard-coding one.
  bool seen_x = false, seen_zero = false;
  for (int i = 0; i < 200 && !(seen_x && seen_zero); ++i) {
    std::string body = "MA" + std::to_string(100000 + i);
    char c = Uscc::ComputeOrgCodeCheckChar(body);
    int sum = 0;
    const int w[] = {3, 7, 9, 10, 5, 8, 4, 2};
    for (int k = 0; k < 8; ++k) {
      char ch = body[static_cast<size_t>(k)];
      sum += (ch >= 'A' ? ch - 'A' + 10 : ch - '0') * w[k];
    }
    if (sum % 11 == 1) {
      EXPECT_EQ(c, 'X');
      seen_x = true;
    }
    if (sum % 11 == 0) {
      EXPECT_EQ(c, '0');
      seen_zero = true;
    }
  }
  EXPECT_TRUE(seen_x && seen_zero);
  EXPECT_EQ(Uscc::ComputeOrgCodeCheckChar("M00010*Y"), '\0');
  EXPECT_EQ(Uscc::ComputeCheckChar("91350100M000100YI"), '\0');
}

TEST(UsccParse, SyntheticCodesOfEachKindPass) {
  struct Org {
    const char* name;
    std::string code;
  };
  const Org orgs[] = {
      {"嘉善县张伟五金店 (个体工商户)", MakeUscc("92", "330421", "MA2B3C4D")},
      {"杭州李娜科技有限公司 (企业)", MakeUscc("91", "330106", "MA27WT8K")},
      {"某县人民政府办公室 (机关)", MakeUscc("11", "330421", "00250236")},
      {"某社会团体 (民政)", MakeUscc("51", "370102", "5012345X")},
      {"某村股份经济合作社 (农业)", MakeUscc("N2", "429004", "MF000001")},
      {"国家级单位", MakeUscc("12", "100000", "40001234")},
      {"其他", MakeUscc("Y1", "500229", "MB1234X5")},
  };
  for (const Org& o : orgs) {
    Result<Uscc> u = Uscc::Parse(o.code);
    ASSERT_TRUE(u.ok()) << o.name << ": " << u.status().ToString();
    EXPECT_EQ(u->RevealFullCode(), o.code) << o.name;
  }
}

TEST(UsccParse, LowerCaseIsNormalised) {
  Result<Uscc> u = Uscc::Parse("91350100m000100y43");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->RevealFullCode(), "91350100M000100Y43");
}

TEST(UsccParse, WrongLengthIsRejected) {
  EXPECT_EQ(ReasonOf(""), "must be 18 characters, got 0");
  EXPECT_EQ(ReasonOf("91350100M000100Y4"), "must be 18 characters, got 17");
  EXPECT_EQ(ReasonOf("91350100M000100Y433"), "must be 18 characters, got 19");
  EXPECT_EQ(ReasonOf("M000100Y4"), "must be 18 characters, got 9");  // old organisation code alone
}

TEST(UsccParse, ForbiddenLettersIOZSVAreRejected) {
  for (char bad : std::string("IOZSVioszv")) {
    std::string code = "91350100M000100Y43";
    code[8] = bad;
    std::string reason = ReasonOf(code);
    EXPECT_NE(reason.find("character 9 is the letter"), std::string::npos) << bad << ": " << reason;
    EXPECT_NE(reason.find("I O Z S V are excluded"), std::string::npos) << reason;
  }
  // The check position too: 'O' is a common mistake for '0'.
  EXPECT_NE(ReasonOf("91350100M000100Y4O").find("character 18 is the letter O"), std::string::npos);
}

TEST(UsccParse, OtherCharactersAreRejected) {
  EXPECT_EQ(ReasonOf("91350100M000100Y4-"), "character 18 must be a digit or an upper-case letter");
  EXPECT_EQ(ReasonOf("91350100M000 00Y43"), "character 13 must be a digit or an upper-case letter");
  EXPECT_NE(ReasonOf("９１350100M000100Y43").find("full-width"), std::string::npos);
  EXPECT_EQ(ReasonOf("9135A100M000100Y43"), "characters 3-8 (region code) must be digits");
}

TEST(UsccParse, WrongCheckCharactersAreRejected) {
  EXPECT_EQ(ReasonOf("91350100M000100Y44"), "check character does not match (mistyped character?)");
  EXPECT_EQ(ReasonOf("91350100M000100Y53"),
            "check character of the organisation code (character 17) does not match");
  // Every wrong final check character fails.
  std::string code = MakeUscc("91", "330106", "MA27WT8K");
  for (char c : std::string("0123456789ABCDEFGHJKLMNPQRTUWXY")) {
    if (c == code[17]) continue;
    EXPECT_FALSE(Uscc::Parse(code.substr(0, 17) + c).ok()) << c;
  }
}

TEST(UsccParse, UnknownRegionIsRejected) {
  EXPECT_EQ(ReasonOf(MakeUscc("91", "990100", "MA27WT8K")),
            "unknown province code 99 in the region code");
  EXPECT_EQ(ReasonOf(MakeUscc("91", "000000", "MA27WT8K")),
            "unknown province code 00 in the region code");
}

TEST(UsccParse, UnknownAuthorityOrTypeIsRejected) {
  EXPECT_EQ(ReasonOf(MakeUscc("B1", "330106", "MA27WT8K")),
            "unknown registration authority code B");
  EXPECT_EQ(ReasonOf(MakeUscc("94", "330106", "MA27WT8K")),
            "organisation type 4 does not exist for registration authority 9");
  EXPECT_EQ(ReasonOf(MakeUscc("Y2", "330106", "MA27WT8K")),
            "organisation type 2 does not exist for registration authority Y");
}

TEST(UsccLenient, AcceptsCheckFailuresWithWarnings) {
  Result<LenientUscc> r = Uscc::ParseLenient("91350100M000100Y53");  // both checks wrong
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_EQ(r->warnings[0].kind, UsccWarningKind::kOrgCodeCheck);
  EXPECT_EQ(r->warnings[1].kind, UsccWarningKind::kCheckChar);
  EXPECT_EQ(r->uscc.RevealFullCode(), "91350100M000100Y53");
}

TEST(UsccLenient, WarnsForUnknownRegionAndType) {
  Result<LenientUscc> r = Uscc::ParseLenient(MakeUscc("94", "990100", "MA27WT8K"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_EQ(r->warnings[0].kind, UsccWarningKind::kUnknownAuthorityOrType);
  EXPECT_EQ(r->warnings[1].kind, UsccWarningKind::kUnknownRegion);
}

TEST(UsccLenient, ValidCodeHasNoWarnings) {
  Result<LenientUscc> r = Uscc::ParseLenient("91350100M000100Y43");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
}

TEST(UsccLenient, StillRejectsLengthAndCharacterSet) {
  EXPECT_FALSE(Uscc::ParseLenient("91350100M000100Y4").ok());
  EXPECT_FALSE(Uscc::ParseLenient("91350100M000100YO3").ok());
  EXPECT_FALSE(Uscc::ParseLenient("9135010OM000100Y43").ok());
  EXPECT_FALSE(Uscc::ParseLenient("9135A100M000100Y43").ok());
}

TEST(UsccMasking, DefaultStringFormIsMasked) {
  Uscc u = *Uscc::Parse("91350100M000100Y43");
  EXPECT_EQ(u.Masked(), "9135**********0Y43");
  EXPECT_EQ(u.ToString(), "9135**********0Y43");
  EXPECT_EQ(testing::PrintToString(u), "9135**********0Y43");
  EXPECT_EQ(u.RevealFullCode(), "91350100M000100Y43");
}

}  // namespace
}  // namespace tongban
