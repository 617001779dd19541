// Demo data: every synthetic identifier the demo creates is valid by its standard.
#include "cli/demo_data.h"

#include <gtest/gtest.h>

#include "core/citizen_id.h"
#include "core/uscc.h"

namespace tongban::cli {
namespace {

TEST(DemoData, SyntheticCitizenIdsAreValid) {
  CivilDate today{2026, 11, 24};
  for (auto [region, birth, seq] : {std::tuple{"330106", "19850312", "213"},
                                    std::tuple{"330421", "19920704", "128"},
                                    std::tuple{"110105", "19491231", "002"}}) {
    std::string id = SyntheticCitizenId(region, birth, seq);
    auto parsed = CitizenId::Parse(id, today);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  }
  // The standard's own example comes out of the same construction.
  EXPECT_EQ(SyntheticCitizenId("110105", "19491231", "002"), "11010519491231002X");
}

TEST(DemoData, SyntheticUsccsAreValid) {
  for (auto [prefix, region, body] : {std::tuple{"91", "330106", "MA2DEM01"},
                                      std::tuple{"12", "330100", "H0000001"},
                                      std::tuple{"11", "330100", "Y0000002"},
                                      std::tuple{"11", "330000", "R0000003"}}) {
    std::string code = SyntheticUscc(prefix, region, body);
    auto parsed = Uscc::Parse(code);
    EXPECT_TRUE(parsed.ok()) << code << ": " << parsed.status().ToString();
  }
}

}  // namespace
}  // namespace tongban::cli
