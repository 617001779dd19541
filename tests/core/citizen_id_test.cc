// Tests for CitizenId (GB 11643-1999). All numbers here are synthetic: built from a region code,
// a birth date and a sequence number with a computed check character, never copied from a person.
#include "core/citizen_id.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

namespace tongban {
namespace {

constexpr CivilDate kToday{2026, 11, 24};

// A synthetic number with a valid check character.
std::string MakeId(std::string_view region, std::string_view birth, std::string_view seq) {
  std::string first17 = std::string(region) + std::string(birth) + std::string(seq);
  return first17 + CitizenId::ComputeCheckChar(first17);
}

std::string ReasonOf(std::string_view text, CivilDate today = kToday) {
  Result<CitizenId> r = CitizenId::Parse(text, today);
  EXPECT_FALSE(r.ok()) << "accepted: " << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().fields().size(), 1u);
  EXPECT_EQ(r.status().fields()[0].field, "id_number");
  return r.status().fields()[0].reason;
}

TEST(CitizenIdStandard, ExamplesFromGb11643Pass) {
  Result<CitizenId> a = CitizenId::Parse("11010519491231002X", kToday);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->region_code().value(), 110105);
  EXPECT_EQ(a->birth_date(), (CivilDate{1949, 12, 31}));
  EXPECT_EQ(a->sex(), Sex::kFemale);
  EXPECT_EQ(a->check_char(), 'X');

  Result<CitizenId> b = CitizenId::Parse("440524188001010014", kToday);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->region_code().value(), 440524);
  EXPECT_EQ(b->birth_date(), (CivilDate{1880, 1, 1}));
  EXPECT_EQ(b->sex(), Sex::kMale);
}

TEST(CitizenIdStandard, CheckCharMatchesStandardExamples) {
  EXPECT_EQ(CitizenId::ComputeCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(CitizenId::ComputeCheckChar("44052418800101001"), '4');
}

TEST(CitizenIdParse, SyntheticNumbersOfManyRegionsPass) {
  struct Person {
    const char* name;
    std::string id;
    Sex sex;
  };
  const Person people[] = {
      {"张伟", MakeId("330421", "19900307", "123"), Sex::kMale},    // 嘉善县
      {"李娜", MakeId("330106", "19851112", "046"), Sex::kFemale},  // 杭州西湖区
      {"王芳", MakeId("370102", "20000229", "008"), Sex::kFemale},  // 济南历下区, leap day
      {"刘洋", MakeId("429004", "19781001", "315"), Sex::kMale},    // 仙桃市 (省直辖)
      {"陈静", MakeId("500229", "19691231", "222"), Sex::kFemale},  // 重庆城口县
      {"赵磊", MakeId("650102", "20261124", "011"), Sex::kMale},    // born today
  };
  for (const Person& p : people) {
    Result<CitizenId> id = CitizenId::Parse(p.id, kToday);
    ASSERT_TRUE(id.ok()) << p.name << ": " << id.status().ToString();
    EXPECT_EQ(id->sex(), p.sex) << p.name;
    EXPECT_EQ(id->RevealFullNumber(), p.id) << p.name;
  }
}

TEST(CitizenIdParse, AbolishedCountyCodeIsStillValid) {
  // 330183 富阳市 became 杭州市富阳区 (330111) in 2014 and is not in the table; numbers issued
  // under it stay valid for life, so only the province prefix is checked.
  ASSERT_FALSE(LookupRegion(RegionCode::FromInt(330183)).ok());
  std::string id = MakeId("330183", "19750615", "032");
  Result<CitizenId> r = CitizenId::Parse(id, kToday);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->region_code().value(), 330183);
}

TEST(CitizenIdParse, LowerCaseXIsNormalisedToUpperCase) {
  Result<CitizenId> r = CitizenId::Parse("11010519491231002x", kToday);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->RevealFullNumber(), "11010519491231002X");
  EXPECT_EQ(r->check_char(), 'X');
  EXPECT_EQ(*r, *CitizenId::Parse("11010519491231002X", kToday));
}

