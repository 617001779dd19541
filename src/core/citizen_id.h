// CitizenId: a validated citizen ID number (公民身份号码), GB 11643-1999.
//
// Layout of the 18 characters: 6-digit region code (GB/T 2260, where the number was first
// issued), 8-digit birth date YYYYMMDD, 3-digit sequence (odd for men, even for women), and a
// check character computed with ISO 7064 MOD 11-2 over the first 17 digits ('0'..'9' or 'X').
//
// Validation rules (see docs/core.md for the reasons):
//   * exactly 18 ASCII characters; the first 17 digits, the last a digit or 'X';
//   * a lower-case 'x' check character is accepted and normalised to 'X';
//   * full-width digits ("１１０…", U+FF10..U+FF19) and any other non-ASCII are rejected with a
//     reason saying so; 15-digit first-generation numbers are rejected with their own reason;
//   * the province prefix (first two digits) must exist in the region table. The county part is
//     not checked: abolished county codes stay valid in numbers issued before the change. The
//     prefix 83 (Taiwan residents' residence permits, which use this format) is also accepted;
//   * the birth date must be a real calendar date, not before 1800-01-01 and not after `today`;
//   * the check character must match.
//
// The number is personal data: everything that prints it (ToString, operator<<) prints it masked,
// "3301**********1234". Only RevealFullNumber() returns the whole number; call it only where the
// full number is needed (a database column, an authorised data read), never for logs.
//
// Immutable value type; thread-safe.
#pragma once

#include <compare>
#include <ostream>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/region.h"
#include "core/status.h"

namespace tongban {

enum class Sex : uint8_t { kFemale, kMale };

class CitizenId {
 public:
  // Validates `text` against the rules above, with `today` as the latest allowed birth date.
  // Errors are InvalidField(field, reason); the reason never contains the number or any part of
  // it, so it is safe to log and to send to the client.
  static Result<CitizenId> Parse(std::string_view text, CivilDate today,
                                 std::string_view field = "id_number");
  // Same, with today's date in China (UTC+8, ChinaDate(clock.Now())): birth dates are local
  // dates, so a child born just after midnight Beijing time is not "in the future".
  static Result<CitizenId> Parse(std::string_view text, const Clock& clock,
                                 std::string_view field = "id_number");

  // The ISO 7064 MOD 11-2 check character ('0'..'9' or 'X') for 17 leading digits.
  // REQUIRES: first17 is 17 ASCII digits.
  static char ComputeCheckChar(std::string_view first17);

  // Region of first issue (may be an abolished county code; look it up with LookupRegion).
  RegionCode region_code() const { return region_; }
  CivilDate birth_date() const { return birth_; }
  Sex sex() const { return sex_; }
  char check_char() const { return number_[17]; }

  // "3301**********1234": first four and last four characters. Safe for logs.
  std::string Masked() const;
  // Same as Masked(): the default string form never exposes the number.
  std::string ToString() const { return Masked(); }
  // The full normalised 18-character number. Personal data: not for logs.
  const std::string& RevealFullNumber() const { return number_; }

  // Equality and order of the normalised number, so a CitizenId can key a std::map or std::set.
  friend bool operator==(const CitizenId& a, const CitizenId& b) { return a.number_ == b.number_; }
  friend std::strong_ordering operator<=>(const CitizenId& a, const CitizenId& b) {
    return a.number_ <=> b.number_;
  }
  friend std::ostream& operator<<(std::ostream& os, const CitizenId& id) {
    return os << id.Masked();
  }

 private:
  CitizenId(std::string number, RegionCode region, CivilDate birth, Sex sex)
      : number_(std::move(number)), region_(region), birth_(birth), sex_(sex) {}

  std::string number_;  // normalised: upper-case 'X'
  RegionCode region_;
  CivilDate birth_;
  Sex sex_;
};

}  // namespace tongban
