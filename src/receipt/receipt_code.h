// The identifiers printed on a fiscal e-receipt (财政电子票据), after the national data standard:
//
//   code    = region class kind year          ; 票据代码, 8 ASCII digits
//   region  = 2DIGIT                          ; province prefix of GB/T 2260 (33 = 浙江)
//   class   = "04"                            ; 医疗收费票据 (medical charges); the only class here
//   kind    = "01" / "02"                     ; 01 门诊 outpatient, 02 住院 inpatient
//   year    = 2DIGIT                          ; last two digits of the year of issue
//   number  = 10DIGIT                         ; 票据号码, 0000000001 .. 9999999999, sequential
//                                             ;   within a number range (号段) of one issuer
//   check   = 6check-char                     ; 校验码, random, printed on the receipt
//   check-char = DIGIT / %x41-48 / %x4A-4E / %x50-5A   ; 0-9 A-Z without I and O (34 chars)
//
// Lower-case check codes are accepted and normalised to upper case. A check code is not secret
// in the cryptographic sense (it is printed), but 34^6 ≈ 1.5e9 values make guessing a receipt's
// public verification from its code and number impractical under the rate limits.
//
// Immutable value types; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tongban::receipt {

enum class ReceiptKind : uint8_t { kOutpatient = 1, kInpatient = 2 };
std::string_view ReceiptKindName(ReceiptKind kind);  // "outpatient" / "inpatient"
Result<ReceiptKind> ParseReceiptKind(std::string_view name, std::string_view field = "kind");

// 票据代码: eight digits.
class ReceiptCode {
 public:
  static constexpr std::string_view kMedicalClass = "04";
  // Errors are InvalidField(field, reason).
  static Result<ReceiptCode> Parse(std::string_view text, std::string_view field = "code");
  // The code for a province prefix (two digits), a kind and a year (2000..2099).
  static Result<ReceiptCode> Make(int province_prefix, ReceiptKind kind, int year);

  const std::string& str() const { return code_; }
  int province_prefix() const { return (code_[0] - '0') * 10 + (code_[1] - '0'); }
  ReceiptKind kind() const { return code_[5] == '1' ? ReceiptKind::kOutpatient : ReceiptKind::kInpatient; }
  int year() const { return 2000 + (code_[6] - '0') * 10 + (code_[7] - '0'); }
  friend auto operator<=>(const ReceiptCode&, const ReceiptCode&) = default;

 private:
  explicit ReceiptCode(std::string code) : code_(std::move(code)) {}
  std::string code_;
};

// 票据号码: 1 .. 9,999,999,999, printed with ten digits.
class ReceiptNumber {
 public:
  static constexpr int64_t kMax = 9'999'999'999;
  // Exactly ten digits, not all zero.
  static Result<ReceiptNumber> Parse(std::string_view text, std::string_view field = "number");
  // REQUIRES-as-error: 1 <= value <= kMax, else OutOfRange.
  static Result<ReceiptNumber> FromInt(int64_t value);

  int64_t value() const { return value_; }
  std::string ToString() const;  // ten digits with leading zeros
  friend auto operator<=>(const ReceiptNumber&, const ReceiptNumber&) = default;

 private:
  explicit ReceiptNumber(int64_t v) : value_(v) {}
  int64_t value_ = 0;
};

// 校验码: six characters of the alphabet above.
class CheckCode {
 public:
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  static Result<CheckCode> Parse(std::string_view text, std::string_view field = "check");
  // A fresh random check code (crypto/random.h).
  static CheckCode Generate();
  // `n` fresh random check codes from one draw of random bytes (one system call for a batch).
  static std::vector<CheckCode> Generate(size_t n);

  const std::string& str() const { return code_; }
  friend auto operator<=>(const CheckCode&, const CheckCode&) = default;

 private:
  explicit CheckCode(std::string code) : code_(std::move(code)) {}
  std::string code_;
};

// "<code>/<number>", e.g. "33040126/0000000001": how a receipt is named in manifests, errors and
// caches.
std::string ReceiptKey(const ReceiptCode& code, const ReceiptNumber& number);

}  // namespace tongban::receipt
