// ConfigSection: one [section] of tongban.toml as its part reads it. Each option is read once
// through a typed reader that names "section.key" in its error (a wrong type, a value out of
// range); Finish() then refuses every key no reader asked for, so a typo is an error at start,
// never a silent default. An absent section reads as all defaults. Wraps a toml++ table that must
// outlive it. Not thread-safe (start-up only).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "core/status.h"

namespace tongban::part {

class ConfigSection {
 public:
  // `table` may be nullptr (the file has no such section). `name` is "ledger" or, for a table
  // inside an array, "ledger.witnesses[0]".
  ConfigSection(std::string name, const toml::table* table) : name_(std::move(name)), table_(table) {}

  const std::string& name() const { return name_; }
  // "section.key", for errors about a value read earlier.
  std::string Field(std::string_view key) const { return name_ + "." + std::string(key); }

  // Reads the optional key into `out` (left as is when absent).
  Status Read(std::string_view key, std::string& out);
  // An integer in [lo, hi].
  Status Read(std::string_view key, int64_t& out, int64_t lo, int64_t hi);
  Status Read(std::string_view key, int& out, int lo, int hi);
  Status Read(std::string_view key, bool& out);
  // An array of strings (absent: `out` unchanged).
  Status Read(std::string_view key, std::vector<std::string>& out);
  // A string that must be one of `allowed`.
  Status ReadOneOf(std::string_view key, std::string& out, const std::set<std::string>& allowed);
  // An array of tables ([[section.key]]): each element as a section of its own; absent = empty.
  Result<std::vector<ConfigSection>> ReadTables(std::string_view key);

  // kInvalidArgument naming the first key of the table that no reader asked for.
  Status Finish() const;

 private:
  const toml::node* Get(std::string_view key);
  std::string name_;
  const toml::table* table_;
  std::set<std::string, std::less<>> read_;
};

// The [section] `name` of `root`: nullptr when absent, an error naming it when it is not a table.
Result<const toml::table*> SectionOf(const toml::table& root, std::string_view name);

// Parses TOML text; a syntax error names line and column.
Result<toml::table> ParseToml(std::string_view text);

}  // namespace tongban::part
