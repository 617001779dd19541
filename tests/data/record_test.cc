// Records and NDJSON against the built-in catalogue (pure units): valid records of person and
// enterprise datasets; every refusal names its element (bad GB 11643 / GB 32100 check
// characters, the wrong kind of subject, unknown elements and members, wrong types, bad dates and
// formats, values outside a code list, missing members, versions below 1, bad keys), and every
// problem of a record is listed, not only the first; the canonical text of a record's fields; and
// NDJSON reading: CRLF, blank lines, a line over the limit, bad UTF-8, not JSON, not an object,
// more than max_lines lines (nothing read past), exact line numbers.
#include "data/record.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "core/citizen_id.h"
#include "core/uscc.h"
#include "testing/synthetic_ids.h"

namespace tongban::data {
namespace {

using boost::json::object;
using boost::json::value;

using tongban::testing::kCompany;
using tongban::testing::kZhangWei;  // 张伟, 西湖区, 1985
using tongban::testing::SyntheticId;
using tongban::testing::SyntheticUscc;

const std::string kWangFang = SyntheticId("33010219900101002");  // 王芳, 上城区, 1990 (X or digit)
const std::string kEmployer = SyntheticUscc("91330108", "MA27QK3B");
constexpr CivilDate kToday{2026, 9, 21};

const Dataset& Ds(std::string_view code) {
  const Dataset* d = Catalogue::Builtin().FindDataset(code);
  EXPECT_NE(d, nullptr) << code;
  return *d;
}

value Str(const std::string& s) { return value(boost::json::string_view(s.data(), s.size())); }

// The same ID with its last character changed: a wrong check character.
std::string WrongCheck(const std::string& id) {
  std::string s = id;
  s.back() = s.back() == '1' ? '2' : '1';
  return s;
}

object Household(const std::string& subject = kZhangWei) {
  return object{{"subject", subject},
                {"key", "HJ-330106-000123"},
                {"version", 1},
                {"fields", object{{"name", "张伟"},
                                  {"sex", "男"},
                                  {"ethnicity", "汉族"},
                                  {"birth_date", "1985-03-12"},
                                  {"household_address", "浙江省杭州市西湖区文三路 90 号"},
                                  {"household_head_id", kZhangWei},
                                  {"relation_to_head", "户主"}}}};
}

object Enterprise() {
  return object{{"subject", kCompany},
                {"key", "QY/330106/2019-0042"},
                {"version", 2},
                {"fields", object{{"name", "杭州西湖示范科技有限公司"},
                                  {"entity_type", "有限责任公司"},
                                  {"legal_representative", "王芳"},
                                  {"legal_representative_id", kWangFang},
                                  {"registered_capital_fen", 500'000'000},
                                  {"established", "2019-06-18"},
                                  {"domicile", "浙江省杭州市西湖区西溪路 525 号"},
                                  {"status", "存续"}}}};
}

std::vector<RecordError> Parse(std::string_view dataset, const value& json, RecordInput* out = nullptr) {
  RecordInput in;
  auto errors = ParseRecord(Ds(dataset), json, kToday, in);
  if (out != nullptr) *out = std::move(in);
  return errors;
}

// "element: reason" of each error, to compare and to print.
std::vector<std::string> Elements(const std::vector<RecordError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.element);
  return out;
}

std::string Dump(const std::vector<RecordError>& errors) {
  std::string s;
  for (const auto& e : errors) s += std::to_string(e.line) + " " + e.element + ": " + e.reason + "\n";
  return s;
}

// The one error of refusing `fields[element] = bad` in an otherwise valid record of `dataset`.
RecordError OneFieldError(std::string_view dataset, object record, const std::string& element, value bad) {
  record["fields"].as_object()[element] = std::move(bad);
  auto errors = Parse(dataset, record);
  EXPECT_EQ(errors.size(), 1u) << element << "\n" << Dump(errors);
  return errors.empty() ? RecordError{} : errors.front();
}

TEST(DataRecord, SyntheticIdentifiersAreValid) {
  EXPECT_TRUE(CitizenId::Parse(kZhangWei, kToday).ok());
  EXPECT_TRUE(CitizenId::Parse(kWangFang, kToday).ok());
  EXPECT_TRUE(Uscc::Parse(kCompany).ok()) << Uscc::Parse(kCompany).status().ToString();
  EXPECT_TRUE(Uscc::Parse(kEmployer).ok()) << Uscc::Parse(kEmployer).status().ToString();
}

TEST(DataRecord, AValidPersonRecordIsRead) {
  RecordInput in;
  auto errors = Parse("household_registration", Household(), &in);
  ASSERT_TRUE(errors.empty()) << Dump(errors);
  EXPECT_EQ(in.subject_id, kZhangWei);
  EXPECT_EQ(in.key, "HJ-330106-000123");
  EXPECT_EQ(in.version, 1);
  EXPECT_EQ(in.fields.size(), 7u);
  EXPECT_EQ(in.fields.at("name").as_string(), "张伟");
  EXPECT_EQ(in.fields.at("household_head_id").as_string(), kZhangWei);
}

TEST(DataRecord, AValidEnterpriseRecordIsRead) {
  RecordInput in;
  auto errors = Parse("enterprise_registration", Enterprise(), &in);
  ASSERT_TRUE(errors.empty()) << Dump(errors);
  EXPECT_EQ(in.subject_id, kCompany);
  EXPECT_EQ(in.version, 2);
  EXPECT_EQ(in.fields.at("registered_capital_fen").as_int64(), 500'000'000);
}

TEST(DataRecord, ValidRecordsOfOtherDatasets) {
  struct Case {
    const char* dataset;
    std::string subject;
    object fields;
  };
  const std::vector<Case> cases = {
      {"tax_payment", kCompany,
       object{{"tax_year", 2025}, {"credit_rating", "A"}, {"paid_fen", 12'345'600}, {"arrears", "无欠税"}}},
      {"medical_insurance", kZhangWei,
       object{{"scheme", "职工基本医疗保险"}, {"status", "参保缴费"}, {"insured_region", "330106"},
              {"start_date", "2008-07-01"}}},
      {"real_estate_registration", kZhangWei,
       object{{"certificate_number", "浙(2021)杭州市不动产权第0123456号"},
              {"property_address", "杭州市西湖区古荡新村 3 幢 2 单元 501 室"},
              {"floor_area", "89.50"}, {"ownership", "共同共有"}, {"registration_date", "2021-04-02"},
              {"mortgaged", "已抵押"}}},
      {"social_insurance", kZhangWei,
       object{{"insurance_type", "企业职工基本养老保险"}, {"status", "参保缴费"},
              {"employer_uscc", kEmployer}, {"start_date", "2008-07-01"}, {"monthly_base_fen", 0}}},
      {"student_status", kWangFang,
       object{{"school_name", "杭州市学军小学"}, {"stage", "小学"}, {"grade", 1}, {"enrolment_date", "2024-09-01"},
              {"student_number", "G330106201801010023"}, {"status", "在读"}}},
      {"birth_certificate", kWangFang,
       object{{"child_name", "王小雨"}, {"sex", "女"}, {"birth_date", "1990-01-01"},
              {"mother_id", kZhangWei}, {"father_name", nullptr}}},  // null: not held
  };
  for (const Case& c : cases) {
    RecordInput in;
    auto errors = Parse(c.dataset, object{{"subject", c.subject}, {"key", "K-1"}, {"version", 1}, {"fields", c.fields}},
                        &in);
    EXPECT_TRUE(errors.empty()) << c.dataset << "\n" << Dump(errors);
    size_t non_null = 0;
    for (const auto& [k, v] : c.fields) non_null += v.is_null() ? 0 : 1;
    EXPECT_EQ(in.fields.size(), non_null) << c.dataset;
    EXPECT_FALSE(in.fields.contains("father_name")) << "a null element is not stored";
  }
}

TEST(DataRecord, ALowerCaseXInTheSubjectIsNormalised) {
  // Find a synthetic ID whose check character is X.
  std::string with_x;
  for (int i = 0; i < 100 && with_x.empty(); ++i) {
    std::string first17 = "3301061985031221" + std::to_string(i % 10);
    first17[14] = static_cast<char>('0' + i / 10);
    if (CitizenId::ComputeCheckChar(first17) == 'X') with_x = first17 + "X";
  }
  ASSERT_FALSE(with_x.empty());
  std::string lower = with_x;
  lower.back() = 'x';
  object r = Household(lower);
  r["fields"].as_object()["household_head_id"] = with_x;
  RecordInput in;
  auto errors = Parse("household_registration", r, &in);
  ASSERT_TRUE(errors.empty()) << Dump(errors);
  EXPECT_EQ(in.subject_id, with_x);
}

TEST(DataRecord, ABadCitizenIdCheckCharacterIsNamed) {
  // As the subject...
  auto errors = Parse("household_registration", Household(WrongCheck(kZhangWei)));
  ASSERT_EQ(Elements(errors), std::vector<std::string>{"subject"}) << Dump(errors);
  EXPECT_NE(errors[0].reason.find("check character"), std::string::npos) << errors[0].reason;
  // ... and as an element.
  RecordError e = OneFieldError("household_registration", Household(), "household_head_id", Str(WrongCheck(kWangFang)));
  EXPECT_EQ(e.element, "household_head_id");
  EXPECT_NE(e.reason.find("check character"), std::string::npos) << e.reason;
  EXPECT_EQ(e.line, 0);
  // Never the number itself in what a department is told (and what may reach a log).
  for (const auto& err : errors) {
    EXPECT_EQ(err.reason.find(WrongCheck(kZhangWei).substr(0, 17)), std::string::npos) << err.reason;
  }
  EXPECT_EQ(e.reason.find(kWangFang.substr(0, 17)), std::string::npos) << e.reason;
  // A birth date after today is not a real person's number yet.
  e = OneFieldError("household_registration", Household(), "household_head_id", Str(SyntheticId("33010620300101001")));
  EXPECT_EQ(e.element, "household_head_id");
  EXPECT_NE(e.reason.find("future"), std::string::npos) << e.reason;
}

TEST(DataRecord, ABadUsccIsNamed) {
  object r = Enterprise();
  r["subject"] = WrongCheck(kCompany);
  auto errors = Parse("enterprise_registration", r);
  ASSERT_EQ(Elements(errors), std::vector<std::string>{"subject"}) << Dump(errors);
  object si{{"subject", kZhangWei}, {"key", "SB-1"}, {"version", 1},
            {"fields", object{{"insurance_type", "失业保险"}, {"employer_uscc", kEmployer}}}};
  EXPECT_TRUE(Parse("social_insurance", si).empty());
  RecordError e = OneFieldError("social_insurance", si, "employer_uscc", Str(WrongCheck(kEmployer)));
  EXPECT_EQ(e.element, "employer_uscc");
  e = OneFieldError("social_insurance", si, "employer_uscc", "91330106MA2DEM01");  // too short
  EXPECT_EQ(e.element, "employer_uscc");
  EXPECT_NE(e.reason.find("18"), std::string::npos) << e.reason;
}

TEST(DataRecord, TheWrongKindOfSubjectForTheDatasetIsRefused) {
  // A USCC in a person dataset...
  auto errors = Parse("household_registration", Household(kCompany));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].element, "subject") << Dump(errors);
  // ... and a citizen ID in an enterprise dataset.
  object r = Enterprise();
  r["subject"] = kZhangWei;
  errors = Parse("enterprise_registration", r);
  ASSERT_EQ(Elements(errors), std::vector<std::string>{"subject"}) << Dump(errors);
}

