// Canonical receipt documents and QR text; see receipt_document.h.
#include "receipt/receipt_document.h"

#include <charconv>
#include <cstdio>

#include "core/base64.h"
#include "core/clock.h"
#include "crypto/hash.h"

namespace tongban::receipt {
namespace {

constexpr std::string_view kMagic = "tongban-receipt/1";

Status Bad(std::string_view what) {
  return Status::DataLoss("receipt document is malformed").WithDetail(std::string(what));
}

std::string Hex(const std::array<uint8_t, 32>& b) { return crypto::ToHex(b); }

bool ParseInt(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return false;
  if (s.find_first_not_of("0123456789") != std::string_view::npos) return false;  // no "-0"
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

bool ParseHex32(std::string_view s, std::array<uint8_t, 32>& out) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;  // lower case only
  }
  auto bytes = crypto::FromHex(s);
  if (!bytes.ok() || bytes->size() != 32) return false;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return true;
}

bool ValidText(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == '|') return false;
  }
  return true;
}

// Reads "<key>: <value>\n" at `pos`.
bool Field(std::string_view text, size_t& pos, std::string_view key, std::string_view& value) {
  if (text.substr(pos, key.size()) != key || text.substr(pos + key.size(), 2) != ": ") return false;
  size_t start = pos + key.size() + 2;
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) return false;
  value = text.substr(start, end - start);
  pos = end + 1;
  return true;
}

std::string ChinaDateDigits(int64_t micros) {
  CivilDate d = ChinaDate(FromUnixMicros(micros));
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02d", d.year, d.month, d.day);
  return buf;
}

}  // namespace

std::string EncodeDocument(const Receipt& r, const std::array<uint8_t, 32>& payer_name_mac) {
  std::string out;
  out.reserve(512 + r.items.size() * 64);
  out.append(kMagic).append("\n");
  out.append("code: ").append(r.code.str()).append("\n");
  out.append("number: ").append(r.number.ToString()).append("\n");
  out.append("check: ").append(r.check.str()).append("\n");
  out.append("kind: ").append(ReceiptKindName(r.kind)).append("\n");
  out.append("issue_time: ").append(FormatIso8601Utc(FromUnixMicros(r.issue_micros))).append("\n");
  out.append("issuer: ").append(r.issuer_uscc).append("\n");
  out.append("issuer_name: ").append(r.issuer_name).append("\n");
  out.append("issuer_region: ").append(r.issuer_region).append("\n");
  out.append("payer: ").append(Hex(r.payer_subject)).append("\n");
  out.append("payer_name: ").append(Hex(payer_name_mac)).append("\n");
  for (const ReceiptItem& i : r.items) {
    out.append("item: ").append(i.category).append("|").append(i.name).append("|");
    out.append(std::to_string(i.quantity)).append("|").append(std::to_string(i.unit_fen));
    out.append("|").append(std::to_string(i.amount_fen)).append("\n");
  }
  out.append("total_fen: ").append(std::to_string(r.total_fen)).append("\n");
  out.append("insurance_fen: ").append(std::to_string(r.insurance_fen)).append("\n");
  out.append("self_fen: ").append(std::to_string(r.self_fen)).append("\n");
  out.append("channel: ").append(r.channel).append("\n");
  if (r.replaces) out.append("replaces: ").append(*r.replaces).append("\n");
  return out;
}

