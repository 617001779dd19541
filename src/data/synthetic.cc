// The synthetic county; see synthetic.h.
#include "data/synthetic.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

#include "core/citizen_id.h"
#include "core/uscc.h"

namespace tongban::data {
namespace {

using boost::json::object;

// The most common surnames (by population), and given-name characters by tradition.
constexpr const char* kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴"};
constexpr const char* kMaleChars[] = {"伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平",
                                      "辉", "鹏", "华", "飞", "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆",
                                      "帅", "旭", "宁", "龙", "林", "阳", "建", "国", "文", "志", "晨", "轩"};
constexpr const char* kFemaleChars[] = {"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "桂", "丹",
                                        "萍", "红", "婷", "雪", "琳", "晶", "颖", "倩", "慧", "莉", "佳", "欣",
                                        "怡", "悦", "琪", "梦", "雨", "蕾", "瑶", "璐", "洁", "思", "诗", "婉"};
constexpr const char* kRoads[] = {"文三路", "文一西路", "天目山路", "教工路", "古墩路", "莫干山路", "延安路",
                                  "解放路", "凤起路", "庆春路", "体育场路", "秋涛路", "滨盛路", "江南大道",
                                  "西溪路", "留和路", "紫金港路", "丰潭路", "湖墅南路", "东新路"};
constexpr const char* kHospitals[] = {"浙江大学医学院附属妇产科医院", "杭州市妇产科医院", "浙江省人民医院",
                                      "杭州市第一人民医院", "浙江大学医学院附属第一医院"};
constexpr const char* kIndustries[] = {"科技", "信息技术", "贸易", "建设工程", "餐饮管理", "文化传媒",
                                       "电子商务", "生物医药", "物流", "咨询服务", "教育科技", "新材料"};
// Characters of trade names (字号), two of them per enterprise.
constexpr const char* kTradeChars[] = {"恒", "达", "华", "创", "远", "景", "鼎", "盛", "云", "帆", "汇", "智",
                                       "金", "石", "新", "禾", "博", "嘉", "和", "瑞", "丰", "天", "成", "启",
                                       "明", "正", "泰", "同", "心", "万", "象", "森", "源", "信", "诚", "宏",
                                       "祥", "顺", "安", "荣", "兴", "隆", "昌", "晟", "杰", "睿", "拓", "联"};
constexpr const char* kNumerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"};
constexpr const char* kEthnicities[] = {"畲", "回", "满", "土家", "苗"};
constexpr const char* kDisabilityCategories[] = {"视力", "听力", "言语", "肢体", "智力", "精神", "多重"};
constexpr const char* kDisabilityGrades[] = {"一级", "二级", "三级", "四级"};
constexpr char kUsccChars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Birth days an ID counter covers: 110 years back from today (the oldest person is about 90).
constexpr int64_t kSlotDays = 110 * 366;
// Sequence codes per district, birth day and sex: odd 001-999 for men, even 002-998 for women.
constexpr int kSeqPerSlot = 499;

template <typename T, size_t N>
const T& Pick(std::mt19937_64& rng, const T (&items)[N]) {
  return items[rng() % N];
}

std::string Line(const std::string& subject, const std::string& key, object fields) {
  return boost::json::serialize(
      object{{"subject", subject}, {"key", key}, {"version", 1}, {"fields", std::move(fields)}});
}

std::string Padded(int64_t n, int width) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(n));
  return buf;
}

std::string Date(CivilDate d) { return d.ToString(); }

// 29 February of a year that has none becomes the 28th.
CivilDate Valid(CivilDate d) {
  if (!d.IsValid()) d.day = 28;
  return d;
}

}  // namespace

