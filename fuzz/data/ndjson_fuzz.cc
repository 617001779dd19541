// Fuzz target: an NDJSON push body as a department system sends it — ForEachNdjsonLine, then
// ParseRecord of every line against every dataset of the built-in catalogue, and CanonicalFields
// of each accepted record. Properties: line numbers rise strictly and stay within the body's
// lines; every error gives a reason (bad lines name "line"); an accepted record has a valid key, a version
// >= 1, at least one field, only elements of its dataset, and canonical text that parses back to
// the same fields.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/catalogue.h"
#include "data/record.h"

namespace {

using tongban::data::Catalogue;
using tongban::data::Dataset;
using tongban::data::RecordError;
using tongban::data::RecordInput;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const Catalogue& catalogue = Catalogue::Builtin();
  const tongban::CivilDate today{2026, 9, 21};
  int64_t newlines = 0;
  for (char c : body) newlines += c == '\n';
  int64_t last_line = 0;
  auto seen = [&](int64_t line) {
    Check(line > last_line && line <= newlines + 1);
    last_line = line;
  };
  auto result = tongban::data::ForEachNdjsonLine(
      body, 4096, 64,
      [&](int64_t line, const boost::json::value& json) {
        seen(line);
        Check(json.is_object());
        for (const Dataset& dataset : catalogue.datasets()) {
          RecordInput in;
          std::vector<RecordError> errors = tongban::data::ParseRecord(dataset, json, today, in);
          // (An element may be "": a record member or field named "" is named as it was sent.)
          for (const RecordError& e : errors) Check(!e.reason.empty());
          if (!errors.empty()) continue;
          Check(!in.key.empty() && in.key.size() <= 64 && in.version >= 1 && !in.fields.empty());
          for (const auto& [k, v] : in.fields) Check(dataset.FindElement(k) != nullptr && !v.is_null());
          const std::string canonical = tongban::data::CanonicalFields(dataset, in.fields);
          boost::system::error_code ec;
          boost::json::value back = boost::json::parse(canonical, ec);
          Check(!ec && back.is_object() && back.as_object().size() == in.fields.size());
          for (const auto& [k, v] : in.fields) Check(back.as_object().at(k) == v);
        }
      },
      [&](RecordError e) {
        seen(e.line);
        Check(e.element == "line" && !e.reason.empty());
      });
  if (result.ok()) Check(*result <= 64);
  return 0;
}
