// The public data catalogue: the built-in one parses (at least 8 departments with valid USCCs and
// 12 datasets, every element well formed, the lookups find what it holds), and a malformed
// catalogue is refused naming the entry at fault (not JSON, duplicate dataset code, unknown owner,
// bad element type, sensitivity 5, a code element without codes, a bad USCC, a bad pattern).
#include "data/catalogue.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "core/region.h"
#include "core/uscc.h"

namespace tongban::data {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

TEST(DataCatalogue, BuiltinParsesWithItsDepartmentsAndDatasets) {
  auto parsed = Catalogue::Parse(EmbeddedCatalogueJson());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const Catalogue& c = Catalogue::Builtin();
  EXPECT_GE(c.departments().size(), 8u);
  EXPECT_GE(c.datasets().size(), 12u);
  EXPECT_EQ(c.departments().size(), parsed->departments().size());
  EXPECT_EQ(c.datasets().size(), parsed->datasets().size());

  for (const Department& d : c.departments()) {
    EXPECT_TRUE(Uscc::Parse(d.uscc).ok()) << d.key << ": " << Uscc::Parse(d.uscc).status().ToString();
    EXPECT_TRUE(RegionCode::Parse(d.region).ok()) << d.key;
    EXPECT_EQ(c.DepartmentByKey(d.key), &d);
    EXPECT_EQ(c.DepartmentByName(d.name_zh), &d);
  }
  for (const Dataset& ds : c.datasets()) {
    EXPECT_EQ(c.FindDataset(ds.code), &ds);
    ASSERT_NE(c.DepartmentByKey(ds.owner), nullptr) << ds.code;
    EXPECT_FALSE(ds.elements.empty()) << ds.code;
    for (const Element& e : ds.elements) {
      EXPECT_EQ(ds.FindElement(e.code), &e);
      EXPECT_GE(e.sensitivity, 1) << ds.code << "." << e.code;
      EXPECT_LE(e.sensitivity, 4) << ds.code << "." << e.code;
      EXPECT_EQ(e.type == ElementType::kCode, !e.codes.empty()) << ds.code << "." << e.code;
      EXPECT_EQ(e.pattern.empty(), e.matcher == nullptr) << ds.code << "." << e.code;
    }
  }
  EXPECT_EQ(c.FindDataset("no_such_dataset"), nullptr);
  EXPECT_EQ(c.DepartmentByKey("no-such-department"), nullptr);

  // What the rest of the platform relies on by name.
  const Dataset* household = c.FindDataset("household_registration");
  ASSERT_NE(household, nullptr);
  EXPECT_EQ(household->owner, "hz-police");
  EXPECT_EQ(household->subject, SubjectKind::kPerson);
  EXPECT_EQ(c.DepartmentByKey("hz-police")->name_zh, "杭州市公安局");
  EXPECT_EQ(household->FindElement("household_head_id")->type, ElementType::kCitizenId);
  const Dataset* enterprise = c.FindDataset("enterprise_registration");
  ASSERT_NE(enterprise, nullptr);
  EXPECT_EQ(enterprise->subject, SubjectKind::kEnterprise);
  EXPECT_EQ(c.FindDataset("tax_payment")->FindElement("tax_year")->min, 2000);
  EXPECT_EQ(c.FindDataset("tax_payment")->FindElement("tax_year")->max, 2100);

  // The canonical text served at /api/v1/data/catalogue parses back to the same catalogue.
  auto again = Catalogue::Parse(c.json());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->datasets().size(), c.datasets().size());
  EXPECT_EQ(again->json(), c.json());
}

TEST(DataCatalogue, ElementTypeNamesAreTheCatalogueWords) {
  EXPECT_EQ(ElementTypeName(ElementType::kString), "string");
  EXPECT_EQ(ElementTypeName(ElementType::kDate), "date");
  EXPECT_EQ(ElementTypeName(ElementType::kFen), "fen");
  EXPECT_EQ(ElementTypeName(ElementType::kCitizenId), "citizen_id");
  EXPECT_EQ(ElementTypeName(ElementType::kUscc), "uscc");
}

// A small valid catalogue each malformed case changes in one place.
value SmallCatalogue() {
  return boost::json::parse(R"json({
    "departments": [
      {"key": "hz-police", "name_zh": "杭州市公安局", "name_en": "Hangzhou Public Security Bureau",
       "uscc": "11330100G00000015P", "region": "330100"},
      {"key": "hz-hrss", "name_zh": "杭州市人力资源和社会保障局", "name_en": "Hangzhou HRSS",
       "uscc": "11330100R0000004XB", "region": "330100"}
    ],
    "datasets": [
      {"code": "household_registration", "name_zh": "户籍信息", "name_en": "Household registration",
       "owner": "hz-police", "subject": "person", "elements": [
         {"code": "name", "standard_code": "DE00001", "name_zh": "姓名", "name_en": "Name",
          "type": "string", "sensitivity": 2, "max_length": 64},
         {"code": "sex", "standard_code": "DE00002", "name_zh": "性别", "name_en": "Sex",
          "type": "code", "sensitivity": 2, "codes": ["男", "女"]},
         {"code": "insured_region", "standard_code": "DE00003", "name_zh": "参保地", "name_en": "Region",
          "type": "string", "sensitivity": 1, "pattern": "^[0-9]{6}$"}
       ]},
      {"code": "social_insurance", "name_zh": "社会保险参保信息", "name_en": "Social insurance",
       "owner": "hz-hrss", "subject": "person", "elements": [
         {"code": "monthly_base_fen", "standard_code": "DE00004", "name_zh": "缴费基数（分）",
          "name_en": "Monthly base (fen)", "type": "fen", "sensitivity": 3}
       ]}
    ]})json");
}