TEST(DataRecord, UnknownElementsAndMembersAreNamed) {
  RecordError e = OneFieldError("household_registration", Household(), "blood_type", "A");
  EXPECT_EQ(e.element, "blood_type");
  EXPECT_NE(e.reason.find("household_registration"), std::string::npos) << e.reason;
  // An element of another dataset is unknown here.
  e = OneFieldError("household_registration", Household(), "spouse_name", "李娜");
  EXPECT_EQ(e.element, "spouse_name");
  // A member beside subject/key/version/fields.
  object r = Household();
  r["comment"] = "x";
  auto errors = Parse("household_registration", r);
  EXPECT_EQ(Elements(errors), std::vector<std::string>{"comment"}) << Dump(errors);
}

TEST(DataRecord, WrongTypesAreNamed) {
  EXPECT_EQ(OneFieldError("household_registration", Household(), "sex", 1).reason, "must be a string");
  EXPECT_EQ(OneFieldError("household_registration", Household(), "name", object{{"zh", "张伟"}}).reason,
            "must be a string");
  object tax{{"subject", kCompany}, {"key", "NS-2025"}, {"version", 1},
             {"fields", object{{"tax_year", 2025}, {"paid_fen", 100}}}};
  ASSERT_TRUE(Parse("tax_payment", tax).empty());
  RecordError e = OneFieldError("tax_payment", tax, "tax_year", "2025");
  EXPECT_EQ(e.element, "tax_year");
  EXPECT_EQ(e.reason, "must be an integer");
  EXPECT_EQ(OneFieldError("tax_payment", tax, "paid_fen", 12.5).reason, "must be an integer");
  EXPECT_EQ(OneFieldError("tax_payment", tax, "paid_fen", true).reason, "must be an integer");
  e = OneFieldError("tax_payment", tax, "paid_fen", -1);
  EXPECT_EQ(e.element, "paid_fen");
  EXPECT_NE(e.reason.find("fen"), std::string::npos) << e.reason;
  EXPECT_EQ(OneFieldError("tax_payment", tax, "tax_year", 1999).reason, "must be at least 2000");
  EXPECT_EQ(OneFieldError("tax_payment", tax, "tax_year", 2101).reason, "must be at most 2100");
  // Money as a string is not fen.
  EXPECT_EQ(OneFieldError("tax_payment", tax, "paid_fen", "100").reason, "must be an integer");
}

