// Region codes (GB/T 2260 行政区划代码): the province / city / county table and lookups.
//
// A RegionCode is a 6-digit code "PPCCXX": PP province, CC city within it, XX county within that.
// The table (3,358 rows: 34 province-level, 333 city-level, 2,991 county-level) is generated once
// from a packaged national list by scripts/gen-regions.mjs; see data/regions/SOURCE.md and
// docs/core.md. Conventions of the table:
//   * Municipalities (北京 11, 天津 12, 上海 31, 重庆 50) have no city level: their districts and
//     counties have the municipality as parent (110105 朝阳区 -> 110000 北京市).
//   * Directly administered county-level units (省直辖县级行政区划, e.g. 429004 仙桃市, 469001
//     五指山市, 659001 石河子市) are counties whose parent is the province.
//   * Prefecture-level cities without counties (东莞 441900, 中山 442000, 嘉峪关 620200, 儋州
//     460400) are cities with no children.
//   * Taiwan, Hong Kong and Macao appear only at province level (710000, 810000, 820000).
//
// The table is constant-initialised read-only data (a sorted constexpr array): no start-up code,
// no lazy initialisation, no locks. All functions are thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tongban {

enum class RegionLevel : uint8_t { kProvince = 1, kCity = 2, kCounty = 3 };

std::string_view RegionLevelName(RegionLevel level);  // "province", "city", "county"

// A syntactically valid region code: six ASCII digits. It need not exist in the table (old ID
// numbers carry abolished county codes).
class RegionCode {
 public:
  // Six ASCII digits, else InvalidField(field, reason).
  static Result<RegionCode> Parse(std::string_view text, std::string_view field = "region_code");
  // REQUIRES: 0 <= value <= 999999.
  static constexpr RegionCode FromInt(int32_t value) { return RegionCode(value); }

  constexpr int32_t value() const { return value_; }
  // The two-digit province prefix (33 for 330421).
  constexpr int province_prefix() const { return value_ / 10000; }
  // Province-level code of this code: 330000 for 330421.
  constexpr RegionCode province() const { return RegionCode(value_ / 10000 * 10000); }
  // Six digits with leading zeros kept.
  std::string ToString() const;

  friend constexpr auto operator<=>(RegionCode, RegionCode) = default;

 private:
  constexpr explicit RegionCode(int32_t value) : value_(value) {}
  int32_t value_;
};

// One row of the table. `name` points into static storage (UTF-8).
struct Region {
  RegionCode code;
  std::optional<RegionCode> parent;  // none for province level
  RegionLevel level;
  std::string_view name;
};

// The row for `code`, or NotFound("region", code).
Result<Region> LookupRegion(RegionCode code);
// Parses and looks up; InvalidField for a malformed code, NotFound for an unknown one.
Result<Region> LookupRegion(std::string_view code);

// The region and its ancestors, nearest first: 330421 -> [嘉善县, 嘉兴市, 浙江省].
// NotFound if `code` is not in the table.
Result<std::vector<Region>> RegionChain(RegionCode code);

// "浙江省 嘉兴市 嘉善县" (province first, separated by spaces). NotFound if unknown.
Result<std::string> RegionFullName(RegionCode code);

// True if the province-level code `prefix`0000 is in the table (11..82). This is the check an ID
// number's region should pass: county codes are abolished and merged over time, but a number
// issued under an old county code stays valid for life.
bool ProvincePrefixExists(int prefix);

// Direct children of `code` in code order (empty for a county or an unknown code).
std::vector<Region> RegionChildren(RegionCode code);

// Every row, sorted by code.
size_t RegionCount();
Region RegionAt(size_t index);  // REQUIRES: index < RegionCount()

}  // namespace tongban
