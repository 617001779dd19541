// The synthetic county (data/synthetic.h): the same seed gives the same county and another seed
// another; every line it produces is accepted by ParseRecord for its dataset of the built-in
// catalogue; every dataset is populated; ID numbers are valid, agree with the birth date and sex
// they carry, and are unique (also when a whole population is born in one district); at least 500
// enterprises with valid, unique USCCs; a household never spans two batches; names are Chinese.
#include "data/synthetic.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/citizen_id.h"
#include "core/uscc.h"
#include "data/catalogue.h"
#include "data/record.h"

namespace tongban::data {
namespace {

// Every batch of a county: the enterprises first, then people in batches of `batch` people.
std::vector<SyntheticBatch> Generate(SyntheticOptions options, int64_t batch) {
  SyntheticCounty county(options);
  std::vector<SyntheticBatch> out;
  for (SyntheticBatch b = county.NextEnterprises(300); !b.empty(); b = county.NextEnterprises(300)) {
    out.push_back(std::move(b));
  }
  for (SyntheticBatch b = county.NextPeople(batch); !b.empty(); b = county.NextPeople(batch)) {
    out.push_back(std::move(b));
  }
  return out;
}

// The code points of a UTF-8 string (which the generator writes well formed).
std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n && i + static_cast<size_t>(k) < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += static_cast<size_t>(n);
  }
  return out;
}

// A person's name: two to four CJK ideographs (a surname and one or two given-name characters).
bool ChineseName(std::string_view name) {
  const auto cps = CodePoints(name);
  if (cps.size() < 2 || cps.size() > 4) return false;
  for (char32_t c : cps) {
    if (c < 0x4E00 || c > 0x9FFF) return false;
  }
  return true;
}

TEST(SyntheticCounty, SameSeedSameCountyOtherSeedAnother) {
  SyntheticOptions options;
  options.people = 2'000;
  const auto a = Generate(options, 500);
  const auto b = Generate(options, 500);
  EXPECT_EQ(a, b);
  options.seed += 1;
  const auto c = Generate(options, 500);
  ASSERT_FALSE(c.empty());
  EXPECT_NE(a, c);
}