TEST(DataRecord, BadDatesAndFormatsAreNamed) {
  for (const char* bad : {"2024-02-30", "1985-3-12", "19850312", "1985/03/12", "1985-13-01", "", "abcd-ef-gh"}) {
    RecordError e = OneFieldError("household_registration", Household(), "birth_date", bad);
    EXPECT_EQ(e.element, "birth_date") << bad;
    EXPECT_EQ(e.reason, "must be a date YYYY-MM-DD") << bad;
  }
  EXPECT_TRUE(Parse("household_registration", [] {
                object r = Household();
                r["fields"].as_object()["birth_date"] = "2024-02-29";  // a leap day is a date
                return r;
              }()).empty());
  object mi{{"subject", kZhangWei}, {"key", "YB-1"}, {"version", 1},
            {"fields", object{{"scheme", "职工基本医疗保险"}, {"insured_region", "330106"}}}};
  ASSERT_TRUE(Parse("medical_insurance", mi).empty());
  for (const char* bad : {"33010", "3301061", "33O106", " 330106"}) {
    RecordError e = OneFieldError("medical_insurance", mi, "insured_region", bad);
    EXPECT_EQ(e.element, "insured_region") << bad;
    EXPECT_EQ(e.reason, "does not have the element's format") << bad;
  }
  object re{{"subject", kZhangWei}, {"key", "BDC-1"}, {"version", 1},
            {"fields", object{{"floor_area", "89.5"}}}};
  ASSERT_TRUE(Parse("real_estate_registration", re).empty());
  for (const char* bad : {"89.505", "-1", "089.50", "1e3", "89.", ".5"}) {
    RecordError e = OneFieldError("real_estate_registration", re, "floor_area", bad);
    EXPECT_EQ(e.element, "floor_area") << bad;
    EXPECT_NE(e.reason.find("decimal"), std::string::npos) << bad;
  }
  // A string element: one line, within its length, not empty.
  RecordError e = OneFieldError("household_registration", Household(), "household_address", "文三路\n90 号");
  EXPECT_EQ(e.reason, "must be one line of text");
  e = OneFieldError("household_registration", Household(), "name", Str(std::string(65, 'a')));
  EXPECT_EQ(e.element, "name");
  EXPECT_EQ(e.reason, "longer than 64 bytes");
  EXPECT_EQ(OneFieldError("household_registration", Household(), "name", "").reason, "must not be empty");
  // 21 Chinese characters are 63 bytes: within 64; 22 are 66: not.
  std::string name21, name22;
  for (int i = 0; i < 21; ++i) name21 += "张";
  name22 = name21 + "张";
  EXPECT_TRUE(Parse("household_registration", [&] {
                object r = Household();
                r["fields"].as_object()["name"] = name21;
                return r;
              }()).empty());
  EXPECT_EQ(OneFieldError("household_registration", Household(), "name", Str(name22)).reason, "longer than 64 bytes");
}