TEST(CitizenIdParse, WrongLengthIsRejected) {
  EXPECT_EQ(ReasonOf(""), "must be 18 characters, got 0");
  EXPECT_EQ(ReasonOf("11010519491231002"), "must be 18 characters, got 17");
  EXPECT_EQ(ReasonOf("11010519491231002X0"), "must be 18 characters, got 19");
  EXPECT_EQ(ReasonOf(" 11010519491231002X"), "must be 18 characters, got 19");
  EXPECT_NE(ReasonOf("110105491231002").find("15-digit"), std::string::npos);
}

TEST(CitizenIdParse, NonDigitsAreRejected) {
  EXPECT_EQ(ReasonOf("1101051949123100X2"), "character 17 must be a digit");
  EXPECT_EQ(ReasonOf("A1010519491231002X"), "character 1 must be a digit");
  EXPECT_EQ(ReasonOf("11010519491231002Y"), "the last character must be a digit or X");
  EXPECT_EQ(ReasonOf("1101051949-231002X"), "character 11 must be a digit");
  EXPECT_EQ(ReasonOf(std::string("11010519491231002\0", 18)),
            "the last character must be a digit or X");
}

TEST(CitizenIdParse, FullWidthDigitsAreRejectedWithAReason) {
  // "１１０１０５１９４９１２３１００２Ｘ": the first standard example typed in full width.
  EXPECT_EQ(ReasonOf("１１０１０５１９４９１２３１００２Ｘ"),
            "full-width characters are not accepted; use ASCII digits 0-9 and X");
  // One full-width digit among ASCII ones.
  EXPECT_EQ(ReasonOf("1101051949123100２X"),
            "full-width characters are not accepted; use ASCII digits 0-9 and X");
  // Full-width lower-case x only.
  EXPECT_EQ(ReasonOf("11010519491231002ｘ"),
            "full-width characters are not accepted; use ASCII digits 0-9 and X");
  // Other non-ASCII text.
  EXPECT_EQ(ReasonOf("张伟"), "must contain only ASCII digits 0-9 and X");
  EXPECT_EQ(ReasonOf("\xff\xfe"), "must contain only ASCII digits 0-9 and X");
}

TEST(CitizenIdParse, ImpossibleBirthDatesAreRejected) {
  EXPECT_EQ(ReasonOf(MakeId("330421", "19990230", "123")),
            "birth date (characters 7-14) is not a real date");
  EXPECT_EQ(ReasonOf(MakeId("330421", "19990229", "123")),  // 1999 is not a leap year
            "birth date (characters 7-14) is not a real date");
  EXPECT_EQ(ReasonOf(MakeId("330421", "19001301", "123")),
            "birth date (characters 7-14) is not a real date");
  EXPECT_EQ(ReasonOf(MakeId("330421", "19900100", "123")),
            "birth date (characters 7-14) is not a real date");
  EXPECT_EQ(ReasonOf(MakeId("330421", "00000000", "123")),
            "birth date (characters 7-14) is not a real date");
  EXPECT_EQ(ReasonOf(MakeId("330421", "17991231", "123")), "birth date is before 1800-01-01");
  EXPECT_TRUE(CitizenId::Parse(MakeId("330421", "20000229", "123"), kToday).ok());
}

TEST(CitizenIdParse, FutureBirthDateIsRejected) {
  EXPECT_EQ(ReasonOf(MakeId("330421", "20261125", "123")), "birth date is in the future");
  EXPECT_EQ(ReasonOf(MakeId("330421", "20990101", "123")), "birth date is in the future");
  EXPECT_TRUE(CitizenId::Parse(MakeId("330421", "20261125", "123"), CivilDate{2026, 11, 25}).ok());
}

