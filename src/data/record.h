// Records as departments push them: one JSON object per record,
//   {"subject": "<citizen ID or USCC>", "key": "<the department's record key>", "version": 3,
//    "fields": {"<element code>": <value>, ...}}
// validated against its dataset's data elements (types, formats, code lists, GB 11643 / GB 32100
// check characters), and NDJSON (one record per line) read line by line with each bad line named.
// Pure functions; thread-safe. Errors never contain the ID number (core/citizen_id.h).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "data/catalogue.h"

namespace tongban::data {

struct RecordInput {
  std::string subject_id;  // normalised (upper-case X / letters)
  std::string key;         // the owner department's own key of the record: 1-64 of [A-Za-z0-9._/-]
  int64_t version = 0;     // >= 1; a new version supersedes, never overwrites
  boost::json::object fields;
};

// One reason a record (or line) is refused: `element` is the element code, or "subject", "key",
// "version", "fields", "line" for the record itself.
struct RecordError {
  int64_t line = 0;  // 1-based line of an NDJSON body; 0 for a single record
  std::string element;
  std::string reason;
};

// Reads and validates one record against `dataset`. `today` bounds birth dates in ID numbers.
// Every problem is listed (not only the first); empty = valid. On success `out` holds it.
std::vector<RecordError> ParseRecord(const Dataset& dataset, const boost::json::value& json,
                                     CivilDate today, RecordInput& out);

// The canonical text of a record's fields: elements in catalogue order, serialized JSON. What
// the record's ledger entry commits to (with dataset, subject, key and version).
std::string CanonicalFields(const Dataset& dataset, const boost::json::object& fields);

// Splits an NDJSON body into lines ("\n", an optional "\r" before it; blank lines skipped) and
// parses each as JSON, calling `record` for each object. A line longer than `max_line_bytes`, not
// JSON (or not UTF-8), or not an object is reported to `bad` and skipped; reading goes on.
// Returns the number of non-blank lines. kInvalidArgument only for a body with more than
// `max_lines` lines (nothing is read past that).
Result<int64_t> ForEachNdjsonLine(std::string_view body, size_t max_line_bytes, int64_t max_lines,
                                  const std::function<void(int64_t line, const boost::json::value&)>& record,
                                  const std::function<void(RecordError)>& bad);

}  // namespace tongban::data