TEST(DataRecord, AValueOutsideTheCodeListIsNamed) {
  RecordError e = OneFieldError("household_registration", Household(), "sex", "未知");
  EXPECT_EQ(e.element, "sex");
  EXPECT_EQ(e.reason, "is not in the element's code list");
  e = OneFieldError("household_registration", Household(), "relation_to_head", "户主 ");
  EXPECT_EQ(e.element, "relation_to_head");
  object r = Enterprise();
  e = OneFieldError("enterprise_registration", r, "status", "active");
  EXPECT_EQ(e.element, "status");
}

TEST(DataRecord, MissingMembersAreEachNamed) {
  auto errors = Parse("household_registration", object{});
  std::set<std::string> named;
  for (const auto& e : errors) named.insert(e.element);
  EXPECT_EQ(named, (std::set<std::string>{"subject", "key", "version", "fields"})) << Dump(errors);
  for (const char* member : {"subject", "key", "version", "fields"}) {
    object r = Household();
    r.erase(member);
    errors = Parse("household_registration", r);
    EXPECT_EQ(Elements(errors), std::vector<std::string>{member}) << Dump(errors);
  }
  // Fields present but empty, or holding only nulls.
  object r = Household();
  r["fields"] = object{};
  EXPECT_EQ(Elements(Parse("household_registration", r)), std::vector<std::string>{"fields"});
  r["fields"] = object{{"name", nullptr}, {"sex", nullptr}};
  errors = Parse("household_registration", r);
  ASSERT_EQ(Elements(errors), std::vector<std::string>{"fields"});
  EXPECT_EQ(errors[0].reason, "holds no value");
  r["fields"] = boost::json::array{"name"};
  EXPECT_EQ(Elements(Parse("household_registration", r)), std::vector<std::string>{"fields"});
  // A subject that is not a string.
  r = Household();
  r["subject"] = 330106;
  EXPECT_EQ(Elements(Parse("household_registration", r)), std::vector<std::string>{"subject"});
}

