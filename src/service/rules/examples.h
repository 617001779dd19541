// Rule examples: the tests that the people who write a rule file keep beside it, as
// `<stem>.test.toml` — each example a citizen's situation (form answers, data-platform elements,
// licences held, the decision date) and the decision it must get (grammar: docs/rules.md).
// `tongban rules test FILE` runs them and prints "PASS name" / "FAIL name: message" per example.
//
// Thread-safety: a pure function of its arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "service/rules/decision_table.h"

namespace tongban::service::rules {

struct ExampleResult {
  std::string name;
  int line = 0;         // of its [[example]]
  bool passed = false;
  std::string message;  // what differed ("" when passed)
  Decision decision;    // what the table decided
};

// Runs every example of an example file against `table`. A malformed file is refused as rule
// files are — kInvalidArgument with one FieldError{"<file>:<line>:<column>", reason} per problem —
// including a value for a reference the table does not use (an example may give values only for
// references().) and a value that is not of its reference's type (read with ValueFromJson; TOML
// dates are dates). A licence listed under `licenses` is held (license.<type> is true); one not
// listed is not held (false); a form field, data element or licence field not given is null.
Result<std::vector<ExampleResult>> RunExamples(const DecisionTable& table, std::string_view file_name,
                                               std::string_view text);

}  // namespace tongban::service::rules
