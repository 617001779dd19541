// The service catalogue: the built-in file parses with the five bundles of the seeds and the
// national cross-province items, each bundle's form asks every shared field once; a broken file
// is refused with EVERY error, each naming file and line (unknown department, unknown data
// element, a cycle of waits, a required licence field not covered, a typo'd key, bad TOML).
#include "service/catalogue.h"

#include <gtest/gtest.h>

#include <set>

namespace tongban::service {
namespace {

Result<ServiceCatalogue> ParseOne(std::string text) {
  return ServiceCatalogue::Parse({{"svc.toml", std::move(text)}}, data::Catalogue::Builtin(),
                                 license::Catalogue::Builtin());
}

// "svc.toml:<line>" of every error.
std::vector<std::string> Where(const Status& s) {
  std::vector<std::string> out;
  for (const FieldError& e : s.fields()) out.push_back(e.field + " " + e.reason);
  return out;
}

bool Has(const Status& s, std::string_view where, std::string_view words) {
  for (const FieldError& e : s.fields()) {
    if (e.field == where && e.reason.find(words) != std::string::npos) return true;
  }
  return false;
}

TEST(ServiceCatalogue, BuiltinHasTheSeedsBundlesAndCrossProvinceItems) {
  auto parsed = ServiceCatalogue::Parse({{"catalogue.toml", std::string(ServiceCatalogue::BuiltinText())}},
                                        data::Catalogue::Builtin(), license::Catalogue::Builtin());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const ServiceCatalogue& c = ServiceCatalogue::Builtin();
  for (std::string_view code : {"marriage_birth_household", "birth_in_one", "business_startup",
                                "second_hand_housing", "compulsory_school_enrolment"}) {
    const Bundle* b = c.FindBundle(code);
    ASSERT_NE(b, nullptr) << code;
    EXPECT_FALSE(b->single);
    EXPECT_GE(b->steps.size(), 2u) << code;
  }
  EXPECT_GE(c.items().size(), 10u);
  for (std::string_view code : {"market_entity_registration", "pension_insurance_transfer", "cross_region_medical_filing",
                                "social_security_card_application", "household_migration", "housing_fund_withdrawal"}) {
    const Item* it = c.FindItem(code);
    ASSERT_NE(it, nullptr) << code;
    EXPECT_TRUE(it->cross_province) << code;
    const Bundle* alone = c.FindBundle(code);  // applied for alone
    ASSERT_NE(alone, nullptr) << code;
    EXPECT_TRUE(alone->single);
  }

  // 婚育户: five departments, the spouse confirms, waits as in Lanxi.
  const Bundle& hyh = *c.FindBundle("marriage_birth_household");
  EXPECT_TRUE(hyh.has_co_applicant());
  std::set<std::string> departments;
  for (const Step& s : hyh.steps) departments.insert(c.FindItem(s.item)->department);
  EXPECT_EQ(departments.size(), 5u);
  EXPECT_TRUE(hyh.FindStep("marriage_registration")->after.empty());
  EXPECT_FALSE(hyh.FindStep("newborn_household_registration")->after.empty());
  // A field two items use is asked once; pre-filled fields name their data element.
  std::set<std::string> seen;
  int sourced = 0;
  for (const Field* f : c.FormFields(hyh)) {
    EXPECT_TRUE(seen.insert(f->code).second) << f->code;
    if (f->source) ++sourced;
  }
  EXPECT_GE(sourced, 4);
  EXPECT_TRUE(c.ReadsDataset(hyh, Party::kApplicant, "household_registration"));
  EXPECT_FALSE(c.ReadsDataset(hyh, Party::kApplicant, "tax_payment"));
  EXPECT_EQ(c.FindBundle("no_such_bundle"), nullptr);
}

constexpr std::string_view kGood = R"toml(format = 1
[[field]]
code = "applicant_name"
name_zh = "姓名"
name_en = "Name"
source = "household_registration.name"

[[item]]
code = "one"
name_zh = "事项一"
name_en = "Item one"
department = "hz-civil-affairs"
time_limit_days = 3
fields = ["applicant_name"]
materials = []
output = "service_result_certificate"
[item.output_fields]
name = "{holder}_name"
id_number = "{holder}_id"
service_item = "$item"
case_number = "$case"
result = "=准予"
)toml";

TEST(ServiceCatalogue, SmallFileParsesAndEveryItemStandsAlone) {
  auto c = ParseOne(std::string(kGood));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const Bundle* alone = c->FindBundle("one");
  ASSERT_NE(alone, nullptr);
  EXPECT_TRUE(alone->single);
  EXPECT_FALSE(alone->has_co_applicant());
  EXPECT_EQ(alone->department, "hz-civil-affairs");
}

TEST(ServiceCatalogue, EveryErrorIsReportedWithFileAndLine) {
  std::string text = std::string(kGood) + R"toml(
[[item]]
code = "two"
name_zh = "事项二"
name_en = "Item two"
department = "hz-civl"
time_limit_days = 0
fields = ["applicant_name", "no_such_field"]
colour = "blue"
output = "marriage_certificate"
[item.output_fields]
name = "{holder}_name"

[[field]]
code = "bad_source"
name_zh = "x"
name_en = "x"
source = "household_registration.shoe_size"

[[bundle]]
code = "loop"
name_zh = "循环"
name_en = "Loop"
department = "xihu-service-center"
[[bundle.step]]
item = "one"
after = ["two"]
[[bundle.step]]
item = "two"
after = ["one"]
)toml";
  auto c = ParseOne(text);
  ASSERT_FALSE(c.ok());
  const Status& s = c.status();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  const std::string all = [&] {
    std::string out;
    for (const auto& w : Where(s)) out += w + "\n";
    return out;
  }();
  // Line numbers as in `text` (1-based): the item "two" starts at line 25.
  EXPECT_TRUE(Has(s, "svc.toml:28", "department hz-civl is not a department")) << all;
  EXPECT_TRUE(Has(s, "svc.toml:29", "time_limit_days must be between 1 and 365")) << all;
  EXPECT_TRUE(Has(s, "svc.toml:30", "field no_such_field is not defined")) << all;
  EXPECT_TRUE(Has(s, "svc.toml:31", "unknown key colour")) << all;
  EXPECT_TRUE(Has(s, "svc.toml:32", "required field spouse_name of marriage_certificate")) << all;
  EXPECT_TRUE(Has(s, "svc.toml:40", "shoe_size")) << all;
  EXPECT_TRUE(Has(s, "svc.toml:42", "in a cycle")) << all;
  EXPECT_GE(s.fields().size(), 7u) << all;
  EXPECT_NE(s.message().find("errors"), std::string::npos);
}