TEST(CitizenIdParse, TodayComesFromTheInjectedClockInChinaTime) {
  std::string born = MakeId("330421", "20261125", "123");
  // 2026-11-24T15:59:59Z is 23:59:59 in Beijing: still the 24th, so the 25th is in the future.
  FakeClock clock(*ParseIso8601Utc("2026-11-24T15:59:59Z"));
  EXPECT_FALSE(CitizenId::Parse(born, clock).ok());
  // One second later it is 00:00:00 on the 25th in Beijing (still the 24th in UTC).
  clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(CitizenId::Parse(born, clock).ok());
}

TEST(CitizenIdParse, WrongCheckCharIsRejected) {
  EXPECT_EQ(ReasonOf("110105194912310021"), "check character does not match (mistyped digit?)");
  EXPECT_EQ(ReasonOf("440524188001010015"), "check character does not match (mistyped digit?)");
  // Two adjacent digits swapped.
  EXPECT_EQ(ReasonOf("11010519491231020X"), "check character does not match (mistyped digit?)");
  // Every wrong check character for a synthetic number fails.
  std::string id = MakeId("330106", "19851112", "046");
  for (char c : std::string("0123456789X")) {
    if (c == id[17]) continue;
    std::string wrong = id.substr(0, 17) + c;
    EXPECT_FALSE(CitizenId::Parse(wrong, kToday).ok()) << c;
  }
}

TEST(CitizenIdParse, UnknownProvinceIsRejected) {
  EXPECT_EQ(ReasonOf(MakeId("000000", "19900307", "123")), "unknown province code 00");
  EXPECT_EQ(ReasonOf(MakeId("990101", "19900307", "123")), "unknown province code 99");
  EXPECT_EQ(ReasonOf(MakeId("200101", "19900307", "123")), "unknown province code 20");
  // Hong Kong / Macao / Taiwan residence permits.
  EXPECT_TRUE(CitizenId::Parse(MakeId("810000", "19900307", "123"), kToday).ok());
  EXPECT_TRUE(CitizenId::Parse(MakeId("820000", "19900307", "123"), kToday).ok());
  EXPECT_TRUE(CitizenId::Parse(MakeId("830000", "19900307", "123"), kToday).ok());
}

TEST(CitizenIdParse, ErrorsNeverContainTheNumber) {
  const std::string bad[] = {MakeId("330421", "19990230", "123"), "330421199002301235",
                             MakeId("990421", "19900307", "123"), "33042119900307123"};
  for (const std::string& text : bad) {
    Result<CitizenId> r = CitizenId::Parse(text, kToday);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().ToString().find(text.substr(6, 8)), std::string::npos)
        << r.status().ToString();
  }
}

TEST(CitizenIdParse, CustomFieldNameIsUsed) {
  Result<CitizenId> r = CitizenId::Parse("123", kToday, "/applicant/id_number");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "/applicant/id_number: must be 18 characters, got 3");
}

TEST(CitizenIdMasking, DefaultStringFormIsMasked) {
  std::string number = MakeId("330106", "19851112", "046");  // 李娜
  CitizenId id = *CitizenId::Parse(number, kToday);
  std::string masked = "3301**********" + number.substr(14);
  EXPECT_EQ(id.Masked(), masked);
  EXPECT_EQ(id.ToString(), masked);
  std::ostringstream os;
  os << id;
  EXPECT_EQ(os.str(), masked);
  EXPECT_EQ(masked.size(), 18u);
  EXPECT_EQ(id.RevealFullNumber(), number);
  EXPECT_EQ(testing::PrintToString(id), masked);
}

TEST(CitizenIdMasking, StandardExampleMasks) {
  EXPECT_EQ(CitizenId::Parse("11010519491231002X", kToday)->Masked(), "1101**********002X");
}

TEST(CitizenIdOrder, UsableAsOrderedKey) {
  std::set<CitizenId> ids;
  ids.insert(*CitizenId::Parse(MakeId("330421", "19900307", "123"), kToday));
  ids.insert(*CitizenId::Parse("11010519491231002x", kToday));
  ids.insert(*CitizenId::Parse("11010519491231002X", kToday));  // same person as above
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids.begin()->RevealFullNumber(), "11010519491231002X");
}

}  // namespace
}  // namespace tongban