SyntheticCounty::SyntheticCounty(SyntheticOptions options)
    : options_(options), rng_(options.seed), today_days_(DaysFromCivil(options.today)) {
  if (options_.enterprises <= 0) options_.enterprises = std::max<int64_t>(500, options_.people / 20);
  auto city = LookupRegion(options_.city);
  city_name_ = city.ok() ? std::string(city->name) : "";
  for (const Region& r : RegionChildren(options_.city)) {
    if (r.level == RegionLevel::kCounty) {
      districts_.push_back(r.code);
      district_names_.emplace_back(r.name);
    }
  }
  if (districts_.empty()) {  // a county itself (or a city without counties)
    districts_.push_back(options_.city);
    district_names_.emplace_back(city_name_);
    city_name_.clear();
    if (city.ok() && city->parent) {
      auto parent = LookupRegion(*city->parent);
      if (parent.ok() && parent->level == RegionLevel::kCity) city_name_ = std::string(parent->name);
    }
  }
  id_slots_.assign(districts_.size() * kSlotDays * 2, 0);
  // The county's tag: the same options give the same tag (a load run again changes nothing),
  // others another, so counties of other seeds or sizes in one database do not share record keys.
  uint64_t h = options_.seed ^ (static_cast<uint64_t>(options_.people) * 0x9E3779B97F4A7C15ULL) ^
               (static_cast<uint64_t>(options_.enterprises) * 0xC2B2AE3D27D4EB4FULL);
  h = (h ^ (h >> 31)) * 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 29;
  tag_hash_ = static_cast<int64_t>(h % kSeqPerSlot);
  for (int i = 0; i < 4; ++i, h /= 36) tag_.push_back("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[h % 36]);
}

CivilDate SyntheticCounty::DateBetween(CivilDate from, CivilDate to) {
  const int64_t a = DaysFromCivil(Valid(from)), b = DaysFromCivil(Valid(to));
  if (b <= a) return CivilFromDays(a);
  return CivilFromDays(a + static_cast<int64_t>(rng_() % static_cast<uint64_t>(b - a + 1)));
}

CivilDate SyntheticCounty::Clamp(CivilDate d) const {
  return DaysFromCivil(Valid(d)) > today_days_ ? options_.today : Valid(d);
}

int SyntheticCounty::Age(const Person& p) const {
  int age = options_.today.year - p.birth.year;
  if (options_.today.month < p.birth.month ||
      (options_.today.month == p.birth.month && options_.today.day < p.birth.day)) {
    --age;
  }
  return age;
}

std::string SyntheticCounty::GivenName(bool male) {
  std::string name = male ? Pick(rng_, kMaleChars) : Pick(rng_, kFemaleChars);
  if (rng_() % 3 != 0) name += male ? Pick(rng_, kMaleChars) : Pick(rng_, kFemaleChars);
  return name;
}

std::string SyntheticCounty::Street(size_t district) {
  std::string s = city_name_ + district_names_[district] + Pick(rng_, kRoads) + " " +
                  std::to_string(1 + rng_() % 400) + " 号";
  if (rng_() % 3 != 0) {
    s += " " + std::to_string(1 + rng_() % 30) + " 幢 " + std::to_string(1 + rng_() % 28) +
         Padded(1 + static_cast<int64_t>(rng_() % 4), 2) + " 室";
  }
  return s;
}

SyntheticCounty::Person SyntheticCounty::MakePerson(bool male, int age, const std::string& surname,
                                                     size_t district) {
  Person p;
  p.male = male;
  p.district = district;
  p.name = surname + GivenName(male);
  CivilDate latest = options_.today;
  latest.year -= age;
  latest = Valid(latest);
  p.birth = DateBetween(CivilFromDays(DaysFromCivil(latest) - 364), latest);
  // The sequence code: odd for men, even for women; the next free one of the person's district,
  // birth day and sex (a day earlier when all are taken), so every number is new.
  for (;;) {
    const int64_t offset = std::clamp<int64_t>(today_days_ - DaysFromCivil(p.birth), 0, kSlotDays - 1);
    uint16_t& used = id_slots_[((district * kSlotDays) + static_cast<size_t>(offset)) * 2 + (male ? 1 : 0)];
    if (used < kSeqPerSlot) {
      const int k = (static_cast<int>((offset * 37 + static_cast<int64_t>(district) * 11 + tag_hash_) % kSeqPerSlot) + used) %
                    kSeqPerSlot;
      ++used;
      const std::string first17 = districts_[district].ToString() +
                                  Padded(p.birth.year, 4) + Padded(p.birth.month, 2) + Padded(p.birth.day, 2) +
                                  Padded(male ? 2 * k + 1 : 2 * k + 2, 3);
      p.id = first17 + CitizenId::ComputeCheckChar(first17);
      return p;
    }
    p.birth = CivilFromDays(DaysFromCivil(p.birth) - 1);
  }
}

SyntheticBatch SyntheticCounty::NextEnterprises(int64_t max) {
  SyntheticBatch out;
  const int year = options_.today.year;
  for (int64_t made = 0; made < max && enterprises_generated() < options_.enterprises; ++made) {
    const int64_t i = enterprises_generated();
    const size_t district = rng_() % districts_.size();
    const RegionCode region = districts_[district];
    std::string uscc;
    do {
      std::string body8;
      for (int j = 0; j < 8; ++j) body8.push_back(kUsccChars[rng_() % 31]);
      const std::string first17 = "91" + region.ToString() + body8 + Uscc::ComputeOrgCodeCheckChar(body8);
      uscc = first17 + Uscc::ComputeCheckChar(first17);
    } while (!usccs_.insert(uscc).second);
    employers_.push_back(uscc);
    const std::string trade = std::string(Pick(rng_, kTradeChars)) + Pick(rng_, kTradeChars);
    const uint64_t form = rng_() % 20;
    const char* entity_type = form < 15 ? "有限责任公司" : form < 17 ? "股份有限公司" : form < 19 ? "个人独资企业" : "合伙企业";
    const std::string name = city_name_.substr(0, city_name_.size() >= 3 ? city_name_.size() - 3 : 0) + trade +
                             Pick(rng_, kIndustries) +
                             (form < 15 ? "有限公司" : form < 17 ? "股份有限公司" : form < 19 ? "经营部" : "中心（有限合伙）");
    Person rep = MakePerson(rng_() % 3 != 0, 30 + static_cast<int>(rng_() % 30), Pick(rng_, kSurnames), district);
    const CivilDate established = DateBetween({1995, 1, 1}, {year - 1, 12, 31});
    const char* status = rng_() % 20 == 0 ? "注销" : "存续";
    out["enterprise_registration"].push_back(Line(
        uscc, "QY-" + region.ToString() + "-" + tag_ + Padded(100000 + i, 6),
        object{{"name", name},
               {"entity_type", entity_type},
               {"legal_representative", rep.name},
               {"legal_representative_id", rep.id},
               {"registered_capital_fen", static_cast<int64_t>(10 + rng_() % 5000) * 1'000'000},
               {"established", Date(established)},
               {"domicile", Street(district)},
               {"status", status}}));
    static constexpr const char* kRatings[] = {"A", "A", "B", "B", "B", "M", "C", "D"};
    out["tax_payment"].push_back(Line(uscc, "NS-" + std::to_string(year - 1) + "-" + tag_ + Padded(100000 + i, 6),
                                      object{{"tax_year", year - 1},
                                             {"credit_rating", Pick(rng_, kRatings)},
                                             {"paid_fen", static_cast<int64_t>(rng_() % 500'000'000)},
                                             {"arrears", rng_() % 25 == 0 ? "有欠税" : "无欠税"}}));
  }
  return out;
}

SyntheticBatch SyntheticCounty::NextPeople(int64_t max_people) {
  SyntheticBatch out;
  const int year = options_.today.year;
  // The school year that started last September (or this one).
  const int school_year = options_.today.month >= 9 ? year : year - 1;
  int64_t made = 0;
  while (made < max_people && generated_ < options_.people) {
    const int64_t household = ++household_seq_;
    const size_t district = rng_() % districts_.size();
    const std::string region = districts_[district].ToString();
    const std::string address = Street(district);
    const std::string surname = Pick(rng_, kSurnames);
    const int64_t room = options_.people - generated_;  // people still to make
    // A household: a head, often a spouse, up to three children, sometimes a parent of the head.
    std::vector<Person> members;
    std::vector<std::string> relations;
    const bool head_male = rng_() % 2 == 0;
    const int head_age = 22 + static_cast<int>(rng_() % 60);
    members.push_back(MakePerson(head_male, head_age, surname, district));
    relations.push_back("户主");
    const bool married = head_age >= 24 && rng_() % 10 < 7 && room >= 2;
    if (married) {
      const int spouse_age = std::max(22, head_age + static_cast<int>(rng_() % 7) - 3);
      members.push_back(MakePerson(!head_male, spouse_age, Pick(rng_, kSurnames), district));
      relations.push_back("配偶");
      // Children take their father's surname; born when the head was 22 to 40.
      const std::string child_surname = head_male ? surname : members[1].name.substr(0, 3);
      const int children = head_age < 23 ? 0 : static_cast<int>(rng_() % 3) + (rng_() % 4 == 0);
      for (int c = 0; c < children && static_cast<int64_t>(members.size()) < room; ++c) {
        const int child_age = head_age - 22 - static_cast<int>(rng_() % 19);
        if (child_age < 0) continue;
        members.push_back(MakePerson(rng_() % 2 == 0, child_age, child_surname, district));
        relations.push_back("子女");
      }
    }
    if (head_age >= 30 && head_age <= 55 && rng_() % 10 == 0 && static_cast<int64_t>(members.size()) < room) {
      const bool father = rng_() % 2 == 0;
      members.push_back(MakePerson(father, head_age + 24 + static_cast<int>(rng_() % 9),
                                   father ? surname : Pick(rng_, kSurnames), district));
      relations.push_back("父母");
    }
    const Person& head = members[0];
    const std::string hh = Padded(household, 7);
    const std::string hkey = region + "-" + tag_ + hh;  // the household in record keys
    for (size_t m = 0; m < members.size(); ++m) {
      const Person& p = members[m];
      const int age = Age(p);
      const std::string tail = hkey + "-" + std::to_string(m + 1);
      out["household_registration"].push_back(
          Line(p.id, "HJ-" + tail,
               object{{"name", p.name}, {"sex", p.male ? "男" : "女"},
                      {"ethnicity", rng_() % 20 == 0 ? Pick(rng_, kEthnicities) : "汉"},
                      {"birth_date", Date(p.birth)}, {"household_address", address},
                      {"household_head_id", head.id}, {"relation_to_head", relations[m]}}));
      // Medical insurance: employees (18-59) in the employees' scheme, others in the residents'.
      const bool employed = age >= 18 && age < 60 && rng_() % 10 < 8;
      const std::string& employer = employers_.empty() ? std::string() : employers_[rng_() % employers_.size()];
      const int64_t insured_from = std::max(DaysFromCivil(p.birth), DaysFromCivil({1998, 1, 1}));
      out["medical_insurance"].push_back(Line(
          p.id, "YB-" + tail,
          object{{"scheme", employed ? "职工基本医疗保险" : "城乡居民基本医疗保险"}, {"status", "参保缴费"},
                 {"insured_region", region},
                 {"start_date", Date(DateBetween(CivilFromDays(insured_from), options_.today))}}));
      if (employed && !employer.empty()) {
        const int64_t base = (4462 + static_cast<int64_t>(rng_() % 20000)) * 100;
        const CivilDate since = DateBetween({std::max(2000, year - age + 18), 1, 1}, options_.today);
        out["social_insurance"].push_back(Line(
            p.id, "SB-" + tail,
            object{{"insurance_type", "企业职工基本养老保险"}, {"status", "参保缴费"}, {"employer_uscc", employer},
                   {"start_date", Date(since)}, {"monthly_base_fen", base}}));
        if (rng_() % 10 < 6) {
          const int64_t deposit = base * 24 / 100;  // 12% from the employee, 12% from the employer
          out["housing_fund_deposit"].push_back(Line(
              p.id, "GJJ-" + tail,
              object{{"account_number", "GJJ" + region + hh + std::to_string(m + 1)},
                     {"employer_uscc", employer}, {"status", "正常缴存"}, {"monthly_deposit_fen", deposit},
                     {"balance_fen", deposit * static_cast<int64_t>(1 + rng_() % 120)}, {"since", Date(since)}}));
        }
      } else if (age >= 60 && rng_() % 2 == 0) {
        out["social_insurance"].push_back(Line(
            p.id, "SB-" + tail,
            object{{"insurance_type", "城乡居民基本养老保险"}, {"status", "参保缴费"},
                   {"start_date", Date(DateBetween({2010, 1, 1}, options_.today))}}));
      }
      if (age >= 6 && age <= 17) {
        const int grade = std::clamp(age - 5, 1, 12);
        const bool vocational = grade >= 10 && rng_() % 10 < 3;
        const char* stage = grade <= 6 ? "小学" : grade <= 9 ? "初中" : vocational ? "中等职业学校" : "普通高中";
        const int stage_start = grade <= 6 ? 1 : grade <= 9 ? 7 : 10;
        out["student_status"].push_back(Line(
            p.id, "XJ-" + tail,
            object{{"school_name", city_name_ + district_names_[district] + "第" + Pick(rng_, kNumerals) +
                                       (grade <= 6 ? "小学" : grade <= 9 ? "中学" : vocational ? "职业高级中学" : "高级中学")},
                   {"stage", stage}, {"grade", grade},
                   {"enrolment_date", Date(Clamp({school_year - (grade - stage_start), 9, 1}))},
                   {"student_number", "G" + p.id}, {"status", "在读"}}));
      }
      // The medical birth certificate (issued since 1996) of each child of the couple.
      if (married && relations[m] == "子女" && p.birth.year >= 1996) {
        const Person& mother = members[0].male ? members[1] : members[0];
        const Person& father = members[0].male ? members[0] : members[1];
        out["birth_certificate"].push_back(Line(
            p.id, "CS-" + tail,
            object{{"child_name", p.name}, {"sex", p.male ? "男" : "女"}, {"birth_date", Date(p.birth)},
                   {"birth_place", Pick(rng_, kHospitals)}, {"mother_name", mother.name}, {"mother_id", mother.id},
                   {"father_name", father.name}, {"father_id", father.id},
                   {"certificate_number", (p.birth.year >= 2014 ? "Q" : "P") + region.substr(0, 2) +
                                              hh + std::to_string(m + 1)}}));
      }
      // Disability certificates (第二代残疾人证: the ID number, the category digit, the grade digit).
      if (rng_() % 50 == 0) {
        const size_t category = rng_() % std::size(kDisabilityCategories);
        const size_t grade = rng_() % std::size(kDisabilityGrades);
        const CivilDate issued =
            DateBetween(CivilFromDays(std::max(DaysFromCivil(p.birth), DaysFromCivil({2008, 1, 1}))), options_.today);
        out["disability_certificate"].push_back(Line(
            p.id, "CJ-" + tail,
            object{{"certificate_number", p.id + std::to_string(category + 1) + std::to_string(grade + 1)},
                   {"category", kDisabilityCategories[category]}, {"grade", kDisabilityGrades[grade]},
                   {"issued", Date(issued)}, {"valid_until", Date(Valid({issued.year + 10, issued.month, issued.day}))}}));
      }
    }
    if (married) {
      const Person& a = members[0];
      const Person& b = members[1];
      const int youngest = std::min(Age(a), Age(b));
      const int married_at = 22 + static_cast<int>(rng_() % 9);  // the younger spouse's age
      const CivilDate date = Clamp(DateBetween({year - youngest + married_at, 1, 1},
                                               {year - youngest + married_at, 12, 31}));
      const std::string cert = "J" + region + "-" + std::to_string(date.year) + "-" + hh;
      for (size_t self = 0; self < 2; ++self) {
        const Person& spouse = members[1 - self];
        out["marriage_registration"].push_back(Line(
            members[self].id, "HY-" + hkey + "-" + std::to_string(self + 1),
            object{{"marital_status", "已婚"}, {"spouse_name", spouse.name}, {"spouse_id", spouse.id},
                   {"registration_date", Date(date)}, {"certificate_number", cert},
                   {"registry_office", city_name_ + district_names_[district] + "民政局婚姻登记处"}}));
      }
    }
    // Property: about four households in ten own their home, bought (and filed) before it was
    // registered.
    if (rng_() % 10 < 4) {
      const CivilDate registered =
          DateBetween({std::max(2005, year - Age(head) + 22), 1, 1}, options_.today);
      const int area_m2 = 50 + static_cast<int>(rng_() % 120);
      const int area_cents = static_cast<int>(rng_() % 100);
      char area[16];
      std::snprintf(area, sizeof area, "%d.%02d", area_m2, area_cents);
      out["real_estate_registration"].push_back(Line(
          head.id, "BDC-" + hkey,
          object{{"certificate_number", "浙(" + std::to_string(registered.year) + ")" + city_name_ + "不动产权第" +
                                            hh + "号"},
                 {"property_address", address}, {"floor_area", area},
                 {"ownership", married ? "共同共有" : "单独所有"}, {"registration_date", Date(registered)},
                 {"mortgaged", rng_() % 2 == 0 ? "已抵押" : "无抵押"}}));
      const CivilDate signed_on = CivilFromDays(DaysFromCivil(registered) - 10 - static_cast<int64_t>(rng_() % 50));
      const int64_t yuan_per_m2 = 15'000 + static_cast<int64_t>(rng_() % 45'000);
      out["housing_transaction"].push_back(Line(
          head.id, "FW-" + hkey,
          object{{"contract_number", "WQ" + std::to_string(signed_on.year) + region + hh},
                 {"property_address", address}, {"role", "买方"},
                 {"price_fen", (area_m2 * 100 + area_cents) * yuan_per_m2},
                 {"contract_date", Date(signed_on)}, {"filing_status", "已备案"}}));
    }
    generated_ += static_cast<int64_t>(members.size());
    made += static_cast<int64_t>(members.size());
  }
  return out;
}

}  // namespace tongban::data
