// Tests for Fen: checked arithmetic, exact yuan parsing and formatting.
#include "core/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace tongban {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

std::string ReasonOf(std::string_view text, Fen::Sign sign = Fen::Sign::kNonNegative) {
  Result<Fen> r = Fen::ParseYuan(text, sign);
  EXPECT_FALSE(r.ok()) << "accepted: " << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  return r.status().fields().at(0).reason;
}

TEST(FenParse, ValidAmounts) {
  EXPECT_EQ(Fen::ParseYuan("12.30")->value(), 1230);
  EXPECT_EQ(Fen::ParseYuan("12.3")->value(), 1230);
  EXPECT_EQ(Fen::ParseYuan("12")->value(), 1200);
  EXPECT_EQ(Fen::ParseYuan("0")->value(), 0);
  EXPECT_EQ(Fen::ParseYuan("0.05")->value(), 5);
  EXPECT_EQ(Fen::ParseYuan("1234.56")->value(), 123456);
  EXPECT_EQ(Fen::ParseYuan("92233720368547758.07")->value(), kMax);
  EXPECT_EQ(Fen::ParseYuan("-0.05", Fen::Sign::kAllowNegative)->value(), -5);
  EXPECT_EQ(Fen::ParseYuan("-0", Fen::Sign::kAllowNegative)->value(), 0);
  EXPECT_EQ(Fen::ParseYuan("-92233720368547758.08", Fen::Sign::kAllowNegative)->value(), kMin);
}

TEST(FenParse, MoreThanTwoDecimalsIsRejected) {
  EXPECT_EQ(ReasonOf("12.345"), "must have at most 2 decimal places (fen)");
  EXPECT_EQ(ReasonOf("12.300"), "must have at most 2 decimal places (fen)");
  EXPECT_EQ(ReasonOf("0.001"), "must have at most 2 decimal places (fen)");
}

TEST(FenParse, NegativeIsRejectedUnlessAllowed) {
  EXPECT_EQ(ReasonOf("-1.00"), "must not be negative");
  EXPECT_EQ(ReasonOf("-0"), "must not be negative");
  EXPECT_TRUE(Fen::ParseYuan("-1.00", Fen::Sign::kAllowNegative).ok());
}

TEST(FenParse, OverflowIsRejected) {
  EXPECT_EQ(ReasonOf("92233720368547758.08"), "amount is too large");
  EXPECT_EQ(ReasonOf("92233720368547759"), "amount is too large");
  EXPECT_EQ(ReasonOf("99999999999999999999999999"), "amount is too large");
  EXPECT_EQ(ReasonOf("-92233720368547758.09", Fen::Sign::kAllowNegative), "amount is too large");
}

TEST(FenParse, MalformedIsRejected) {
  const std::string_view shape = "must be a yuan amount such as 12.30";
  EXPECT_EQ(ReasonOf(""), "must not be empty");
  EXPECT_EQ(ReasonOf("1."), shape);
  EXPECT_EQ(ReasonOf(".5"), shape);
  EXPECT_EQ(ReasonOf("+1"), shape);
  EXPECT_EQ(ReasonOf(" 1"), shape);
  EXPECT_EQ(ReasonOf("1 "), shape);
  EXPECT_EQ(ReasonOf("1e3"), shape);
  EXPECT_EQ(ReasonOf("1,000.00"), shape);
  EXPECT_EQ(ReasonOf("1.2.3"), shape);
  EXPECT_EQ(ReasonOf("¥12.30"), shape);
  EXPECT_EQ(ReasonOf("１２.３０"), shape);  // full-width digits
  EXPECT_EQ(ReasonOf("--1", Fen::Sign::kAllowNegative), shape);
  EXPECT_EQ(ReasonOf("-", Fen::Sign::kAllowNegative), shape);
  EXPECT_EQ(ReasonOf("01.00"), "must not have leading zeros");
  EXPECT_EQ(ReasonOf("NaN"), shape);
}

TEST(FenParse, FieldNameIsUsed) {
  Result<Fen> r = Fen::ParseYuan("1.234", Fen::Sign::kNonNegative, "/items/0/amount");
  EXPECT_EQ(r.status().message(), "/items/0/amount: must have at most 2 decimal places (fen)");
}

TEST(FenArithmetic, CheckedAddSubMul) {
  EXPECT_EQ(Fen(150).Add(Fen(250))->value(), 400);
  EXPECT_EQ(Fen(150).Sub(Fen(250))->value(), -100);
  EXPECT_EQ(Fen(1999).Mul(3)->value(), 5997);
  EXPECT_EQ(Fen::FromYuan(12)->value(), 1200);
}

TEST(FenArithmetic, OverflowIsAnError) {
  EXPECT_EQ(Fen(kMax).Add(Fen(1)).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(Fen(kMin).Sub(Fen(1)).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(Fen(kMax / 2 + 1).Mul(2).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(Fen(kMin).Mul(-1).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(Fen::FromYuan(kMax / 100 + 1).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(Fen(kMax).Add(Fen(1)).status().message(), "amount overflow in addition");
  EXPECT_EQ(Fen(kMax).Add(Fen(0))->value(), kMax);
}

TEST(FenFormat, PlainYuan) {
  EXPECT_EQ(Fen(123456).ToYuanString(), "1234.56");
  EXPECT_EQ(Fen(1230).ToYuanString(), "12.30");
  EXPECT_EQ(Fen(5).ToYuanString(), "0.05");
  EXPECT_EQ(Fen(0).ToYuanString(), "0.00");
  EXPECT_EQ(Fen(-5).ToYuanString(), "-0.05");
  EXPECT_EQ(Fen(kMax).ToYuanString(), "92233720368547758.07");
  EXPECT_EQ(Fen(kMin).ToYuanString(), "-92233720368547758.08");
}

TEST(FenFormat, Display) {
  EXPECT_EQ(Fen(123456).ToDisplayString(), "¥1,234.56");
  EXPECT_EQ(Fen(99).ToDisplayString(), "¥0.99");
  EXPECT_EQ(Fen(100000).ToDisplayString(), "¥1,000.00");
  EXPECT_EQ(Fen(10000).ToDisplayString(), "¥100.00");
  EXPECT_EQ(Fen(-123456789).ToDisplayString(), "-¥1,234,567.89");
  EXPECT_EQ(Fen(kMin).ToDisplayString(), "-¥92,233,720,368,547,758.08");
}

TEST(FenFormat, RoundTrips) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{10}, int64_t{99}, int64_t{100}, int64_t{123456},
                    kMax, kMin, kMin + 1, int64_t{-7}}) {
    Result<Fen> back = Fen::ParseYuan(Fen(v).ToYuanString(), Fen::Sign::kAllowNegative);
    ASSERT_TRUE(back.ok()) << v;
    EXPECT_EQ(back->value(), v);
  }
}

TEST(FenCompare, Ordering) {
  EXPECT_LT(Fen(1), Fen(2));
  EXPECT_EQ(Fen(3), Fen(3));
  EXPECT_TRUE(Fen(-1).is_negative());
}

}  // namespace
}  // namespace tongban
