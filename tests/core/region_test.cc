// Tests for the GB/T 2260 region table and its lookups.
#include "core/region.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace tongban {
namespace {

RegionCode Code(int32_t v) { return RegionCode::FromInt(v); }

TEST(RegionLookup, JiashanChainsToJiaxingAndZhejiang) {
  Result<std::vector<Region>> chain = RegionChain(Code(330421));
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0].name, "嘉善县");
  EXPECT_EQ((*chain)[0].level, RegionLevel::kCounty);
  EXPECT_EQ((*chain)[1].code, Code(330400));
  EXPECT_EQ((*chain)[1].name, "嘉兴市");
  EXPECT_EQ((*chain)[1].level, RegionLevel::kCity);
  EXPECT_EQ((*chain)[2].code, Code(330000));
  EXPECT_EQ((*chain)[2].name, "浙江省");
  EXPECT_EQ((*chain)[2].level, RegionLevel::kProvince);
  EXPECT_FALSE((*chain)[2].parent.has_value());
  EXPECT_EQ(*RegionFullName(Code(330421)), "浙江省 嘉兴市 嘉善县");
}

TEST(RegionLookup, ByStringCode) {
  Result<Region> r = LookupRegion("370102");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "历下区");
  EXPECT_EQ(r->parent, Code(370100));
  EXPECT_EQ(LookupRegion("37010").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(LookupRegion("37010a").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(LookupRegion("３７０１０２").status().code(), ErrorCode::kInvalidArgument);
  Result<Region> missing = LookupRegion("999999");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "region not found: 999999");
}

TEST(RegionLookup, MunicipalityDistrictsHangOffTheMunicipality) {
  for (int32_t municipality : {110000, 120000, 310000, 500000}) {
    Result<Region> m = LookupRegion(Code(municipality));
    ASSERT_TRUE(m.ok()) << municipality;
    EXPECT_EQ(m->level, RegionLevel::kProvince);
    // No placeholder city level (110100 市辖区, 500200 县).
    EXPECT_FALSE(LookupRegion(Code(municipality + 100)).ok()) << municipality;
    EXPECT_GT(RegionChildren(Code(municipality)).size(), 5u) << municipality;
  }
  Result<std::vector<Region>> chaoyang = RegionChain(Code(110105));
  ASSERT_TRUE(chaoyang.ok());
  ASSERT_EQ(chaoyang->size(), 2u);
  EXPECT_EQ((*chaoyang)[0].name, "朝阳区");
  EXPECT_EQ((*chaoyang)[1].name, "北京市");
  EXPECT_EQ(*RegionFullName(Code(500229)), "重庆市 城口县");
  EXPECT_EQ(LookupRegion(Code(500229))->level, RegionLevel::kCounty);
}

TEST(RegionLookup, ProvinceAdministeredCountiesHangOffTheProvince) {
  EXPECT_EQ(*RegionFullName(Code(429004)), "湖北省 仙桃市");
  EXPECT_EQ(LookupRegion(Code(429004))->level, RegionLevel::kCounty);
  EXPECT_EQ(*RegionFullName(Code(469001)), "海南省 五指山市");
  EXPECT_EQ(*RegionFullName(Code(659001)), "新疆维吾尔自治区 石河子市");
  EXPECT_FALSE(LookupRegion(Code(429000)).ok());  // the "省直辖县级行政区划" placeholder
}

TEST(RegionLookup, CitiesWithoutCountiesAreCities) {
  for (int32_t city : {441900, 442000, 620200, 460400}) {
    Result<Region> r = LookupRegion(Code(city));
    ASSERT_TRUE(r.ok()) << city;
    EXPECT_EQ(r->level, RegionLevel::kCity) << city;
    EXPECT_TRUE(RegionChildren(Code(city)).empty()) << city;
  }
  EXPECT_EQ(LookupRegion(Code(441900))->name, "东莞市");
}

TEST(RegionLookup, HongKongMacaoTaiwanAreProvinceLevelOnly) {
  EXPECT_EQ(LookupRegion(Code(810000))->name, "香港特别行政区");
  EXPECT_EQ(LookupRegion(Code(820000))->name, "澳门特别行政区");
  EXPECT_EQ(LookupRegion(Code(710000))->name, "台湾省");
  EXPECT_TRUE(RegionChildren(Code(810000)).empty());
}

TEST(RegionLookup, ProvincePrefixes) {
  std::set<int> expected = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42,
                            43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82};
  for (int p = -1; p <= 100; ++p) {
    EXPECT_EQ(ProvincePrefixExists(p), expected.count(p) == 1) << p;
  }
}

TEST(RegionLookup, ZhejiangHasElevenCities) {
  std::vector<Region> cities = RegionChildren(Code(330000));
  EXPECT_EQ(cities.size(), 11u);
  EXPECT_EQ(cities.front().name, "杭州市");
  EXPECT_EQ(cities.back().name, "丽水市");
}

TEST(RegionTable, EveryRowIsConsistent) {
  ASSERT_GT(RegionCount(), 3000u);
  size_t provinces = 0;
  for (size_t i = 0; i < RegionCount(); ++i) {
    Region r = RegionAt(i);
    if (i > 0) {
      EXPECT_LT(RegionAt(i - 1).code, r.code);
    }
    EXPECT_FALSE(r.name.empty()) << r.code.ToString();
    EXPECT_EQ(LookupRegion(r.code)->name, r.name);
    if (r.level == RegionLevel::kProvince) {
      ++provinces;
      EXPECT_FALSE(r.parent.has_value());
      EXPECT_EQ(r.code.value() % 10000, 0);
      continue;
    }
    ASSERT_TRUE(r.parent.has_value()) << r.code.ToString();
    Result<Region> parent = LookupRegion(*r.parent);
    ASSERT_TRUE(parent.ok()) << r.code.ToString();
    EXPECT_LT(static_cast<int>(parent->level), static_cast<int>(r.level)) << r.code.ToString();
    EXPECT_EQ(r.code.province(), parent->code.province()) << r.code.ToString();
    Result<std::vector<Region>> chain = RegionChain(r.code);
    ASSERT_TRUE(chain.ok());
    EXPECT_EQ(chain->back().level, RegionLevel::kProvince) << r.code.ToString();
  }
  EXPECT_EQ(provinces, 34u);
}

TEST(RegionCodeType, ParseAndFormat) {
  Result<RegionCode> c = RegionCode::Parse("010203");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->value(), 10203);
  EXPECT_EQ(c->ToString(), "010203");
  EXPECT_EQ(c->province_prefix(), 1);
  EXPECT_EQ(RegionCode::FromInt(330421).province().value(), 330000);
  EXPECT_EQ(RegionCode::Parse("33042").status().message(), "region_code: must be 6 digits");
  EXPECT_EQ(RegionCode::Parse("-33042").status().message(), "region_code: must be 6 digits");
  EXPECT_EQ(RegionLevelName(RegionLevel::kCity), "city");
}

}  // namespace
}  // namespace tongban
