// Receipt code, number and check code; see receipt_code.h.
#include "receipt/receipt_code.h"

#include <cstdio>

#include "core/region.h"
#include "crypto/random.h"

namespace tongban::receipt {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string_view ReceiptKindName(ReceiptKind kind) {
  return kind == ReceiptKind::kOutpatient ? "outpatient" : "inpatient";
}

Result<ReceiptKind> ParseReceiptKind(std::string_view name, std::string_view field) {
  if (name == "outpatient") return ReceiptKind::kOutpatient;
  if (name == "inpatient") return ReceiptKind::kInpatient;
  return Status::InvalidField(std::string(field), "must be \"outpatient\" or \"inpatient\"");
}

Result<ReceiptCode> ReceiptCode::Parse(std::string_view text, std::string_view field) {
  if (text.size() != 8 || !AllDigits(text)) {
    return Status::InvalidField(std::string(field), "must be 8 digits (region, class, kind, year)");
  }
  auto province = RegionCode::Parse(std::string(text.substr(0, 2)) + "0000");
  if (!province.ok() || !LookupRegion(*province)) {
    return Status::InvalidField(std::string(field), "first two digits are not a province code");
  }
  if (text.substr(2, 2) != kMedicalClass) {
    return Status::InvalidField(std::string(field), "class (digits 3-4) must be 04, medical charges");
  }
  if (text.substr(4, 2) != "01" && text.substr(4, 2) != "02") {
    return Status::InvalidField(std::string(field),
                                "kind (digits 5-6) must be 01 outpatient or 02 inpatient");
  }
  return ReceiptCode(std::string(text));
}

Result<ReceiptCode> ReceiptCode::Make(int province_prefix, ReceiptKind kind, int year) {
  if (province_prefix < 10 || province_prefix > 99 || year < 2000 || year > 2099) {
    return Status::OutOfRange("receipt code parts out of range");
  }
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%02d%s%02d%02d", province_prefix, kMedicalClass.data(),
                        static_cast<int>(kind), year % 100);
  return Parse(std::string_view(buf, static_cast<size_t>(n)));
}

Result<ReceiptNumber> ReceiptNumber::Parse(std::string_view text, std::string_view field) {
  if (text.size() != 10 || !AllDigits(text)) {
    return Status::InvalidField(std::string(field), "must be 10 digits");
  }
  int64_t v = 0;
  for (char c : text) v = v * 10 + (c - '0');
  if (v == 0) return Status::InvalidField(std::string(field), "must not be 0000000000");
  return ReceiptNumber(v);
}

Result<ReceiptNumber> ReceiptNumber::FromInt(int64_t value) {
  if (value < 1 || value > kMax) return Status::OutOfRange("receipt number out of range");
  return ReceiptNumber(value);
}

std::string ReceiptNumber::ToString() const {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%010lld", static_cast<long long>(value_));
  return buf;
}

Result<CheckCode> CheckCode::Parse(std::string_view text, std::string_view field) {
  if (text.size() != 6) return Status::InvalidField(std::string(field), "must be 6 characters");
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (kAlphabet.find(c) == std::string_view::npos) {
      return Status::InvalidField(std::string(field), "must be 0-9 and A-Z without I and O");
    }
  }
  return CheckCode(std::move(out));
}

CheckCode CheckCode::Generate() { return Generate(1).front(); }

std::vector<CheckCode> CheckCode::Generate(size_t n) {
  // Rejection sampling keeps the characters uniform: 34 * 7 = 238 < 256. Drawing 8 bytes per code
  // leaves room for rejections (each byte is kept with probability 238/256).
  std::vector<CheckCode> out;
  out.reserve(n);
  std::string code;
  while (out.size() < n) {
    for (unsigned char b : crypto::RandomBytes((n - out.size()) * 8)) {
      if (b >= 238) continue;
      code.push_back(kAlphabet[b % kAlphabet.size()]);
      if (code.size() == 6) {
        out.push_back(CheckCode(std::move(code)));
        code.clear();
        if (out.size() == n) break;
      }
    }
  }
  return out;
}

std::string ReceiptKey(const ReceiptCode& code, const ReceiptNumber& number) {
  return code.str() + "/" + number.ToString();
}

}  // namespace tongban::receipt
