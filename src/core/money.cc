// Checked fen arithmetic and exact yuan parsing/formatting (see money.h).
#include "core/money.h"

namespace tongban {
namespace {

Status Overflow(const char* op) {
  return Status::OutOfRange(std::string("amount overflow in ") + op);
}

// Digits of |v| as yuan "1234.56"; `group` inserts thousands separators in the yuan part.
std::string Format(int64_t v, bool group) {
  // |INT64_MIN| does not fit in int64; work in uint64.
  uint64_t mag = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string yuan = std::to_string(mag / 100);
  if (group) {
    std::string grouped;
    for (size_t i = 0; i < yuan.size(); ++i) {
      if (i > 0 && (yuan.size() - i) % 3 == 0) grouped += ',';
      grouped += yuan[i];
    }
    yuan = std::move(grouped);
  }
  unsigned cents = static_cast<unsigned>(mag % 100);
  yuan += '.';
  yuan += static_cast<char>('0' + cents / 10);
  yuan += static_cast<char>('0' + cents % 10);
  return yuan;
}

}  // namespace

Result<Fen> Fen::FromYuan(int64_t yuan) { return Fen(yuan).Mul(100); }

Result<Fen> Fen::Add(Fen other) const {
  int64_t out;
  if (__builtin_add_overflow(fen_, other.fen_, &out)) return Overflow("addition");
  return Fen(out);
}

Result<Fen> Fen::Sub(Fen other) const {
  int64_t out;
  if (__builtin_sub_overflow(fen_, other.fen_, &out)) return Overflow("subtraction");
  return Fen(out);
}

Result<Fen> Fen::Mul(int64_t factor) const {
  int64_t out;
  if (__builtin_mul_overflow(fen_, factor, &out)) return Overflow("multiplication");
  return Fen(out);
}

// Built by appending: GCC 12 reports a false -Wrestrict for `const char* + std::string&&` at -O3.
std::string Fen::ToYuanString() const {
  std::string out = fen_ < 0 ? "-" : "";
  out += Format(fen_, false);
  return out;
}

std::string Fen::ToDisplayString() const {
  std::string out = fen_ < 0 ? "-¥" : "¥";
  out += Format(fen_, true);
  return out;
}

Result<Fen> Fen::ParseYuan(std::string_view text, Sign sign, std::string_view field) {
  auto bad = [&](std::string reason) {
    return Status::InvalidField(std::string(field), std::move(reason));
  };
  constexpr std::string_view kShape = "must be a yuan amount such as 12.30";
  if (text.empty()) return bad("must not be empty");
  bool negative = false;
  std::string_view s = text;
  if (s.front() == '-') {
    if (sign == Sign::kNonNegative) return bad("must not be negative");
    negative = true;
    s.remove_prefix(1);
  }
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty()) return bad(std::string(kShape));
  if (whole.size() > 1 && whole[0] == '0') return bad("must not have leading zeros");
  if (dot != std::string_view::npos && frac.empty()) return bad(std::string(kShape));
  for (char c : whole) {
    if (c < '0' || c > '9') return bad(std::string(kShape));
  }
  for (char c : frac) {
    if (c < '0' || c > '9') return bad(std::string(kShape));
  }
  if (frac.size() > 2) return bad("must have at most 2 decimal places (fen)");

  // Accumulate as a negative number so INT64_MIN fen ("-92233720368547758.08") is reachable.
  int64_t acc = 0;
  auto push = [&](char c) {
    return !__builtin_mul_overflow(acc, 10, &acc) && !__builtin_sub_overflow(acc, c - '0', &acc);
  };
  bool ok = true;
  for (char c : whole) ok = ok && push(c);
  for (size_t i = 0; i < 2; ++i) ok = ok && push(i < frac.size() ? frac[i] : '0');
  if (!ok) return bad("amount is too large");
  if (!negative) {
    if (acc == INT64_MIN) return bad("amount is too large");
    acc = -acc;
  }
  return Fen(acc);
}

}  // namespace tongban