TEST(DataRecord, AVersionBelowOneIsRefused) {
  for (value bad : {value(0), value(-1), value("1"), value(1.5), value(nullptr), value(true)}) {
    object r = Household();
    r["version"] = bad;
    auto errors = Parse("household_registration", r);
    EXPECT_EQ(Elements(errors), std::vector<std::string>{"version"}) << boost::json::serialize(bad);
  }
  object r = Household();
  r["version"] = int64_t{1} << 40;
  EXPECT_TRUE(Parse("household_registration", r).empty());
}

TEST(DataRecord, ABadKeyIsRefused) {
  for (value bad : {value(""), value(std::string(65, 'k')), value("HJ 0001"), value("户籍-0001"),
                    value("HJ:0001"), value(123), value("a\nb")}) {
    object r = Household();
    r["key"] = bad;
    auto errors = Parse("household_registration", r);
    EXPECT_EQ(Elements(errors), std::vector<std::string>{"key"}) << boost::json::serialize(bad);
  }
  for (const std::string& good : {std::string("k"), std::string("HJ-330106/2026.01_x"), std::string(64, 'k')}) {
    object r = Household();
    r["key"] = good;
    EXPECT_TRUE(Parse("household_registration", r).empty()) << good;
  }
}

TEST(DataRecord, EveryProblemIsListedNotOnlyTheFirst) {
  object r = Household(WrongCheck(kZhangWei));
  r["version"] = 0;
  auto& f = r["fields"].as_object();
  f["sex"] = "未知";
  f["birth_date"] = "1985-02-30";
  f["colour"] = "red";
  auto errors = Parse("household_registration", r);
  std::set<std::string> named;
  for (const auto& e : errors) named.insert(e.element);
  EXPECT_EQ(named, (std::set<std::string>{"subject", "version", "sex", "birth_date", "colour"})) << Dump(errors);
  for (const auto& e : errors) EXPECT_FALSE(e.reason.empty()) << e.element;
}

