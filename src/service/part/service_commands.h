// `tongban rules`: the commands of the 秒批 rules (docs/rules.md).
//   rules test [FILE...]     runs the examples kept beside each rule file (FILE.test.toml), or the
//                            built-in rules' examples when no file is named; PASS/FAIL per example,
//                            exit 1 when any fails or a file is refused (file:line:column).
//   rules replay -c CONFIG (--decision ID | --case NUMBER)
//                            re-evaluates stored automatic decisions from the database alone (the
//                            rule version's text, the input values, the date) and checks each
//                            against its record and its ledger entry.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "part/commands.h"

namespace tongban::service {

struct RulesCommandOptions {
  std::vector<std::string> files;  // rules test
  std::filesystem::path config;    // rules replay
  int64_t decision = 0;
  std::string case_number;
};

void AddRulesCommands(part::Commands& commands, RulesCommandOptions& options);

}  // namespace tongban::service
