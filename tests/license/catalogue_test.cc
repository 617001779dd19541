// The built-in licence catalogue: at least Qingdao's 21 wallet kinds, every type well formed.
#include "license/catalogue.h"

#include <gtest/gtest.h>

namespace tongban::license {
namespace {

TEST(Catalogue, BuiltinHasTheWalletKinds) {
  auto parsed = Catalogue::Parse(EmbeddedCatalogueJson());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const Catalogue& c = Catalogue::Builtin();
  EXPECT_GE(c.types().size(), 21u);
  for (const char* code :
       {"resident_id_card", "household_register", "driving_licence", "vehicle_licence",
        "marriage_certificate", "divorce_certificate", "social_security_card",
        "housing_provident_fund", "minimum_living_allowance", "extreme_poverty_support",
        "business_licence", "food_business_permit", "animal_clinic_permit", "veterinarian_licence",
        "road_transport_permit", "ride_hailing_vehicle_permit", "ride_hailing_driver_permit"}) {
    EXPECT_NE(c.Type(code), nullptr) << code;
  }
  const LicenseType* dl = c.Type("driving_licence");
  EXPECT_EQ(dl->name_zh, "机动车驾驶证");
  EXPECT_EQ(dl->holder, HolderKind::kPerson);
  EXPECT_EQ(dl->validity_years, 6);
  EXPECT_NE(dl->Field("licence_class"), nullptr);
  EXPECT_EQ(c.Type("business_licence")->holder, HolderKind::kEnterprise);
  EXPECT_EQ(c.DepartmentByKey(c.Type("business_licence")->issuer)->name_zh, "浙江省市场监督管理局");
}

TEST(Catalogue, MalformedCataloguesNameTheFieldAtFault) {
  EXPECT_FALSE(Catalogue::Parse("[]").ok());
  auto r = Catalogue::Parse(R"({"departments":[],"types":[{"code":"x","type_code":"1","name_zh":"甲",
      "name_en":"x","issuer":"nobody","holder_kind":"person","validity_years":0,"fields":[]}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().fields()[0].field, "/types/0/type_code");
  r = Catalogue::Parse(R"({"departments":[{"key":"d","name_zh":"甲","name_en":"A","uscc":"11330000R00000031E",
      "region_code":"330000"}],"types":[{"code":"x","type_code":"11330000R00000031E001","name_zh":"甲",
      "name_en":"x","issuer":"d","holder_kind":"alien","validity_years":0,"fields":[]}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().fields()[0].field, "/types/0/holder_kind");
}

}  // namespace
}  // namespace tongban::license
