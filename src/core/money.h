// Fen: an amount of money in fen (分, 1/100 yuan) as a checked int64. Never floating point.
//
// Arithmetic that can overflow returns Result<Fen> (OutOfRange on overflow). Yuan strings are
// parsed exactly by the grammar
//     amount = ["-"] int ["." 1*2DIGIT]        int = "0" / %x31-39 *DIGIT
// so "12.30", "0.5", "-3" parse; "1.234" (more than two decimals), "1e3", "+1", " 1", "01",
// "1." and ".5" do not; a minus sign is rejected unless the caller allows negative amounts.
// The range is that of int64 fen: up to 92,233,720,368,547,758.07 yuan.
//
// Immutable value type; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban {

class Fen {
 public:
  constexpr Fen() = default;
  constexpr explicit Fen(int64_t fen) : fen_(fen) {}

  // Whole yuan; OutOfRange if the result does not fit.
  static Result<Fen> FromYuan(int64_t yuan);

  enum class Sign { kNonNegative, kAllowNegative };
  // Parses a yuan string (grammar above). Errors are InvalidField(field, reason).
  static Result<Fen> ParseYuan(std::string_view text, Sign sign = Sign::kNonNegative,
                               std::string_view field = "amount");

  constexpr int64_t value() const { return fen_; }
  constexpr bool is_negative() const { return fen_ < 0; }

  // OutOfRange when the exact result does not fit in int64 fen.
  Result<Fen> Add(Fen other) const;
  Result<Fen> Sub(Fen other) const;
  Result<Fen> Mul(int64_t factor) const;  // e.g. unit price times quantity

  // "1234.56", "-0.05": plain yuan with exactly two decimals, for storage formats and forms.
  std::string ToYuanString() const;
  // "¥1,234.56", "-¥0.05": for pages and receipts.
  std::string ToDisplayString() const;

  friend constexpr auto operator<=>(Fen, Fen) = default;
  friend std::ostream& operator<<(std::ostream& os, Fen f) { return os << f.ToYuanString(); }

 private:
  int64_t fen_ = 0;
};

}  // namespace tongban