TEST(DataRecord, NotAnObjectIsRefusedAsTheLine) {
  for (value v : {value(nullptr), value(1), value("record"), value(boost::json::array{})}) {
    auto errors = Parse("household_registration", v);
    ASSERT_EQ(Elements(errors), std::vector<std::string>{"line"});
    EXPECT_EQ(errors[0].reason, "a record must be a JSON object");
  }
}

TEST(DataRecord, EveryDatasetRefusesAnUnknownElementAndAcceptsEachOfItsOwn) {
  // Every element of every dataset accepts a value of its type, so the catalogue and the checks
  // agree (an element a department could never fill would be a catalogue bug).
  for (const Dataset& ds : Catalogue::Builtin().datasets()) {
    const std::string subject = ds.subject == SubjectKind::kPerson ? kZhangWei : kCompany;
    for (const Element& e : ds.elements) {
      value v;
      switch (e.type) {
        case ElementType::kString: v = e.pattern.empty() ? value("测试") : value("330106"); break;
        case ElementType::kDate: v = "2020-01-31"; break;
        case ElementType::kInteger: v = e.min.value_or(0); break;
        case ElementType::kDecimal: v = "12.30"; break;
        case ElementType::kFen: v = 0; break;
        case ElementType::kCode: v = e.codes.front(); break;
        case ElementType::kCitizenId: v = kWangFang; break;
        case ElementType::kUscc: v = kEmployer; break;
      }
      auto errors = Parse(ds.code, object{{"subject", subject}, {"key", "k"}, {"version", 1},
                                          {"fields", object{{e.code, v}}}});
      EXPECT_TRUE(errors.empty()) << ds.code << "." << e.code << "\n" << Dump(errors);
    }
    auto errors = Parse(ds.code, object{{"subject", subject}, {"key", "k"}, {"version", 1},
                                        {"fields", object{{"no_such_element", "x"}}}});
    EXPECT_EQ(Elements(errors), std::vector<std::string>{"no_such_element"}) << ds.code;
  }
}