TEST(SyntheticCounty, EveryLineIsAValidRecordOfItsDatasetAndEveryDatasetIsPopulated) {
  SyntheticOptions options;
  options.people = 10'000;
  const Catalogue& catalogue = Catalogue::Builtin();
  std::map<std::string, int64_t> lines;
  std::set<std::string> people, enterprises, keys;
  std::set<std::string> representatives;
  int64_t names = 0;
  for (const SyntheticBatch& batch : Generate(options, 1'000)) {
    for (const auto& [code, records] : batch) {
      const Dataset* dataset = catalogue.FindDataset(code);
      ASSERT_NE(dataset, nullptr) << code;
      for (const std::string& line : records) {
        boost::system::error_code ec;
        const boost::json::value json = boost::json::parse(line, ec);
        ASSERT_FALSE(ec) << line;
        RecordInput record;
        const std::vector<RecordError> errors = ParseRecord(*dataset, json, options.today, record);
        for (const RecordError& e : errors) ADD_FAILURE() << code << " " << e.element << ": " << e.reason;
        ASSERT_TRUE(errors.empty()) << line;
        // Record keys are unique within their dataset (one version each).
        EXPECT_TRUE(keys.insert(code + "/" + record.key).second) << code << " " << record.key;
        ++lines[code];
        const auto& f = record.fields;
        if (code == "household_registration") {
          // One household record per person, and each person's ID number is theirs alone.
          EXPECT_TRUE(people.insert(record.subject_id).second) << "a citizen ID number was given twice";
          const std::string name(f.at("name").as_string());
          EXPECT_TRUE(ChineseName(name)) << name;
          ++names;
          // The ID number carries the birth date and sex the record states.
          std::string birth(f.at("birth_date").as_string());
          std::erase(birth, '-');
          EXPECT_EQ(record.subject_id.substr(6, 8), birth);
          const bool male = (record.subject_id[16] - '0') % 2 == 1;
          EXPECT_EQ(f.at("sex").as_string(), male ? "男" : "女");
        } else if (code == "enterprise_registration") {
          EXPECT_TRUE(Uscc::Parse(record.subject_id).ok());
          EXPECT_TRUE(enterprises.insert(record.subject_id).second) << "a USCC was given twice";
          EXPECT_TRUE(ChineseName(f.at("legal_representative").as_string()));
          representatives.insert(std::string(f.at("legal_representative_id").as_string()));
        } else if (code == "marriage_registration") {
          EXPECT_TRUE(ChineseName(f.at("spouse_name").as_string()));
        } else if (code == "birth_certificate") {
          EXPECT_TRUE(ChineseName(f.at("child_name").as_string()));
          EXPECT_TRUE(ChineseName(f.at("mother_name").as_string()));
          EXPECT_TRUE(ChineseName(f.at("father_name").as_string()));
        }
      }
    }
  }
  for (const Dataset& d : catalogue.datasets()) {
    EXPECT_GT(lines[d.code], 0) << d.code << " is empty";
  }
  EXPECT_EQ(static_cast<int64_t>(people.size()), options.people);
  EXPECT_EQ(names, options.people);
  EXPECT_EQ(enterprises.size(), 500u);  // one per 20 people, at least 500
  EXPECT_EQ(lines["tax_payment"], 500);
  // Legal representatives get numbers of their own too.
  EXPECT_EQ(representatives.size(), 500u);
  for (const std::string& id : representatives) {
    EXPECT_TRUE(CitizenId::Parse(id, options.today).ok());
    EXPECT_FALSE(people.contains(id));
  }
  // Some of what makes it a county rather than a list: marriages on both sides, children with
  // birth certificates, property, employees with social insurance.
  EXPECT_EQ(lines["marriage_registration"] % 2, 0);
  EXPECT_GT(lines["marriage_registration"], options.people / 5);
  EXPECT_GT(lines["birth_certificate"], options.people / 20);
  EXPECT_GT(lines["social_insurance"], options.people / 4);
  EXPECT_EQ(lines["medical_insurance"], options.people);
}

TEST(SyntheticCounty, EnterprisesAsAskedEachWithAValidUniqueUscc) {
  SyntheticOptions options;
  options.people = 100;
  options.enterprises = 1'200;
  SyntheticCounty county(options);
  std::set<std::string> usccs;
  int64_t batches = 0;
  for (SyntheticBatch b = county.NextEnterprises(500); !b.empty(); b = county.NextEnterprises(500)) {
    ++batches;
    EXPECT_EQ(b["enterprise_registration"].size(), b["tax_payment"].size());
    for (const std::string& line : b["enterprise_registration"]) {
      const std::string uscc(boost::json::parse(line).at("subject").as_string());
      EXPECT_TRUE(Uscc::Parse(uscc).ok()) << Uscc::Parse(uscc).status().ToString();
      EXPECT_EQ(uscc.substr(0, 4), "9133");  // an enterprise (9 1) registered in Zhejiang
      EXPECT_TRUE(usccs.insert(uscc).second);
    }
  }
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(usccs.size(), 1'200u);
  EXPECT_EQ(county.enterprises_generated(), 1'200);
}

TEST(SyntheticCounty, AHouseholdIsNeverSplitAcrossBatches) {
  SyntheticOptions options;
  options.people = 3'000;
  SyntheticCounty county(options);
  county.NextEnterprises(1'000);
  int64_t people = 0;
  for (SyntheticBatch b = county.NextPeople(7); !b.empty(); b = county.NextPeople(7)) {
    std::set<std::string> in_batch;
    std::map<std::string, std::string> head_of;
    for (const std::string& line : b["household_registration"]) {
      const auto json = boost::json::parse(line);
      const std::string id(json.at("subject").as_string());
      in_batch.insert(id);
      head_of[id] = std::string(json.at("fields").at("household_head_id").as_string());
    }
    for (const auto& [id, head] : head_of) {
      EXPECT_TRUE(in_batch.contains(head)) << "a household member without their head in the batch";
    }
    // Every other record of the batch is about someone of the batch's households.
    for (const auto& [code, lines] : b) {
      for (const std::string& line : lines) {
        EXPECT_TRUE(in_batch.contains(std::string(boost::json::parse(line).at("subject").as_string()))) << code;
      }
    }
    // About the size asked for: at most one household (of at most six) more.
    EXPECT_GE(static_cast<int64_t>(in_batch.size()), std::min<int64_t>(7, options.people - people));
    EXPECT_LE(in_batch.size(), 7u + 5u);
    people += static_cast<int64_t>(in_batch.size());
  }
  EXPECT_EQ(people, options.people);
  EXPECT_EQ(county.people_generated(), options.people);
}

TEST(SyntheticCounty, IdNumbersStayUniqueWhenOneDistrictHoldsEveryone) {
  // 西湖区 alone: about 30,000 people share 90 years of birth days; still no number twice.
  SyntheticOptions options;
  options.people = 30'000;
  options.enterprises = 500;
  options.city = RegionCode::FromInt(330106);
  SyntheticCounty county(options);
  county.NextEnterprises(500);
  std::set<std::string> ids;
  for (SyntheticBatch b = county.NextPeople(5'000); !b.empty(); b = county.NextPeople(5'000)) {
    for (const std::string& line : b["household_registration"]) {
      const std::string id(boost::json::parse(line).at("subject").as_string());
      ASSERT_EQ(id.substr(0, 6), "330106");
      ASSERT_TRUE(CitizenId::Parse(id, options.today).ok());
      ASSERT_TRUE(ids.insert(id).second);
    }
  }
  EXPECT_EQ(static_cast<int64_t>(ids.size()), options.people);
}

}  // namespace
}  // namespace tongban::data