// The one field the refusal names.
std::string RefusedField(const value& catalogue) {
  auto r = Catalogue::Parse(boost::json::serialize(catalogue));
  if (r.ok()) return "(accepted)";
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  if (r.status().fields().size() != 1) return "(no field) " + r.status().ToString();
  return r.status().fields()[0].field;
}

object& Dataset0(value& c) { return c.at("datasets").as_array()[0].as_object(); }
object& Element0(value& c, size_t j) { return Dataset0(c).at("elements").as_array()[j].as_object(); }

TEST(DataCatalogue, TheSmallCatalogueOfTheseTestsIsValid) {
  auto r = Catalogue::Parse(boost::json::serialize(SmallCatalogue()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->datasets().size(), 2u);
  const Element* region = r->FindDataset("household_registration")->FindElement("insured_region");
  ASSERT_NE(region, nullptr);
  ASSERT_NE(region->matcher, nullptr);
  EXPECT_TRUE(std::regex_match("330106", *region->matcher));
  EXPECT_EQ(r->FindDataset("household_registration")->FindElement("name")->max_length, 64u);
}

TEST(DataCatalogue, TextThatIsNotAJsonObjectIsRefused) {
  for (std::string_view text : {"", "{", "not json", "[]", "42", R"({"departments": [)"}) {
    auto r = Catalogue::Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << text;
    EXPECT_NE(r.status().message().find("data catalogue"), std::string::npos) << r.status().ToString();
  }
}

TEST(DataCatalogue, ADuplicateDatasetCodeIsNamed) {
  value c = SmallCatalogue();
  c.at("datasets").as_array()[1].as_object()["code"] = "household_registration";
  EXPECT_EQ(RefusedField(c), "datasets[1].code");
}

TEST(DataCatalogue, AnOwnerThatIsNoDepartmentIsNamed) {
  value c = SmallCatalogue();
  c.at("datasets").as_array()[1].as_object()["owner"] = "hz-health";
  EXPECT_EQ(RefusedField(c), "datasets[1].owner");
}

TEST(DataCatalogue, AnUnknownElementTypeIsNamed) {
  value c = SmallCatalogue();
  Element0(c, 0)["type"] = "text";
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[0].type");
}

TEST(DataCatalogue, SensitivityOutsideOneToFourIsNamed) {
  for (int64_t level : {0, 5}) {
    value c = SmallCatalogue();
    Element0(c, 0)["sensitivity"] = level;
    EXPECT_EQ(RefusedField(c), "datasets[0].elements[0].sensitivity") << level;
  }
  value c = SmallCatalogue();
  Element0(c, 0).erase("sensitivity");
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[0].sensitivity");
}

TEST(DataCatalogue, ACodeElementNeedsItsCodeListAndOnlyItHasOne) {
  value c = SmallCatalogue();
  Element0(c, 1).erase("codes");
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[1].codes");
  c = SmallCatalogue();
  Element0(c, 1)["codes"] = array{};
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[1].codes");
  c = SmallCatalogue();
  Element0(c, 1)["codes"] = array{"男", ""};
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[1].codes");
  c = SmallCatalogue();
  Element0(c, 0)["codes"] = array{"张伟"};  // a string element with a code list
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[0].codes");
}

TEST(DataCatalogue, ADepartmentWithABadUsccIsNamed) {
  value c = SmallCatalogue();
  c.at("departments").as_array()[1].as_object()["uscc"] = "11330100R0000004XC";  // wrong check character
  EXPECT_EQ(RefusedField(c), "departments[1].uscc");
  c = SmallCatalogue();
  c.at("departments").as_array()[0].as_object()["uscc"] = "11330100G0000001";  // too short
  EXPECT_EQ(RefusedField(c), "departments[0].uscc");
}

TEST(DataCatalogue, APatternThatIsNoRegularExpressionIsNamed) {
  value c = SmallCatalogue();
  Element0(c, 2)["pattern"] = "^[0-9{6}$";
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[2].pattern");
}

TEST(DataCatalogue, OtherMalformedEntriesAreNamed) {
  value c = SmallCatalogue();
  c.at("departments").as_array()[1].as_object()["key"] = "hz-police";
  EXPECT_EQ(RefusedField(c), "departments[1].key");
  c = SmallCatalogue();
  Element0(c, 1)["code"] = "name";
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[1].code");
  c = SmallCatalogue();
  Element0(c, 0)["code"] = "Name";
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[0].code");
  c = SmallCatalogue();
  Dataset0(c)["subject"] = "household";
  EXPECT_EQ(RefusedField(c), "datasets[0].subject");
  c = SmallCatalogue();
  Dataset0(c)["elements"] = array{};
  EXPECT_EQ(RefusedField(c), "datasets[0].elements");
  c = SmallCatalogue();
  Element0(c, 0)["max_length"] = 0;
  EXPECT_EQ(RefusedField(c), "datasets[0].elements[0].max_length");
  c = SmallCatalogue();
  c.at("departments").as_array()[0].as_object()["region"] = "33010";
  EXPECT_EQ(RefusedField(c), "departments[0].region");
  c = SmallCatalogue();
  c.at("datasets").as_array()[1] = "social_insurance";
  EXPECT_EQ(RefusedField(c), "datasets[1]");
}

}  // namespace
}  // namespace tongban::data