TEST(DataRecord, CanonicalFieldsFollowTheCatalogueOrder) {
  const Dataset& ds = Ds("household_registration");
  object a{{"relation_to_head", "户主"}, {"name", "张伟"}, {"birth_date", "1985-03-12"}};
  object b{{"birth_date", "1985-03-12"}, {"name", "张伟"}, {"relation_to_head", "户主"}};
  EXPECT_EQ(CanonicalFields(ds, a), CanonicalFields(ds, b));
  EXPECT_EQ(CanonicalFields(ds, a),
            R"({"name":"张伟","birth_date":"1985-03-12","relation_to_head":"户主"})");
  // Anything not an element of the dataset is not part of what the ledger commits to.
  a["colour"] = "red";
  EXPECT_EQ(CanonicalFields(ds, a), CanonicalFields(ds, b));
  // Another value is another text.
  b["name"] = "张伟伟";
  EXPECT_NE(CanonicalFields(ds, a), CanonicalFields(ds, b));
  EXPECT_EQ(CanonicalFields(ds, object{}), "{}");
}

// ---- NDJSON ----

struct Read {
  Result<int64_t> count = int64_t{0};
  std::vector<std::pair<int64_t, value>> records;
  std::vector<RecordError> bad;
};

Read ReadNdjson(std::string_view body, size_t max_line_bytes = 1024, int64_t max_lines = 100) {
  Read r;
  r.count = ForEachNdjsonLine(
      body, max_line_bytes, max_lines, [&](int64_t line, const value& v) { r.records.emplace_back(line, v); },
      [&](RecordError e) { r.bad.push_back(std::move(e)); });
  return r;
}

std::vector<int64_t> Lines(const Read& r) {
  std::vector<int64_t> out;
  for (const auto& [line, v] : r.records) out.push_back(line);
  return out;
}

TEST(DataNdjson, LinesAreNumberedExactlyWithCrlfAndBlankLines) {
  const std::string body =
      "{\"n\":1}\r\n"  // 1
      "\n"             // 2: blank
      "  \t \r\n"      // 3: blank (spaces, tab, CR)
      "{\"n\":4}\n"    // 4
      "\r\n"           // 5: blank
      "{\"n\":6}";     // 6: no final newline
  Read r = ReadNdjson(body);
  ASSERT_TRUE(r.count.ok());
  EXPECT_EQ(*r.count, 3);  // non-blank lines
  EXPECT_EQ(Lines(r), (std::vector<int64_t>{1, 4, 6}));
  EXPECT_TRUE(r.bad.empty()) << Dump(r.bad);
  for (const auto& [line, v] : r.records) EXPECT_EQ(v.at("n").as_int64(), line);
}

TEST(DataNdjson, EmptyBodiesHoldNoLines) {
  for (std::string_view body : {"", "\n", "\r\n\r\n", "   \n\t\n"}) {
    Read r = ReadNdjson(body);
    ASSERT_TRUE(r.count.ok());
    EXPECT_EQ(*r.count, 0);
    EXPECT_TRUE(r.records.empty());
    EXPECT_TRUE(r.bad.empty());
  }
}

TEST(DataNdjson, BadLinesAreNamedAndReadingGoesOn) {
  std::string body;
  body += "{\"n\":1}\n";                        // 1 ok
  body += std::string("{\"n\":\"\xff\xfe\"}\n");  // 2 invalid UTF-8
  body += "{\"n\":3\n";                         // 3 not JSON (unterminated)
  body += "[1,2,3]\n";                          // 4 not an object
  body += "42\n";                               // 5 not an object
  body += "{\"s\":\"" + std::string(2000, 'a') + "\"}\n";  // 6 longer than 1024 bytes
  body += "{\"n\":7} {\"n\":7}\n";              // 7 two values on one line
  body += "\"text\"\n";                         // 8 not an object
  body += std::string("{\"n\":\"\xe4\xb8\"}\n");  // 9 truncated UTF-8 sequence
  body += "{\"n\":10}\n";                       // 10 ok
  Read r = ReadNdjson(body);
  ASSERT_TRUE(r.count.ok());
  EXPECT_EQ(*r.count, 10);
  EXPECT_EQ(Lines(r), (std::vector<int64_t>{1, 10}));
  std::vector<int64_t> bad_lines;
  for (const auto& e : r.bad) {
    bad_lines.push_back(e.line);
    EXPECT_EQ(e.element, "line");
  }
  EXPECT_EQ(bad_lines, (std::vector<int64_t>{2, 3, 4, 5, 6, 7, 8, 9})) << Dump(r.bad);
  auto reason = [&](int64_t line) {
    for (const auto& e : r.bad) {
      if (e.line == line) return e.reason;
    }
    return std::string();
  };
  EXPECT_NE(reason(2).find("UTF-8"), std::string::npos) << reason(2);
  EXPECT_NE(reason(3).find("not a JSON value"), std::string::npos) << reason(3);
  EXPECT_EQ(reason(4), "a record must be a JSON object");
  EXPECT_EQ(reason(6), "longer than 1024 bytes");
}

