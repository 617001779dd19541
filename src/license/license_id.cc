// GB/T 36904 licence identifiers; see license_id.h.
#include "license/license_id.h"

#include <cstdio>

#include "core/uscc.h"

namespace tongban::license {
namespace {

int Value36(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status CheckUscc(std::string_view text, std::string_view field, std::string_view what) {
  auto u = Uscc::ParseLenient(text, field);
  if (!u.ok() || u->uscc.RevealFullCode() != text) {
    return Status::InvalidField(std::string(field), std::string(what) + " is not a USCC");
  }
  return Status::Ok();
}

}  // namespace

char Iso7064Mod3736Check(std::string_view text) {
  int p = 36;
  for (char c : text) {
    int v = Value36(c);
    if (v < 0) return '\0';
    int s = (p + v) % 36;
    if (s == 0) s = 36;
    p = (s * 2) % 37;
  }
  int check = (37 - p) % 36;
  return check < 10 ? static_cast<char>('0' + check) : static_cast<char>('A' + check - 10);
}

Result<LicenseId> LicenseId::Parse(std::string_view text, std::string_view field) {
  const std::string f(field);
  if (text.size() > 128 || !text.starts_with(kLicenseIdPrefix)) {
    return Status::InvalidField(f, "must start with 1.2.156.3005.2. (GB/T 36904)");
  }
  std::string_view rest = text.substr(kLicenseIdPrefix.size());
  std::string_view parts[5];
  for (int i = 0; i < 5; ++i) {
    size_t dot = rest.find('.');
    if ((i < 4) != (dot != std::string_view::npos)) {
      return Status::InvalidField(f, "must have type code, issuer, serial, version and check");
    }
    parts[i] = rest.substr(0, dot);
    rest = i < 4 ? rest.substr(dot + 1) : std::string_view();
  }
  if (parts[0].size() != 21 || !AllDigits(parts[0].substr(18))) {
    return Status::InvalidField(f, "type code must be a USCC and 3 digits");
  }
  TB_RETURN_IF_ERROR(CheckUscc(parts[0].substr(0, 18), field, "type code"));
  if (parts[1].size() != 18) return Status::InvalidField(f, "issuer must be an 18-character USCC");
  TB_RETURN_IF_ERROR(CheckUscc(parts[1], field, "issuer"));
  if (!AllDigits(parts[2]) || parts[2].size() > 20) {
    return Status::InvalidField(f, "serial must be 1-20 digits");
  }
  if (parts[3].size() != 2 || !AllDigits(parts[3]) || parts[3] == "00") {
    return Status::InvalidField(f, "version must be two digits, 01-99");
  }
  if (parts[4].size() != 1) return Status::InvalidField(f, "check must be one character");
  std::string body;
  for (int i = 0; i < 4; ++i) body += parts[i];
  std::string all = "1215630052" + body;
  if (Iso7064Mod3736Check(all) != parts[4][0]) {
    return Status::InvalidField(f, "wrong check character (ISO 7064 MOD 37,36)");
  }
  LicenseId id;
  id.text_ = std::string(text);
  id.type_code_ = std::string(parts[0]);
  id.issuer_ = std::string(parts[1]);
  id.serial_ = std::string(parts[2]);
  id.version_ = (parts[3][0] - '0') * 10 + (parts[3][1] - '0');
  return id;
}

Result<LicenseId> LicenseId::Make(std::string_view type_code, std::string_view issuer_uscc,
                                  int64_t serial, int version) {
  if (serial < 0 || version < 1 || version > 99) {
    return Status::InvalidArgument("serial must be >= 0 and version 1-99");
  }
  char serial_text[24];
  std::snprintf(serial_text, sizeof serial_text, "%07lld", static_cast<long long>(serial));
  char version_text[4];
  std::snprintf(version_text, sizeof version_text, "%02d", version);
  std::string body = std::string(type_code) + std::string(issuer_uscc) + serial_text + version_text;
  char check = Iso7064Mod3736Check("1215630052" + body);
  if (check == '\0') return Status::InvalidArgument("licence identifier parts must be 0-9 A-Z");
  std::string text = std::string(kLicenseIdPrefix) + std::string(type_code) + "." +
                     std::string(issuer_uscc) + "." + serial_text + "." + version_text + "." + check;
  return Parse(text);
}

}  // namespace tongban::license