TEST(ServiceCatalogue, MalformedTomlNamesItsLine) {
  auto c = ParseOne("format = 1\n[[item]\ncode = 'x'\n");
  ASSERT_FALSE(c.ok());
  ASSERT_EQ(c.status().fields().size(), 1u);
  EXPECT_EQ(c.status().fields()[0].field, "svc.toml:2");
}

TEST(ServiceCatalogue, CoApplicantItemsNeedACoApplicantBundle) {
  std::string text = std::string(kGood) + R"toml(
[[field]]
code = "co_applicant_name"
name_zh = "配偶姓名"
name_en = "Spouse's name"
subject = "co_applicant"

[[item]]
code = "pair"
name_zh = "双方事项"
name_en = "Both"
department = "hz-civil-affairs"
time_limit_days = 1
fields = ["co_applicant_name"]

[[bundle]]
code = "solo"
name_zh = "单人"
name_en = "Solo"
department = "xihu-service-center"
[[bundle.step]]
item = "pair"
)toml";
  auto c = ParseOne(text);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Has(c.status(), "svc.toml:43", "needs a co-applicant")) << c.status().ToString();
}

TEST(ServiceCatalogue, EmptyAndMissingPiecesAreRefused) {
  auto c = ParseOne("");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Has(c.status(), "svc.toml:1", "format is required")) << c.status().ToString();
  auto d = ParseOne("format = 2\n[[bundle]]\ncode = 'Bad Code'\n");
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Has(d.status(), "svc.toml:1", "format must be between 1 and 1")) << d.status().ToString();
  EXPECT_TRUE(Has(d.status(), "svc.toml:3", "must match")) << d.status().ToString();
  EXPECT_TRUE(Has(d.status(), "svc.toml:2", "at least one [[bundle.step]]")) << d.status().ToString();
}

}  // namespace
}  // namespace tongban::service
