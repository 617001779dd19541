// Value: one typed value of the rules language (秒批 decision tables, docs/rules.md) — null, a
// boolean, a 64-bit integer, a decimal (a double), a UTF-8 string or a calendar date — and its
// JSON form, used to turn form answers, data-platform elements and licence fields into values and
// to store a decision's inputs so that it can be replayed.
//
// A Value is a plain value type: cheap to copy when it is not a string (a string owns its bytes).
// Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/clock.h"
#include "core/status.h"

namespace tongban::service::rules {

// The static and dynamic types of the language. kNull is the type of the literal `null` only; a
// declared input or reference never has it.
enum class ValueType : uint8_t { kNull, kBoolean, kInteger, kDecimal, kString, kDate };

// "null", "boolean", "integer", "decimal", "string", "date".
std::string_view ValueTypeName(ValueType t);
// The inverse of ValueTypeName for the five declarable types; nullopt for "null" and anything else.
std::optional<ValueType> ParseValueType(std::string_view name);

struct Value {
 public:
  Value() = default;  // null

  static Value Null() { return Value(); }
  static Value Boolean(bool b) { return Value(ValueType::kBoolean, b ? 1 : 0, 0); }
  static Value Integer(int64_t i) { return Value(ValueType::kInteger, i, 0); }
  // REQUIRES: std::isfinite(d).
  static Value Decimal(double d) { return Value(ValueType::kDecimal, 0, d); }
  static Value String(std::string s) {
    Value v(ValueType::kString, 0, 0);
    v.s_ = std::move(s);
    return v;
  }
  // REQUIRES: d.IsValid().
  static Value Date(CivilDate d) { return Value(ValueType::kDate, DaysFromCivil(d), 0); }
  // A date as days since 1970-01-01. REQUIRES: a day of the years 1..9999.
  static Value DateFromDays(int64_t days) { return Value(ValueType::kDate, days, 0); }

  ValueType type() const { return type_; }
  bool is_null() const { return type_ == ValueType::kNull; }

  // Each REQUIRES the matching type().
  bool boolean() const { return i_ != 0; }
  int64_t integer() const { return i_; }
  double decimal() const { return d_; }
  const std::string& string() const { return s_; }
  CivilDate date() const { return CivilFromDays(i_); }
  int64_t days() const { return i_; }
  // An integer or a decimal as a double. REQUIRES: type() is kInteger or kDecimal.
  double number() const { return type_ == ValueType::kDecimal ? d_ : static_cast<double>(i_); }

  // Same type and same payload (Integer(1) != Decimal(1.0): the types differ).
  friend bool operator==(const Value& a, const Value& b);

 private:
  Value(ValueType t, int64_t i, double d) : type_(t), i_(i), d_(d) {}

  ValueType type_ = ValueType::kNull;
  int64_t i_ = 0;  // boolean (0/1), integer, date (days since 1970-01-01)
  double d_ = 0;   // decimal
  std::string s_;  // string
};

// The value as a literal of the language: null, true, 42, 89.5, "已婚", date("2021-03-02").
std::string ValueText(const Value& v);

// null, true/false, integers, decimals as JSON numbers, strings, dates as "YYYY-MM-DD".
boost::json::value ToJson(const Value& v);

// A JSON value read as `type`: null is Null for every type; booleans only from true/false ("是" /
// "否" are strings, not booleans); integers from integral numbers and strings of digits ("42",
// "-7"); decimals from numbers and decimal strings ("89.50", as data platforms send them); strings
// from strings; dates from "YYYY-MM-DD". Anything else is kInvalidArgument saying what was
// expected and what came.
Result<Value> ValueFromJson(const boost::json::value& json, ValueType type);

}  // namespace tongban::service::rules
