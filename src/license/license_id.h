// LicenseId: an e-licence identifier per GB/T 36904-2018 (电子证照标识):
//
//   license-id = "1.2.156.3005.2." type-code "." issuer "." serial "." version "." check
//   type-code  = uscc 3DIGIT     ; the type-defining agency's USCC + 3 digits (证照类型代码)
//   issuer     = uscc            ; the issuing agency's USCC (颁发机构代码)
//   serial     = 1*20DIGIT       ; per issuer and type; we write 7 digits, zero-padded
//   version    = 2DIGIT          ; "01" for a first issue, +1 per renewal
//   check      = ALNUM           ; ISO 7064 MOD 37,36 over every character above without dots
//   uscc       = 18(DIGIT / UPPER) ; GB 32100 (checked leniently: codes already registered)
//
// ISO 7064 MOD 37,36 (hybrid, alphabet 0-9 A-Z valued 0..35): p = 36; for each character
// p = ((p + v) mod 36, or 36 if 0) * 2 mod 37; check = (37 - p) mod 36. Lower-case letters are
// refused (identifiers are compared as text).
// Immutable value type; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::license {

inline constexpr std::string_view kLicenseIdPrefix = "1.2.156.3005.2.";

// The ISO 7064 MOD 37,36 check character of `text` (0-9 A-Z), or '\0' if a character is outside.
char Iso7064Mod3736Check(std::string_view text);

class LicenseId {
 public:
  // Strict parse: layout, USCCs (GB 32100 character set and length) and check character.
  // Errors are InvalidField(field, reason).
  static Result<LicenseId> Parse(std::string_view text, std::string_view field = "id");
  // Builds an identifier. kInvalidArgument if a part is malformed.
  static Result<LicenseId> Make(std::string_view type_code, std::string_view issuer_uscc,
                                int64_t serial, int version);

  const std::string& text() const { return text_; }
  std::string_view type_code() const { return type_code_; }
  std::string_view issuer_uscc() const { return issuer_; }
  std::string_view serial() const { return serial_; }
  int version() const { return version_; }

  friend bool operator==(const LicenseId& a, const LicenseId& b) { return a.text_ == b.text_; }

 private:
  LicenseId() = default;
  std::string text_, type_code_, issuer_, serial_;
  int version_ = 1;
};

}  // namespace tongban::license
