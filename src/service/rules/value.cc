// Value and its JSON form; see value.h.
#include "service/rules/value.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace tongban::service::rules {

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNull: return "null";
    case ValueType::kBoolean: return "boolean";
    case ValueType::kInteger: return "integer";
    case ValueType::kDecimal: return "decimal";
    case ValueType::kString: return "string";
    case ValueType::kDate: return "date";
  }
  return "null";
}

std::optional<ValueType> ParseValueType(std::string_view name) {
  for (ValueType t : {ValueType::kBoolean, ValueType::kInteger, ValueType::kDecimal, ValueType::kString,
                      ValueType::kDate}) {
    if (ValueTypeName(t) == name) return t;
  }
  return std::nullopt;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case ValueType::kNull: return true;
    case ValueType::kDecimal: return a.d_ == b.d_;
    case ValueType::kString: return a.s_ == b.s_;
    default: return a.i_ == b.i_;
  }
}

namespace {

std::string DecimalText(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, ec == std::errc() ? end : buf);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";  // 90 -> 90.0: still a decimal
  return s;
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// What a JSON value is, for messages: "the string \"是\"", "a number", "an object".
std::string Describe(const boost::json::value& json) {
  switch (json.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return json.get_bool() ? "true" : "false";
    case boost::json::kind::int64: return std::to_string(json.get_int64());
    case boost::json::kind::uint64: return std::to_string(json.get_uint64());
    case boost::json::kind::double_: return DecimalText(json.get_double());
    case boost::json::kind::string: {
      std::string_view s = json.get_string();
      if (s.size() > 40) return "a string of " + std::to_string(s.size()) + " bytes";
      return "the string " + Quoted(s);
    }
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "a value";
}

Status Expected(std::string_view what, const boost::json::value& json) {
  return Status::InvalidArgument("expected " + std::string(what) + ", got " + Describe(json));
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "-?[0-9]+" to an int64; nullopt when malformed or out of range.
std::optional<int64_t> IntegerText(std::string_view s) {
  std::string_view digits = s.starts_with('-') ? s.substr(1) : s;
  if (!AllDigits(digits)) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "-?[0-9]+(\.[0-9]+)?" to a finite double.
std::optional<double> DecimalFromText(std::string_view s) {
  std::string_view body = s.starts_with('-') ? s.substr(1) : s;
  const size_t dot = body.find('.');
  if (dot == std::string_view::npos ? !AllDigits(body)
                                    : !AllDigits(body.substr(0, dot)) || !AllDigits(body.substr(dot + 1))) {
    return std::nullopt;
  }
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

std::string ValueText(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return "null";
    case ValueType::kBoolean: return v.boolean() ? "true" : "false";
    case ValueType::kInteger: return std::to_string(v.integer());
    case ValueType::kDecimal: return DecimalText(v.decimal());
    case ValueType::kString: return Quoted(v.string());
    case ValueType::kDate: return "date(\"" + v.date().ToString() + "\")";
  }
  return "null";
}

boost::json::value ToJson(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return nullptr;
    case ValueType::kBoolean: return v.boolean();
    case ValueType::kInteger: return v.integer();
    case ValueType::kDecimal: return v.decimal();
    case ValueType::kString: return boost::json::string(v.string());
    case ValueType::kDate: return boost::json::string(v.date().ToString());
  }
  return nullptr;
}

Result<Value> ValueFromJson(const boost::json::value& json, ValueType type) {
  if (json.is_null()) return Value::Null();
  switch (type) {
    case ValueType::kNull:
      return Expected("null", json);
    case ValueType::kBoolean:
      if (json.is_bool()) return Value::Boolean(json.get_bool());
      return Expected("a boolean (true or false)", json);
    case ValueType::kInteger:
      if (json.is_int64()) return Value::Integer(json.get_int64());
      if (json.is_uint64()) {
        if (json.get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return Expected("an integer within 64 bits", json);
        }
        return Value::Integer(static_cast<int64_t>(json.get_uint64()));
      }
      if (json.is_double()) {
        const double d = json.get_double();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) {
          return Value::Integer(static_cast<int64_t>(d));
        }
        return Expected("an integer", json);
      }
      if (json.is_string()) {
        if (auto i = IntegerText(json.get_string())) return Value::Integer(*i);
      }
      return Expected("an integer", json);
    case ValueType::kDecimal:
      if (json.is_int64()) return Value::Decimal(static_cast<double>(json.get_int64()));
      if (json.is_uint64()) return Value::Decimal(static_cast<double>(json.get_uint64()));
      if (json.is_double() && std::isfinite(json.get_double())) return Value::Decimal(json.get_double());
      if (json.is_string()) {
        if (auto d = DecimalFromText(json.get_string())) return Value::Decimal(*d);
      }
      return Expected("a decimal number", json);
    case ValueType::kString:
      if (json.is_string()) return Value::String(std::string(json.get_string()));
      return Expected("a string", json);
    case ValueType::kDate:
      if (json.is_string()) {
        if (auto d = ParseCivilDate(json.get_string())) return Value::Date(*d);
      }
      return Expected("a date \"YYYY-MM-DD\"", json);
  }
  return Expected("a value", json);
}

}  // namespace tongban::service::rules