Result<DecodedDocument> DecodeDocument(std::string_view text) {
  DecodedDocument d;
  Receipt& r = d.receipt;
  if (!text.starts_with(kMagic) || text.substr(kMagic.size(), 1) != "\n") return Bad("magic line");
  size_t pos = kMagic.size() + 1;
  std::string_view v;
  if (!Field(text, pos, "code", v)) return Bad("code");
  auto code = ReceiptCode::Parse(v);
  if (!code.ok()) return Bad("code");
  r.code = *code;
  if (!Field(text, pos, "number", v)) return Bad("number");
  auto number = ReceiptNumber::Parse(v);
  if (!number.ok()) return Bad("number");
  r.number = *number;
  if (!Field(text, pos, "check", v)) return Bad("check");
  auto check = CheckCode::Parse(v);
  if (!check.ok() || check->str() != v) return Bad("check");
  r.check = *check;
  if (!Field(text, pos, "kind", v)) return Bad("kind");
  auto kind = ParseReceiptKind(v);
  if (!kind.ok()) return Bad("kind");
  r.kind = *kind;
  if (!Field(text, pos, "issue_time", v)) return Bad("issue_time");
  auto t = ParseIso8601Utc(v);
  if (!t.ok() || FormatIso8601Utc(*t) != v) return Bad("issue_time");
  r.issue_micros = ToUnixMicros(*t);
  if (!Field(text, pos, "issuer", v) || v.size() != 18) return Bad("issuer");
  r.issuer_uscc = std::string(v);
  if (!Field(text, pos, "issuer_name", v) || !ValidText(v)) return Bad("issuer_name");
  r.issuer_name = std::string(v);
  if (!Field(text, pos, "issuer_region", v) || v.size() != 6) return Bad("issuer_region");
  r.issuer_region = std::string(v);
  if (!Field(text, pos, "payer", v) || !ParseHex32(v, r.payer_subject)) return Bad("payer");
  if (!Field(text, pos, "payer_name", v) || !ParseHex32(v, d.payer_name_mac)) return Bad("payer_name");
  while (Field(text, pos, "item", v)) {
    ReceiptItem item;
    size_t a = v.find('|');
    size_t b = a == std::string_view::npos ? a : v.find('|', a + 1);
    size_t c = b == std::string_view::npos ? b : v.find('|', b + 1);
    size_t e = c == std::string_view::npos ? c : v.find('|', c + 1);
    if (e == std::string_view::npos || v.find('|', e + 1) != std::string_view::npos) return Bad("item");
    item.category = std::string(v.substr(0, a));
    item.name = std::string(v.substr(a + 1, b - a - 1));
    if (!ValidText(item.category) || !ValidText(item.name) ||
        !ParseInt(v.substr(b + 1, c - b - 1), item.quantity) ||
        !ParseInt(v.substr(c + 1, e - c - 1), item.unit_fen) ||
        !ParseInt(v.substr(e + 1), item.amount_fen)) {
      return Bad("item");
    }
    r.items.push_back(std::move(item));
  }
  if (r.items.empty()) return Bad("no items");
  if (!Field(text, pos, "total_fen", v) || !ParseInt(v, r.total_fen)) return Bad("total_fen");
  if (!Field(text, pos, "insurance_fen", v) || !ParseInt(v, r.insurance_fen)) return Bad("insurance_fen");
  if (!Field(text, pos, "self_fen", v) || !ParseInt(v, r.self_fen)) return Bad("self_fen");
  if (!Field(text, pos, "channel", v)) return Bad("channel");
  r.channel = std::string(v);
  if (pos < text.size()) {
    if (!Field(text, pos, "replaces", v) || v.size() != 19 || v[8] != '/') return Bad("replaces");
    r.replaces = std::string(v);
  }
  if (pos != text.size()) return Bad("trailing data");
  return d;
}

std::string QrPayload(const Receipt& r) {
  return "TBR1." + r.code.str() + "." + r.number.ToString() + "." + r.check.str() + "." +
         std::to_string(r.total_fen) + "." + ChinaDateDigits(r.issue_micros);
}

Result<QrFields> ParseQrText(std::string_view text) {
  auto bad = [](std::string reason) { return Status::InvalidField("qr", std::move(reason)); };
  if (!text.starts_with("TBR1.")) return bad("is not a Tongban receipt QR (must start with TBR1.)");
  if (text.size() > 256) return bad("is too long");
  std::string_view parts[7];
  size_t start = 0;
  for (int i = 0; i < 7; ++i) {
    size_t dot = text.find('.', start);
    if (i == 6) {
      if (dot != std::string_view::npos) return bad("has too many parts");
      parts[i] = text.substr(start);
    } else {
      if (dot == std::string_view::npos) return bad("has too few parts");
      parts[i] = text.substr(start, dot - start);
      start = dot + 1;
    }
  }
  auto code = ReceiptCode::Parse(parts[1], "qr");
  if (!code.ok()) return code.status();
  auto number = ReceiptNumber::Parse(parts[2], "qr");
  if (!number.ok()) return number.status();
  auto check = CheckCode::Parse(parts[3], "qr");
  if (!check.ok()) return check.status();
  QrFields q{*code, *number, *check, 0, std::string(parts[5]), {}, {}};
  if (!ParseInt(parts[4], q.total_fen)) return bad("total is not a whole number of fen");
  if (parts[5].size() != 8 || parts[5].find_first_not_of("0123456789") != std::string_view::npos) {
    return bad("date must be YYYYMMDD");
  }
  auto sig = Base64UrlDecode(parts[6]);
  if (!sig.ok() || sig->size() != 64) return bad("signature must be 64 bytes of base64url");
  q.signature = std::move(sig).value();
  q.payload = std::string(text.substr(0, text.size() - parts[6].size() - 1));
  return q;
}

std::string ManifestLine(const ReceiptCode& code, const ReceiptNumber& number,
                         const std::array<uint8_t, 32>& document_hash) {
  return ReceiptKey(code, number) + " " + crypto::ToHex(document_hash) + "\n";
}

}  // namespace tongban::receipt
