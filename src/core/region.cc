// The GB/T 2260 table and its lookups (see region.h). Rows live in a sorted constexpr array
// generated into region_data.inc; lookups are binary searches over it.
#include "core/region.h"

#include <algorithm>
#include <array>

namespace tongban {
namespace {

struct Row {
  int32_t code;
  int32_t parent;  // 0 for a province
  uint8_t level;
  std::string_view name;
};

constexpr Row kRows[] = {
#include "core/region_data.inc"
};

constexpr bool SortedAndConsistent() {
  for (size_t i = 0; i < std::size(kRows); ++i) {
    const Row& r = kRows[i];
    if (i > 0 && kRows[i - 1].code >= r.code) return false;
    if (r.code < 100000 || r.code > 999999 || r.level < 1 || r.level > 3) return false;
    if ((r.level == 1) != (r.parent == 0)) return false;
    if (r.level == 1 && r.code % 10000 != 0) return false;
  }
  return true;
}
static_assert(SortedAndConsistent(), "region_data.inc must be sorted by code and well formed");

const Row* Find(int32_t code) {
  const Row* end = std::end(kRows);
  const Row* it = std::lower_bound(std::begin(kRows), end, code,
                                   [](const Row& r, int32_t c) { return r.code < c; });
  return it != end && it->code == code ? it : nullptr;
}

Region ToRegion(const Row& r) {
  Region out{RegionCode::FromInt(r.code), std::nullopt, static_cast<RegionLevel>(r.level), r.name};
  if (r.parent != 0) out.parent = RegionCode::FromInt(r.parent);
  return out;
}

// Bit i set if province prefix i exists; computed at compile time.
constexpr std::array<bool, 100> MakeProvinceSet() {
  std::array<bool, 100> set{};
  for (const Row& r : kRows) {
    if (r.level == 1) set[static_cast<size_t>(r.code / 10000)] = true;
  }
  return set;
}
constexpr std::array<bool, 100> kProvinces = MakeProvinceSet();

}  // namespace

std::string_view RegionLevelName(RegionLevel level) {
  switch (level) {
    case RegionLevel::kProvince:
      return "province";
    case RegionLevel::kCity:
      return "city";
    case RegionLevel::kCounty:
      return "county";
  }
  return "unknown";
}

Result<RegionCode> RegionCode::Parse(std::string_view text, std::string_view field) {
  if (text.size() != 6) {
    return Status::InvalidField(std::string(field), "must be 6 digits");
  }
  int32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidField(std::string(field), "must be 6 digits");
    v = v * 10 + (c - '0');
  }
  return RegionCode(v);
}

std::string RegionCode::ToString() const {
  std::string s(6, '0');
  int32_t v = value_;
  for (int i = 5; i >= 0; --i, v /= 10) s[static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
  return s;
}

Result<Region> LookupRegion(RegionCode code) {
  const Row* row = Find(code.value());
  if (row == nullptr) return Status::NotFound("region", code.ToString());
  return ToRegion(*row);
}

Result<Region> LookupRegion(std::string_view code) {
  TB_ASSIGN_OR_RETURN(RegionCode parsed, RegionCode::Parse(code));
  return LookupRegion(parsed);
}

Result<std::vector<Region>> RegionChain(RegionCode code) {
  std::vector<Region> chain;
  const Row* row = Find(code.value());
  if (row == nullptr) return Status::NotFound("region", code.ToString());
  // The table guarantees at most three levels and parents inside the table (checked by the
  // generator and by tests); the bound keeps a corrupt table from looping.
  while (row != nullptr && chain.size() < 3) {
    chain.push_back(ToRegion(*row));
    row = row->parent == 0 ? nullptr : Find(row->parent);
  }
  return chain;
}

Result<std::string> RegionFullName(RegionCode code) {
  TB_ASSIGN_OR_RETURN(std::vector<Region> chain, RegionChain(code));
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!out.empty()) out += ' ';
    out += it->name;
  }
  return out;
}

bool ProvincePrefixExists(int prefix) {
  return prefix >= 0 && prefix < 100 && kProvinces[static_cast<size_t>(prefix)];
}

std::vector<Region> RegionChildren(RegionCode code) {
  std::vector<Region> out;
  // Children share the province prefix, so scan only that province's rows.
  int32_t lo = code.province_prefix() * 10000;
  const Row* it = std::lower_bound(std::begin(kRows), std::end(kRows), lo,
                                   [](const Row& r, int32_t c) { return r.code < c; });
  for (; it != std::end(kRows) && it->code < lo + 10000; ++it) {
    if (it->parent == code.value()) out.push_back(ToRegion(*it));
  }
  return out;
}

size_t RegionCount() { return std::size(kRows); }

Region RegionAt(size_t index) { return ToRegion(kRows[index]); }

}  // namespace tongban