TEST(DataNdjson, TheLineLimitIsInBytesWithoutTheLineEnd) {
  const std::string exact = "{\"s\":\"" + std::string(64 - 8, 'a') + "\"}";  // 64 bytes
  ASSERT_EQ(exact.size(), 64u);
  Read r = ReadNdjson(exact + "\r\n" + exact + "a\n", 64);  // the second is 65 bytes
  EXPECT_EQ(Lines(r), std::vector<int64_t>{1});
  ASSERT_EQ(r.bad.size(), 1u);
  EXPECT_EQ(r.bad[0].line, 2);
}

TEST(DataNdjson, MoreThanMaxLinesIsRefusedAndNothingIsReadPastIt) {
  std::string body;
  for (int i = 1; i <= 6; ++i) body += "{\"n\":" + std::to_string(i) + "}\n\n";  // blank lines do not count
  Read r = ReadNdjson(body, 1024, 5);
  ASSERT_FALSE(r.count.ok());
  EXPECT_EQ(r.count.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_FALSE(r.count.status().fields().empty());
  EXPECT_EQ(r.count.status().fields()[0].field, "body");
  EXPECT_NE(r.count.status().ToString().find("more than 5 lines"), std::string::npos);
  EXPECT_EQ(Lines(r), (std::vector<int64_t>{1, 3, 5, 7, 9}));  // the sixth record is never read
  // Exactly max_lines is fine, blank lines after them too.
  body.clear();
  for (int i = 1; i <= 5; ++i) body += "{\"n\":" + std::to_string(i) + "}\n";
  r = ReadNdjson(body + "\n\n  \n", 1024, 5);
  ASSERT_TRUE(r.count.ok()) << r.count.status().ToString();
  EXPECT_EQ(*r.count, 5);
  // Bad lines count towards the limit as well.
  r = ReadNdjson("x\nx\nx\n{}\n", 1024, 3);
  EXPECT_FALSE(r.count.ok());
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.bad.size(), 3u);
}

TEST(DataNdjson, RecordsOfABodyParseAgainstTheirDataset) {
  // The push path as DataService runs it: NDJSON lines, then ParseRecord each, errors by line.
  const Dataset& ds = Ds("household_registration");
  std::string body = boost::json::serialize(Household()) + "\r\n\r\n";
  object bad = Household();
  bad["key"] = "HJ-2";
  bad["fields"].as_object()["sex"] = "未知";
  body += boost::json::serialize(bad) + "\r\n";
  std::vector<RecordError> errors;
  std::vector<RecordInput> good;
  auto count = ForEachNdjsonLine(
      body, 64 << 10, 100,
      [&](int64_t line, const value& v) {
        RecordInput in;
        auto e = ParseRecord(ds, v, kToday, in);
        if (e.empty()) good.push_back(std::move(in));
        for (auto& x : e) {
          x.line = line;
          errors.push_back(std::move(x));
        }
      },
      [&](RecordError e) { errors.push_back(std::move(e)); });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
  ASSERT_EQ(good.size(), 1u);
  EXPECT_EQ(good[0].key, "HJ-330106-000123");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].element, "sex");
}

}  // namespace
}  // namespace tongban::data
