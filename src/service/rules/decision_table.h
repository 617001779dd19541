// DecisionTable: the 秒批 (instant approval) rules of one service item as a DMN-style decision
// table, read from a TOML file (grammar: docs/rules.md). Inputs are computed by expressions from
// references (form answers, data-platform elements, the applicant's licences) and `today`; rows
// of unary-test cells over the inputs give an outcome — approve, reject or refer to staff — with
// a reason in plain words for the citizen, under a hit policy (unique, first, collect).
//
// Parsing is strict and reports EVERY problem of a file at once, each as
// FieldError{"<file>:<line>:<column>", reason}: TOML syntax, unknown keys, unknown inputs,
// references or functions, type clashes (expressions are statically typed), malformed cells, and
// under `unique` rows that provably overlap.
//
// A decision is explainable and replayable: Decision::ToJson() keeps the input values, the rows
// that fired and the rule's item, version and fingerprint; Replay() decides again from them.
//
// Thread-safety: immutable after Parse; const members may run concurrently. Copyable and movable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.h"
#include "core/status.h"
#include "service/rules/expr.h"
#include "service/rules/value.h"

namespace tongban::service::rules {

// What names exist and their types; the integrator fills it from the service, data and licence
// catalogues. An empty function knows no names.
struct Vocabulary {
  // A form field's type, nullopt when there is no such field.
  std::function<std::optional<ValueType>(std::string_view field)> form;
  // A data element's type, nullopt when the dataset or the element is unknown.
  std::function<std::optional<ValueType>(std::string_view dataset, std::string_view element)> data;
  // A known licence type.
  std::function<bool(std::string_view type)> license_type;
  // A known field of a licence type (its value type is string).
  std::function<bool(std::string_view type, std::string_view field)> license_field;
};

enum class Outcome { kApprove, kReject, kRefer };
// "approve", "reject", "refer".
std::string_view OutcomeName(Outcome o);
std::optional<Outcome> ParseOutcome(std::string_view name);

enum class HitPolicy { kUnique, kFirst, kCollect };
// "unique", "first", "collect".
std::string_view HitPolicyName(HitPolicy p);
std::optional<HitPolicy> ParseHitPolicy(std::string_view name);

struct InputSpec {
  std::string name;  // [a-z_][a-z0-9_]*
  std::string label_zh, label_en;
  ValueType type = ValueType::kNull;
  std::string expr;
  bool required = true;  // a null value is missing data: refer before the table is evaluated
  int line = 0;
};

struct RowSpec {
  int number = 0;  // 1-based, in file order
  int line = 0;
  std::map<std::string, std::string> cells;  // input name -> cell text, as written (omitted: "-")
  Outcome outcome = Outcome::kRefer;
  std::string reason_zh, reason_en;
};

class DecisionTable;

struct Decision {
  Outcome outcome = Outcome::kRefer;
  std::vector<int> rows;              // 1-based numbers of the rows that fired
  std::vector<Value> inputs;          // one per input, in input order (null when missing)
  std::vector<std::string> missing;   // names of required inputs that were null
  std::string reason_zh, reason_en;   // the plain-words explanation shown to the citizen

  // {"outcome", "rows": [..], "inputs": [{"name", "label_zh", "label_en", "value"}], "missing": [..],
  //  "reason_zh", "reason_en", "rule": {"item", "version", "fingerprint"}}.
  // REQUIRES: the decision was made by `table`.
  boost::json::object ToJson(const DecisionTable& table) const;
};

class DecisionTable {
 public:
  // Reads a rule file. kInvalidArgument with one FieldError{"<file>:<line>:<column>", reason} per
  // problem; the message names the count and the first.
  static Result<DecisionTable> Parse(std::string_view file_name, std::string_view text, const Vocabulary& vocabulary);

  const std::string& item() const { return item_; }
  int version() const { return version_; }
  HitPolicy hit_policy() const { return hit_policy_; }
  const std::string& title_zh() const { return title_zh_; }
  const std::string& title_en() const { return title_en_; }
  const std::string& file_name() const { return file_name_; }
  // 16 hex digits: FNV-1a 64 of the file's text. Tells versions of a file apart in stored
  // decisions (an edit without a version bump shows); not a security hash — the text itself is
  // hashed into the ledger by whoever records it.
  const std::string& fingerprint() const { return fingerprint_; }
  const std::vector<InputSpec>& inputs() const { return inputs_; }
  const std::vector<RowSpec>& rows() const { return rows_; }
  // Every reference the inputs use, each once, in order of first use (input order, then left to
  // right).
  const std::vector<Reference>& references() const { return references_; }
  // The index of a reference in references(), or nullopt.
  std::optional<size_t> FindReference(Reference::Kind kind, std::string_view a, std::string_view b = {}) const;
  // The index of an input, or nullopt.
  std::optional<size_t> FindInput(std::string_view name) const;
  // The numbers of the rows whose outcome is approve (the integrator refuses approve rows for
  // items whose approval needs staff input).
  std::vector<int> ApproveRows() const;

  // Full evaluation: `refs` holds one value per references() entry (Null when absent; a missing
  // entry or a value of the wrong type reads as null); `today` is the decision date (China date).
  Decision Evaluate(std::span<const Value> refs, CivilDate today) const;

  // The inputs from the references, one per input. An input whose expression fails at runtime
  // (a date out of range, an invalid date) is null. kInvalidArgument when refs does not hold one
  // value per reference, or a value's type is not its reference's (an integer for a decimal is
  // fine).
  Result<std::vector<Value>> ComputeInputs(std::span<const Value> refs, CivilDate today) const;

  // The decision from inputs already computed (as ComputeInputs gives them): missing data first,
  // then the table, with the explanation. REQUIRES: inputs.size() == inputs().size().
  Decision DecideInputs(std::vector<Value> inputs) const;

  // Hot path: the outcome for inputs already computed (one per input, each null or of its input's
  // type). Writes the numbers of the rows that fired into `rows` (cleared first; no allocation when
  // it has capacity for them). A null required input gives kRefer with no rows, as does a span of
  // the wrong size.
  Outcome Decide(std::span<const Value> inputs, std::vector<int>& rows) const;

  // Decides again from a stored Decision::ToJson(): same item and version (kFailedPrecondition
  // otherwise, or when the stored fingerprint differs from this file's), the stored input values
  // (read with ValueFromJson by each input's type; kInvalidArgument when malformed). The result
  // has the same rows and outcome as the stored decision when the rule file is the same.
  Result<Decision> Replay(const boost::json::object& stored) const;

 private:
  friend class TableParser;

  std::vector<Value> ComputeInputsUnchecked(std::span<const Value> refs, CivilDate today) const;

  std::string file_name_;
  std::string item_;
  int version_ = 1;
  HitPolicy hit_policy_ = HitPolicy::kFirst;
  std::string title_zh_, title_en_;
  std::string fingerprint_;
  std::vector<InputSpec> inputs_;
  std::vector<RowSpec> rows_;
  std::vector<Reference> references_;

  // Compiled.
  Program program_;
  std::vector<NodeId> input_exprs_;        // one per input
  std::vector<uint32_t> required_;         // indices of required inputs
  std::vector<CellId> row_cells_;          // row r's cells are row_cells_[r]..row_cells_[r + 1]
  std::vector<Outcome> row_outcomes_;
};

}  // namespace tongban::service::rules
