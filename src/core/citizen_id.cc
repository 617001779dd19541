// GB 11643-1999 citizen ID validation (see citizen_id.h for the rules).
#include "core/citizen_id.h"

#include <array>

#include "core/mask.h"

namespace tongban {
namespace {

// ISO 7064 MOD 11-2 weights 2^(17-i) mod 11 for positions 0..16, and the check character for
// each value of (sum mod 11).
constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr char kCheckChars[] = "10X98765432";

constexpr CivilDate kEarliestBirth{1800, 1, 1};
// Province-level prefix used by Taiwan residents' residence permits (台湾居民居住证), which are
// issued in the GB 11643 format but have no GB/T 2260 province code.
constexpr int kTaiwanResidencePermitPrefix = 83;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True if text[i..] starts with a full-width digit or letter X (UTF-8 EF BC 90..99, EF BC B8,
// EF BD 98).
bool HasFullWidth(std::string_view text) {
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    auto b0 = static_cast<unsigned char>(text[i]), b1 = static_cast<unsigned char>(text[i + 1]),
         b2 = static_cast<unsigned char>(text[i + 2]);
    if (b0 != 0xEF) continue;
    if (b1 == 0xBC && ((b2 >= 0x90 && b2 <= 0x99) || b2 == 0xB8)) return true;
    if (b1 == 0xBD && b2 == 0x98) return true;
  }
  return false;
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

char CitizenId::ComputeCheckChar(std::string_view first17) {
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheckChars[sum % 11];
}

Result<CitizenId> CitizenId::Parse(std::string_view text, CivilDate today, std::string_view field) {
  auto bad = [&](std::string reason) {
    return Status::InvalidField(std::string(field), std::move(reason));
  };

  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      if (HasFullWidth(text)) {
        return bad("full-width characters are not accepted; use ASCII digits 0-9 and X");
      }
      return bad("must contain only ASCII digits 0-9 and X");
    }
  }
  if (text.size() == 15) {
    return bad("15-digit first-generation numbers are not accepted; use the 18-character number");
  }
  if (text.size() != 18) {
    return bad("must be 18 characters, got " + std::to_string(text.size()));
  }
  for (size_t i = 0; i < 17; ++i) {
    if (!IsDigit(text[i])) {
      return bad("character " + std::to_string(i + 1) + " must be a digit");
    }
  }
  std::string number(text);
  if (number[17] == 'x') number[17] = 'X';
  if (!IsDigit(number[17]) && number[17] != 'X') {
    return bad("the last character must be a digit or X");
  }

  std::string_view n = number;
  int prefix = Num(n.substr(0, 2));
  if (!ProvincePrefixExists(prefix) && prefix != kTaiwanResidencePermitPrefix) {
    return bad("unknown province code " + std::string(n.substr(0, 2)));
  }
  RegionCode region = RegionCode::FromInt(Num(n.substr(0, 6)));

  CivilDate birth{Num(n.substr(6, 4)), Num(n.substr(10, 2)), Num(n.substr(12, 2))};
  if (!birth.IsValid()) return bad("birth date (characters 7-14) is not a real date");
  if (birth < kEarliestBirth) return bad("birth date is before 1800-01-01");
  if (birth > today) return bad("birth date is in the future");

  if (ComputeCheckChar(n.substr(0, 17)) != n[17]) {
    return bad("check character does not match (mistyped digit?)");
  }
  Sex sex = (n[16] - '0') % 2 == 1 ? Sex::kMale : Sex::kFemale;
  return CitizenId(std::move(number), region, birth, sex);
}

Result<CitizenId> CitizenId::Parse(std::string_view text, const Clock& clock,
                                   std::string_view field) {
  return Parse(text, ChinaDate(clock.Now()), field);
}

std::string CitizenId::Masked() const { return MaskIdentifier(number_, 4, 4); }

}  // namespace tongban
