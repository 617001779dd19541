// Uscc: a validated unified social credit code (统一社会信用代码), GB 32100-2015.
//
// Layout of the 18 characters, all from the 31-character set 0-9 A-Z without I O Z S V:
//   [0]     registration authority (登记管理部门): 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政,
//           6 旅游, 7 宗教, 8 工会, 9 工商/市场监管, A 中央军委改革和编制办公室, N 农业, Y 其他
//   [1]     organisation type (机构类别) within that authority, e.g. 9+1 企业, 9+2 个体工商户
//   [2..7]  region code of the registering office (GB/T 2260; 100000 for national level)
//   [8..16] organisation code (组织机构代码, GB 11714): 8 body characters + its own check
//           character (weights 3 7 9 10 5 8 4 2, C = 11 - sum mod 11, 10 -> 'X', 11 -> '0')
//   [17]    check character: weights 3^i mod 31 (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28)
//           over the values of characters 0..16, C = 31 - sum mod 31 (31 -> 0), as a character
//
// Two modes:
//   * Parse (strict): every rule above must hold. For new input (a form, an API call).
//   * ParseLenient: for codes already registered. Some early pilot codes fail the checks, and the
//     region table does not know every historical code, so a wrong organisation-code check, a
//     wrong final check character, an unknown region and an unknown authority/type pair become
//     warnings instead of errors. Length and character-set errors are still errors.
// Lower-case letters are accepted and normalised to upper case in both modes.
//
// Like an ID number, a USCC is printed masked ("9135**********0043"); RevealFullCode() gives the
// whole code.
//
// Immutable value type; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/region.h"
#include "core/status.h"

namespace tongban {

enum class UsccWarningKind : uint8_t {
  kUnknownAuthorityOrType,  // registration authority / organisation type not in GB 32100 table
  kUnknownRegion,           // province prefix of the region code is not in the region table
  kOrgCodeCheck,            // the embedded GB 11714 organisation code's check character is wrong
  kCheckChar,               // the final GB 32100 check character is wrong
};

struct UsccWarning {
  UsccWarningKind kind;
  std::string message;  // safe to show and log; never contains the code
};

// A lenient parse: the code plus what a strict parse would have rejected.
struct LenientUscc;

class Uscc {
 public:
  // Strict parse; errors are InvalidField(field, reason), never containing the code.
  static Result<Uscc> Parse(std::string_view text, std::string_view field = "uscc");
  // Lenient parse for codes already registered (see above). Errors only for wrong length or
  // characters outside the 31-character set.
  static Result<LenientUscc> ParseLenient(std::string_view text, std::string_view field = "uscc");

  // The final check character for 17 leading characters, or '\0' if any is outside the set.
  static char ComputeCheckChar(std::string_view first17);
  // The GB 11714 check character ('0'..'9', 'X') for an 8-character organisation code body, or
  // '\0' if any character is not 0-9 / A-Z.
  static char ComputeOrgCodeCheckChar(std::string_view body8);

  char registration_authority() const { return code_[0]; }
  char organization_type() const { return code_[1]; }
  // Registering office's region; may be unknown to the table after a lenient parse.
  RegionCode region_code() const { return region_; }
  // The 9-character organisation code, e.g. "M000100Y4".
  std::string_view organization_code() const { return std::string_view(code_).substr(8, 9); }
  char check_char() const { return code_[17]; }

  // "9135**********0043". Safe for logs; also the default string form.
  std::string Masked() const;
  std::string ToString() const { return Masked(); }
  // The full normalised 18-character code.
  const std::string& RevealFullCode() const { return code_; }

  // Equality and order of the normalised code, so a Uscc can key a std::map or std::set.
  friend bool operator==(const Uscc& a, const Uscc& b) { return a.code_ == b.code_; }
  friend std::strong_ordering operator<=>(const Uscc& a, const Uscc& b) {
    return a.code_ <=> b.code_;
  }
  friend std::ostream& operator<<(std::ostream& os, const Uscc& u) { return os << u.Masked(); }

 private:
  Uscc(std::string code, RegionCode region) : code_(std::move(code)), region_(region) {}
  static Result<LenientUscc> ParseImpl(std::string_view text, std::string_view field, bool strict);

  std::string code_;  // normalised upper case
  RegionCode region_;
};

struct LenientUscc {
  Uscc uscc;
  std::vector<UsccWarning> warnings;  // empty if the code would pass a strict parse
};

}  // namespace tongban
