// JsonBody: strict reading of JSON request bodies into fields, with field-level errors for RFC
// 9457 problems. Decision: unknown fields are REJECTED (400 naming the field) — a typo such as
// "amout_fen" must not be silently ignored in a government record. Documented in docs/api.md.
// Value type; not thread-safe.
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tongban::api {

// Field readers for one object of a body, its fields named in errors by JSON pointers under `at`
// ("" for the body itself, "/receipts/3" for an element of an array), with JsonBody's rules. For
// nested objects; JsonBody uses them for the top level.
Status RejectUnknownFields(const boost::json::object& o,
                           std::initializer_list<std::string_view> allowed,
                           std::string_view at = "");
// Absent or null: nullopt. Not a string, or longer than `max_len` bytes: kInvalidArgument.
Result<std::optional<std::string>> OptionalStringField(const boost::json::object& o,
                                                       std::string_view field,
                                                       std::string_view at = "",
                                                       size_t max_len = 256);
// An integer that fits int64 (money in fen, counts): no decimals, no exponent.
Result<int64_t> RequiredIntField(const boost::json::object& o, std::string_view field,
                                 std::string_view at = "");

class JsonBody {
 public:
  // Parses `body` as one JSON object whose keys must all be in `allowed`.
  static Result<JsonBody> Parse(std::string_view body,
                                std::initializer_list<std::string_view> allowed);

  // A required non-empty string of at most `max_len` bytes.
  Result<std::string> RequiredString(std::string_view field, size_t max_len = 256) const;
  Result<std::optional<std::string>> OptionalString(std::string_view field,
                                                    size_t max_len = 256) const;
  Result<int64_t> RequiredInt(std::string_view field) const;
  const boost::json::object& object() const { return object_; }

 private:
  boost::json::object object_;
};

}  // namespace tongban::api
