// RuleBook: the decision rules of the service items that are decided at once (秒批) — one DMN-style
// decision table per item (src/service/rules, grammar in docs/rules.md), checked against the
// catalogues at load: the item exists, `form.x` names a field of the item's form, `data.d.e` an
// element of the public data catalogue, `license.t[.f]` a licence type (and field); an item whose
// approval needs a staff member's input (staff fields, a new holder's ID number) may not have rows
// that approve. Every error of every file is reported at once, each "file:line:column: reason".
//
// The rules in data/services/rules/*.toml are embedded into the binary, with the examples beside
// them (*.test.toml: `tongban rules test`); a deployment may load its own ([service] rule_files).
// Each file's version is the hash of its text under the ledger suite: the version a decision
// names, and the text kept in the database (service_rule_version) so a decision replays.
//
// Thread-safety: immutable after Parse; share it freely.
#pragma once

#include <array>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/hash.h"
#include "data/catalogue.h"
#include "license/catalogue.h"
#include "service/catalogue.h"
#include "service/rules/decision_table.h"

namespace tongban::service {

struct RuleFile {
  std::string name;  // shown in errors and stored with the version: "enrolment_eligibility_check.toml" or a path
  std::string text;
};

struct ItemRules {
  rules::DecisionTable table;
  std::string file;
  std::string text;
  std::string hash;  // hex of the suite hash of `text`: the rule version's identity
};

class RuleBook {
 public:
  // kInvalidArgument with one FieldError per problem ("<file>:<line>:<column>", reason).
  static Result<RuleBook> Parse(const std::vector<RuleFile>& files, const ServiceCatalogue& services,
                                const data::Catalogue& data_catalogue, const license::Catalogue& license_catalogue,
                                crypto::HashAlgorithm hash);
  // The rule files built into the binary (data/services/rules/*.toml without the examples), and the
  // example files beside them (*.test.toml), each named by its file name.
  static std::vector<RuleFile> BuiltinFiles();
  static std::vector<RuleFile> BuiltinExamples();
  // The names a rule file for `item` may use: the item's form fields, every data element, every
  // licence type and field.
  static rules::Vocabulary VocabularyFor(const Item& item, const ServiceCatalogue& services,
                                         const data::Catalogue& data_catalogue,
                                         const license::Catalogue& license_catalogue);
  // Parses one rule file for `rules test` and `rules replay`: the table, checked like Parse.
  static Result<rules::DecisionTable> ParseOne(const RuleFile& file, const ServiceCatalogue& services,
                                               const data::Catalogue& data_catalogue,
                                               const license::Catalogue& license_catalogue);

  const ItemRules* For(std::string_view item) const;
  const std::vector<ItemRules>& all() const { return rules_; }
  // Whether the rules of `item` read `dataset` from the data platform (about the applicant).
  bool ReadsDataset(std::string_view item, std::string_view dataset) const;

 private:
  std::vector<ItemRules> rules_;
  std::map<std::string, size_t, std::less<>> by_item_;                     // item -> index in rules_
  std::set<std::pair<std::string, std::string>> reads_;                   // (item, dataset) the rules read
};

}  // namespace tongban::service
