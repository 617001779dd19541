// GB 32100-2015 unified social credit code validation (see uscc.h).
#include "core/uscc.h"

#include <array>

#include "core/mask.h"

namespace tongban {
namespace {

constexpr std::string_view kCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";  // 31 characters
constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};
constexpr std::array<int, 8> kOrgWeights = {3, 7, 9, 10, 5, 8, 4, 2};
constexpr int kNationalRegion = 100000;

// Value of a character in the 31-character set, or -1.
constexpr std::array<int8_t, 256> MakeValues() {
  std::array<int8_t, 256> v{};
  for (auto& x : v) x = -1;
  for (size_t i = 0; i < kCharset.size(); ++i)
    v[static_cast<uint8_t>(kCharset[i])] = static_cast<int8_t>(i);
  return v;
}
constexpr std::array<int8_t, 256> kValues = MakeValues();

// GB 32100-2015 table of registration authorities and the organisation types each may use.
struct Authority {
  char code;
  std::string_view types;
};
constexpr Authority kAuthorities[] = {
    {'1', "1239"},  // 机构编制: 机关, 事业单位, 中央编办管理的群众团体, 其他
    {'2', "19"},    // 外交: 外国常驻新闻机构, 其他
    {'3', "123459"},  // 司法行政: 律所, 公证处, 基层法律服务所, 司法鉴定, 仲裁委, 其他
    {'4', "19"},    // 文化: 外国在华文化中心, 其他
    {'5', "1239"},  // 民政: 社会团体, 民办非企业单位, 基金会, 其他
    {'6', "129"},   // 旅游: 外国 / 港澳台旅游部门常驻代表机构, 其他
    {'7', "129"},   // 宗教: 宗教活动场所, 宗教院校, 其他
    {'8', "19"},    // 工会: 基层工会, 其他
    {'9', "123"},   // 工商: 企业, 个体工商户, 农民专业合作社
    {'A', "19"},    // 中央军委改革和编制办公室: 军队事业单位, 其他
    {'N', "1239"},  // 农业: 组级 / 村级 / 乡镇级集体经济组织, 其他
    {'Y', "1"},     // 其他
};

// The organisation types allowed for `authority`, or "" for an unknown authority.
std::string_view TypesOf(char authority) {
  for (const Authority& a : kAuthorities) {
    if (a.code == authority) return a.types;
  }
  return "";
}

int OrgValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

bool IsForbiddenLetter(char c) { return c == 'I' || c == 'O' || c == 'Z' || c == 'S' || c == 'V'; }

}  // namespace

char Uscc::ComputeCheckChar(std::string_view first17) {
  if (first17.size() < 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    int v = kValues[static_cast<uint8_t>(first17[i])];
    if (v < 0) return '\0';
    sum += v * kWeights[i];
  }
  return kCharset[static_cast<size_t>((31 - sum % 31) % 31)];
}

char Uscc::ComputeOrgCodeCheckChar(std::string_view body8) {
  if (body8.size() < 8) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    int v = OrgValue(body8[i]);
    if (v < 0) return '\0';
    sum += v * kOrgWeights[i];
  }
  int c = 11 - sum % 11;
  if (c == 10) return 'X';
  if (c == 11) return '0';
  return static_cast<char>('0' + c);
}

Result<LenientUscc> Uscc::ParseImpl(std::string_view text, std::string_view field, bool strict) {
  auto bad = [&](std::string reason) {
    return Status::InvalidField(std::string(field), std::move(reason));
  };
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return bad(
          "must contain only ASCII digits and letters (full-width characters are not accepted)");
    }
  }
  if (text.size() != 18) return bad("must be 18 characters, got " + std::to_string(text.size()));

  std::string code(text);
  for (size_t i = 0; i < code.size(); ++i) {
    char& c = code[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (IsForbiddenLetter(c)) {
      return bad("character " + std::to_string(i + 1) + " is the letter " + std::string(1, c) +
                 ", which is not used (I O Z S V are excluded)");
    }
    if (kValues[static_cast<uint8_t>(c)] < 0) {
      return bad("character " + std::to_string(i + 1) + " must be a digit or an upper-case letter");
    }
  }

  std::vector<UsccWarning> warnings;
  // In strict mode the first problem is an error; in lenient mode every problem is a warning.
  auto problem = [&](UsccWarningKind kind, std::string reason) -> bool {
    if (strict) return true;
    warnings.push_back(UsccWarning{kind, std::move(reason)});
    return false;
  };

  std::string_view types = TypesOf(code[0]);
  if (types.empty()) {
    std::string reason = "unknown registration authority code " + std::string(1, code[0]);
    if (problem(UsccWarningKind::kUnknownAuthorityOrType, reason)) return bad(reason);
  } else if (types.find(code[1]) == std::string_view::npos) {
    std::string reason = "organisation type " + std::string(1, code[1]) +
                         " does not exist for registration authority " + std::string(1, code[0]);
    if (problem(UsccWarningKind::kUnknownAuthorityOrType, reason)) return bad(reason);
  }

  int region = 0;
  bool region_digits = true;
  for (size_t i = 2; i < 8; ++i) {
    if (code[i] < '0' || code[i] > '9') region_digits = false;
    region = region * 10 + (code[i] - '0');
  }
  if (!region_digits) {
    return bad("characters 3-8 (region code) must be digits");
  }
  if (region != kNationalRegion && !ProvincePrefixExists(region / 10000)) {
    std::string reason = "unknown province code " + code.substr(2, 2) + " in the region code";
    if (problem(UsccWarningKind::kUnknownRegion, reason)) return bad(reason);
  }

  if (ComputeOrgCodeCheckChar(std::string_view(code).substr(8, 8)) != code[16]) {
    std::string reason = "check character of the organisation code (character 17) does not match";
    if (problem(UsccWarningKind::kOrgCodeCheck, reason)) return bad(reason);
  }
  if (ComputeCheckChar(code) != code[17]) {
    std::string reason = "check character does not match (mistyped character?)";
    if (problem(UsccWarningKind::kCheckChar, reason)) return bad(reason);
  }
  return LenientUscc{Uscc(std::move(code), RegionCode::FromInt(region)), std::move(warnings)};
}

Result<Uscc> Uscc::Parse(std::string_view text, std::string_view field) {
  TB_ASSIGN_OR_RETURN(LenientUscc parsed, ParseImpl(text, field, /*strict=*/true));
  return std::move(parsed.uscc);
}

Result<LenientUscc> Uscc::ParseLenient(std::string_view text, std::string_view field) {
  return ParseImpl(text, field, /*strict=*/false);
}

std::string Uscc::Masked() const { return MaskIdentifier(code_, 4, 4); }

}  // namespace tongban
