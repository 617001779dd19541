// Record validation and NDJSON reading; see record.h.
#include "data/record.h"

#include <regex>

#include "core/citizen_id.h"
#include "core/uscc.h"

namespace tongban::data {
namespace {

using boost::json::object;
using boost::json::value;

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '/' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool ValidDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  CivilDate d{std::stoi(std::string(s.substr(0, 4))), std::stoi(std::string(s.substr(5, 2))),
              std::stoi(std::string(s.substr(8, 2)))};
  return d.IsValid();
}

// "123", "123.4", "123.45": a non-negative decimal with at most two places.
bool ValidDecimal(std::string_view s) {
  static const std::regex kDecimal("(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?");
  return std::regex_match(s.begin(), s.end(), kDecimal);
}

// Why `v` is not a valid value of `e` ("" when it is).
std::string CheckValue(const Element& e, const value& v, CivilDate today) {
  switch (e.type) {
    case ElementType::kInteger:
    case ElementType::kFen: {
      if (!v.is_int64()) return "must be an integer";
      const int64_t n = v.as_int64();
      if (e.type == ElementType::kFen && n < 0) return "must be an amount in fen, 0 or more";
      if (e.min && n < *e.min) return "must be at least " + std::to_string(*e.min);
      if (e.max && n > *e.max) return "must be at most " + std::to_string(*e.max);
      return "";
    }
    default:
      break;
  }
  if (!v.is_string()) return "must be a string";
  const std::string_view s = v.as_string();
  switch (e.type) {
    case ElementType::kString:
      if (s.empty()) return "must not be empty";
      if (s.size() > e.max_length) return "longer than " + std::to_string(e.max_length) + " bytes";
      if (s.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) {
        return "must be one line of text";
      }
      if (e.matcher && !std::regex_match(s.begin(), s.end(), *e.matcher)) {
        return "does not have the element's format";
      }
      return "";
    case ElementType::kDate:
      return ValidDate(s) ? "" : "must be a date YYYY-MM-DD";
    case ElementType::kDecimal:
      return ValidDecimal(s) ? "" : "must be a decimal with at most two places, e.g. \"89.50\"";
    case ElementType::kCode:
      for (const auto& c : e.codes) {
        if (c == s) return "";
      }
      return "is not in the element's code list";
    case ElementType::kCitizenId: {
      auto id = CitizenId::Parse(s, today, e.code);
      return id.ok() ? "" : id.status().fields().empty() ? "is not a valid citizen ID number"
                                                           : id.status().fields()[0].reason;
    }
    case ElementType::kUscc: {
      auto code = Uscc::Parse(s, e.code);
      return code.ok() ? "" : code.status().fields().empty() ? "is not a valid USCC"
                                                               : code.status().fields()[0].reason;
    }
    default:
      return "";
  }
}

}  // namespace

std::vector<RecordError> ParseRecord(const Dataset& dataset, const value& json, CivilDate today,
                                     RecordInput& out) {
  std::vector<RecordError> errors;
  auto fail = [&](std::string element, std::string reason) {
    errors.push_back(RecordError{0, std::move(element), std::move(reason)});
  };
  if (!json.is_object()) {
    fail("line", "a record must be a JSON object");
    return errors;
  }
  const object& o = json.as_object();
  for (const auto& [k, v] : o) {
    if (k != "subject" && k != "key" && k != "version" && k != "fields") {
      fail(std::string(k), "is not a record member (subject, key, version, fields)");
    }
  }
  out = RecordInput{};
  const value* subject = o.if_contains("subject");
  if (subject == nullptr || !subject->is_string()) {
    fail("subject", "is required: the citizen ID number or USCC the record is about");
  } else {
    std::string text(subject->as_string());
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    Status s = dataset.subject == SubjectKind::kPerson
                   ? CitizenId::Parse(text, today, "subject").status()
                   : Uscc::Parse(text, "subject").status();
    if (!s.ok()) {
      fail("subject", s.fields().empty() ? (dataset.subject == SubjectKind::kPerson
                                                ? "is not a valid citizen ID number"
                                                : "is not a valid USCC")
                                         : s.fields()[0].reason);
    }
    out.subject_id = std::move(text);
  }
  const value* key = o.if_contains("key");
  if (key == nullptr || !key->is_string() || !ValidKey(key->as_string())) {
    fail("key", "is required: 1-64 characters of A-Z a-z 0-9 . _ / -");
  } else {
    out.key = std::string(key->as_string());
  }
  const value* version = o.if_contains("version");
  if (version == nullptr || !version->is_int64() || version->as_int64() < 1) {
    fail("version", "is required: an integer from 1, higher for each new version of the record");
  } else {
    out.version = version->as_int64();
  }
  const value* fields = o.if_contains("fields");
  if (fields == nullptr || !fields->is_object() || fields->as_object().empty()) {
    fail("fields", "is required: an object of element codes and values");
    return errors;
  }
  for (const auto& [k, v] : fields->as_object()) {
    const Element* e = dataset.FindElement(k);
    if (e == nullptr) {
      fail(std::string(k), "is not a data element of dataset " + dataset.code);
      continue;
    }
    if (v.is_null()) continue;  // an element the department does not hold for this record
    if (std::string reason = CheckValue(*e, v, today); !reason.empty()) fail(e->code, reason);
  }
  if (errors.empty()) {
    for (const auto& [k, v] : fields->as_object()) {
      if (!v.is_null()) out.fields[k] = v;
    }
    if (out.fields.empty()) fail("fields", "holds no value");
  }
  return errors;
}

std::string CanonicalFields(const Dataset& dataset, const object& fields) {
  object canonical;
  for (const Element& e : dataset.elements) {
    if (const value* v = fields.if_contains(e.code)) canonical[e.code] = *v;
  }
  return boost::json::serialize(canonical);
}

Result<int64_t> ForEachNdjsonLine(std::string_view body, size_t max_line_bytes, int64_t max_lines,
                                  const std::function<void(int64_t, const value&)>& record,
                                  const std::function<void(RecordError)>& bad) {
  int64_t line = 0, counted = 0;
  size_t at = 0;
  boost::json::parser parser;
  while (at < body.size()) {
    size_t end = body.find('\n', at);
    if (end == std::string_view::npos) end = body.size();
    std::string_view text = body.substr(at, end - at);
    at = end + 1;
    ++line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (++counted > max_lines) {
      return Status::InvalidField("body", "more than " + std::to_string(max_lines) + " lines");
    }
    if (text.size() > max_line_bytes) {
      bad(RecordError{line, "line", "longer than " + std::to_string(max_line_bytes) + " bytes"});
      continue;
    }
    parser.reset();
    boost::system::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (ec) {
      bad(RecordError{line, "line", "not a JSON value (or not UTF-8): " + ec.message()});
      continue;
    }
    value v = parser.release();
    if (!v.is_object()) {
      bad(RecordError{line, "line", "a record must be a JSON object"});
      continue;
    }
    record(line, v);
  }
  return counted;
}

}  // namespace tongban::data
