// Synthetic identifiers for tests: citizen ID numbers (GB 11643) and unified social credit codes
// (GB 32100) with valid check characters, built from chosen digits — never real numbers — and the
// people and company the tests share: 张伟, 李娜 and 杭州西湖示范科技有限公司.
//
//   SyntheticId("33010619850312213") == SyntheticId("330106", "19850312", "213")
//   SyntheticUscc("91330106", "MA2DEM01") == SyntheticUscc("91", "330106", "MA2DEM01")
#pragma once

#include <string>
#include <string_view>

#include "core/citizen_id.h"
#include "core/uscc.h"

namespace tongban::testing {

// A citizen ID: the first 17 characters (region, birth date, sequence) and their check character.
inline std::string SyntheticId(std::string_view first17) {
  return std::string(first17) + CitizenId::ComputeCheckChar(first17);
}
inline std::string SyntheticId(std::string_view region6, std::string_view birth8,
                               std::string_view seq3) {
  return SyntheticId(std::string(region6) + std::string(birth8) + std::string(seq3));
}

// A USCC: authority/type + region (8), an 8-character organisation body, its two check characters.
inline std::string SyntheticUscc(std::string_view head8, std::string_view body8) {
  std::string s = std::string(head8) + std::string(body8) + Uscc::ComputeOrgCodeCheckChar(body8);
  return s + Uscc::ComputeCheckChar(s);
}
inline std::string SyntheticUscc(std::string_view prefix2, std::string_view region6,
                                 std::string_view org8) {
  return SyntheticUscc(std::string(prefix2) + std::string(region6), org8);
}

inline const std::string kZhangWei = SyntheticId("33010619850312213");      // 张伟, 西湖区, 1985
inline const std::string kLiNa = SyntheticId("33042119920704128");          // 李娜, 1992
inline const std::string kCompany = SyntheticUscc("91330106", "MA2DEM01");  // a company in 西湖区

}  // namespace tongban::testing
